#!/bin/sh
# Starts a private libvirtd for the instance monitor's tests: in its own mount and network
# namespaces (no network access, no firewall rules of the host touched),
# with /run, /var/lib, /var/cache, /var/log and /etc/libvirt bound to directories under $1,
# so that a restarted daemon finds its guests' state again. Execs libvirtd (keeps the PID).
set -eu
dir=$1
for d in run varlib varcache varlog etc/qemu sock; do mkdir -p "$dir/$d"; done
cat >"$dir/etc/libvirtd.conf" <<CONF
unix_sock_dir = "$dir/sock"
unix_sock_ro_perms = "0777"
auth_unix_ro = "none"
auth_unix_rw = "none"
log_outputs = "3:file:$dir/varlog/libvirtd.log"
CONF
cat >"$dir/etc/qemu.conf" <<CONF
user = "root"
group = "root"
dynamic_ownership = 0
remember_owner = 0
security_driver = "none"
cgroup_controllers = [ ]
namespaces = [ ]
stdio_handler = "file"
CONF
# Debian's libvirt resolves its default qemu user before reading qemu.conf; the user comes
# with libvirt-daemon-system, which the tests do not need: give the namespace its own copy.
cp /etc/passwd "$dir/passwd"
cp /etc/group "$dir/group"
grep -q '^libvirt-qemu:' "$dir/passwd" || echo 'libvirt-qemu:x:64055:64055::/var/lib/libvirt:/usr/sbin/nologin' >>"$dir/passwd"
grep -q '^libvirt-qemu:' "$dir/group" || echo 'libvirt-qemu:x:64055:' >>"$dir/group"
exec unshare -m -n --propagation private sh -c '
  set -e
  mount --bind "$1/run" /run
  mount --bind "$1/varlib" /var/lib
  mount --bind "$1/varcache" /var/cache
  mount --bind "$1/varlog" /var/log
  mount --bind "$1/etc" /etc/libvirt
  mount --bind "$1/passwd" /etc/passwd
  mount --bind "$1/group" /etc/group
  exec /usr/sbin/libvirtd -f /etc/libvirt/libvirtd.conf
' sh "$dir"
