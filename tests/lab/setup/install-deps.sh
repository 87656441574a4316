#!/usr/bin/env bash
# Installs everything the lab and the test suite need on a Debian 12 machine. Idempotent.
#   - Debian packages: the cluster stack, fence and resource agents, ipmi_sim, ipmitool, rpm tools,
#     the corosync -dev packages that rust-corosync links against, and libvirt with qemu
#     (the instance monitor's tests run their own libvirtd and a diskless TCG guest; the lab's
#     `--libvirt` computes one each), with what libvirt-python builds against.
#   - pacemaker-remoted, unpacked (it conflicts with the pacemaker package, so it is not installed).
#   - a Python venv with the Masakari API server and masakari-monitors (the incumbent, for benchmarks),
#     Keystone served by gunicorn (the lab's `--keystone` option), and sushy-tools' sushy-emulator
#     (Redfish BMCs: the fence_redfish compatibility tests and the lab's `--bmc redfish`).
set -euo pipefail

cache=${MASAKARI_LAB_CACHE:-/var/cache/masakari-pcmk-lab}
packages=(
  corosync pacemaker pacemaker-cli-utils pcs fence-agents resource-agents openipmi ipmitool
  libcorosync-common-dev libcmap-dev libcpg-dev libquorum-dev libvotequorum-dev libcfg-dev
  iproute2 procps psmisc curl openssl libxml2-utils rpm rpmlint xsltproc man-db systemd python3-venv hyperfine
  libvirt-daemon libvirt-daemon-driver-qemu libvirt-clients qemu-system-x86
  libvirt-dev pkg-config gcc python3-dev
  tcpdump  # masakari-monitors' heartbeat-line check (the benchmark's incumbent); without it, it skips polls
)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if ((${#missing[@]})); then
  echo "install-deps: installing ${missing[*]}"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
# The pacemaker package starts the cluster services on install; the lab runs its own, in namespaces.
for unit in pacemaker corosync pcsd; do
  systemctl disable --now "$unit" >/dev/null 2>&1 || true
done

mkdir -p "$cache"
if [[ ! -x $cache/pacemaker-remote/usr/sbin/pacemaker-remoted ]]; then
  echo "install-deps: unpacking pacemaker-remote"
  tmp=$(mktemp -d)
  (cd "$tmp" && apt-get download -qq pacemaker-remote >/dev/null)
  rm -rf "$cache/pacemaker-remote"
  dpkg -x "$tmp"/pacemaker-remote_*.deb "$cache/pacemaker-remote"
  rm -rf "$tmp"
fi

if [[ ! -x $cache/venv/bin/masakari-api ]]; then
  echo "install-deps: creating the Masakari venv"
  rm -rf "$cache/venv"
  python3 -m venv "$cache/venv"
  "$cache/venv/bin/pip" install -q --disable-pip-version-check 'masakari==22.0.0' 'masakari-monitors==22.0.0'
fi
if [[ ! -x $cache/venv/bin/keystone-manage || ! -x $cache/venv/bin/gunicorn ]]; then
  echo "install-deps: adding Keystone and gunicorn to the Masakari venv"
  "$cache/venv/bin/pip" install -q --disable-pip-version-check 'keystone==30.0.0' 'gunicorn==27.0.1'
fi
# masakari-monitors' instancemonitor imports libvirt (libvirt-python, built against libvirt-dev);
# its release matches Debian 12's libvirt 9.0.
if ! "$cache/venv/bin/python3" -c 'import libvirt' 2>/dev/null; then
  echo "install-deps: adding libvirt-python to the Masakari venv"
  "$cache/venv/bin/pip" install -q --disable-pip-version-check 'libvirt-python==9.0.0'
fi
if [[ ! -x $cache/venv/bin/sushy-emulator ]]; then
  echo "install-deps: adding sushy-tools (sushy-emulator) to the Masakari venv"
  "$cache/venv/bin/pip" install -q --disable-pip-version-check 'sushy-tools==2.2.0'
fi
echo "install-deps: ready ($cache)"
