#!/bin/bash
# Builds the RPMs, installs them into a scratch root and checks what landed there (`make rpm-test`):
#  - every path, its type, mode, owner and group, against rpm/expected-files.txt;
#  - `rpm --verify` of both packages, and the scriptlets parse;
#  - tmpfiles.d creates /run/masakari-pcmk as the packages expect;
#  - the installed fence agent, under each of its names, prints its metadata;
#  - each installed command and the OCF agent have a man page, and every page renders without warnings;
#  - the shipped configurations pass `masakari-hostmonitor check-config` and
#    `masakari-instancemonitor check-config`;
#  - each systemd unit starts its installed daemon with the shipped configuration, and verifies;
#  - no package depends on ipmitool or Python;
#  - the installed alert agent exits 0 when no monitor listens;
#  - each installed OCF agent is statically linked and passes ocf-tester (the instance monitor's
#    without libvirt: the daemon runs without it).
#
#   rpm/test-rpm.sh [--no-build]    (--no-build: test the RPMs already in build/rpm)
#
# Runs as root (rpm --root chroots). The scratch root is removed on exit, even on failure.
set -euo pipefail

[ "$(id -u)" -eq 0 ] || { echo "rpm-test: run as root (rpm --root chroots)" >&2; exit 1; }
# command:Debian package
for tool in ocf-tester:resource-agents xmllint:libxml2-utils systemd-analyze:systemd \
    systemd-tmpfiles:systemd man:man-db readelf:binutils; do
    command -v "${tool%%:*}" >/dev/null ||
        { echo "rpm-test: ${tool%%:*} is missing (Debian package ${tool#*:})" >&2; exit 1; }
done
top=$(git -C "$(dirname "$0")" rev-parse --show-toplevel)
out=$top/build/rpm
if [ "${1:-}" != --no-build ]; then
    "$top/rpm/build-rpm.sh" "$out"
fi

scratch=$(mktemp -d "${TMPDIR:-/tmp}/masakari-pcmk-rpm-test.XXXXXX")
ocf_started=()
# An agent's stop with ocf-tester's environment: a daemon that a failing ocf-tester left running is
# stopped the agent's way (by the PID in its HA_RSCTMP file). ocf_params_<agent> are its -o words.
ocf_stop() {
    local agent=$1 i
    local -n params=ocf_params_$agent
    local env=(OCF_ROOT=/usr/lib/ocf OCF_RESOURCE_INSTANCE="$agent" HA_RSCTMP="$HA_RSCTMP")
    for ((i = 1; i < ${#params[@]}; i += 2)); do env+=("OCF_RESKEY_${params[i]}"); done
    env "${env[@]}" "$root/usr/lib/ocf/resource.d/masakari/$agent" stop
}
cleanup() {
    local agent
    for agent in "${ocf_started[@]}"; do
        ocf_stop "$agent" >/dev/null 2>&1 || true
    done
    rm -rf "$scratch"
}
trap cleanup EXIT
trap 'exit 130' INT TERM
root=$scratch/root
# ocf-tester runs meta-data as an unprivileged user, who must be able to reach the agent.
chmod 0755 "$scratch"
failures=0
fail() { echo "FAIL: $*" >&2; failures=$((failures + 1)); }
pass() { echo "ok: $*"; }

# The accounts EL9 has when pacemaker-libs is installed (hacluster/haclient are 189 there).
mkdir -p "$root/etc"
printf 'root:x:0:0:root:/root:/bin/bash\nhacluster:x:189:189:cluster user:/var/lib/pacemaker:/sbin/nologin\n' > "$root/etc/passwd"
printf 'root:x:0:\nhaclient:x:189:\n' > "$root/etc/group"

rpms=("$out"/RPMS/*/*.rpm)
# --noscripts: the scratch root has no shell or systemctl; the scriptlets are parsed below instead.
rpm --root "$root" --nodeps --noscripts -i "${rpms[@]}"
pass "installed ${rpms[*]##*/}"

packages=$(rpm -qp --qf '%{NAME}\n' "${rpms[@]}")
# shellcheck disable=SC2086 # one word per package
if rpm --root "$root" --nodeps --noscripts -V $packages; then
    pass "rpm --verify"
else
    fail "rpm --verify reports changed files"
fi

for rpm in "${rpms[@]}"; do
    scripts=$(rpm -qp --scripts "$rpm" | sed '/^[a-z]* scriptlet.*:$/d')
    if [ -n "$scripts" ] && ! sh -n <<<"$scripts"; then
        fail "scriptlets of ${rpm##*/} do not parse"
    fi
done
pass "scriptlets parse"

# What %post's %tmpfiles_create does on a real system.
systemd-tmpfiles --root="$root" --create masakari-pcmk.conf

# Every path: type mode owner group path [-> target], names from the scratch root's own accounts.
name_of() { awk -F: -v id="$2" '$3 == id { print $1; exit }' "$root/etc/$1"; }
describe() {
    local path=$1 st type mode uid gid line
    st=$(stat -c '%F|%a|%u|%g' "$root$path")
    IFS='|' read -r type mode uid gid <<<"$st"
    case $type in
    directory) type=d ;;
    "regular file" | "regular empty file") type=f ;;
    "symbolic link") type=l ;;
    esac
    line=$(printf '%s %04o %s %s %s' "$type" "0$mode" "$(name_of passwd "$uid")" "$(name_of group "$gid")" "$path")
    if [ "$type" = l ]; then
        line="$line -> $(readlink "$root$path")"
    fi
    echo "$line"
}
# shellcheck disable=SC2086 # one word per package
actual=$(rpm --root "$root" -ql $packages | grep -v '^/usr/lib/.build-id' | sort -u |
    while read -r path; do describe "$path"; done)
expected=$(grep -v '^#' "$top/rpm/expected-files.txt" | sort -k5)
if diff <(echo "$expected") <(echo "$actual" | sort -k5); then
    pass "$(echo "$actual" | wc -l) paths with the expected type, mode, owner and group"
else
    fail "installed paths differ from rpm/expected-files.txt (< expected, > installed)"
fi

fence=$root/usr/sbin/fence_ipmilan_rs
for agent in "$root"/usr/sbin/fence_*_rs; do
    name=${agent##*/}
    if "$agent" -o metadata > "$scratch/$name.xml" && xmllint --noout "$scratch/$name.xml" &&
        grep -q "<resource-agent name=\"$name\"" "$scratch/$name.xml"; then
        pass "$name -o metadata"
    else
        fail "$name -o metadata"
    fi
done
if echo "action=metadata" | "$fence" | grep -q '<parameter name="ipaddr"'; then
    pass "fence_ipmilan_rs metadata on stdin"
else
    fail "fence_ipmilan_rs metadata on stdin"
fi
if echo "action=metadata" | "$root/usr/sbin/fence_redfish_rs" | grep -q '<parameter name="systems_uri"'; then
    pass "fence_redfish_rs metadata on stdin"
else
    fail "fence_redfish_rs metadata on stdin"
fi

for cmd in "$root"/usr/bin/* "$root"/usr/sbin/* "$root"/usr/lib/ocf/resource.d/masakari/*; do
    case $cmd in
    */resource.d/*) page=$root/usr/share/man/man7/ocf_masakari_${cmd##*/}.7.gz ;;
    */bin/*) page=$root/usr/share/man/man1/${cmd##*/}.1.gz ;;
    *) page=$root/usr/share/man/man8/${cmd##*/}.8.gz ;;
    esac
    [ -f "$page" ] || fail "no man page for ${cmd#"$root"} (${page#"$root"})"
done
for page in "$root"/usr/share/man/man*/*; do
    if warnings=$(MANWIDTH=80 man --warnings -l "$page" 2>&1 >/dev/null) && [ -z "$warnings" ]; then
        pass "man page ${page##*/} renders"
    else
        fail "man page ${page##*/}: $warnings"
    fi
done

for daemon in hostmonitor instancemonitor; do
    config=$root/etc/masakari-pcmk/$daemon.toml
    if "$root/usr/bin/masakari-$daemon" check-config --config "$config"; then
        pass "shipped $daemon.toml passes check-config"
    else
        fail "shipped $daemon.toml fails check-config"
    fi

    unit=$root/usr/lib/systemd/system/masakari-$daemon.service
    if grep -qx "ExecStart=/usr/bin/masakari-$daemon run --config /etc/masakari-pcmk/$daemon.toml" "$unit"; then
        pass "${unit##*/} runs the installed daemon with the shipped configuration"
    else
        fail "${unit##*/}'s ExecStart"
    fi
    # systemd-analyze checks the unit against the scratch root's daemon (the host has none installed).
    sed "s|^ExecStart=/usr/bin/|ExecStart=$root/usr/bin/|" "$unit" > "$scratch/${unit##*/}"
    if complaints=$(systemd-analyze verify --man=no "$scratch/${unit##*/}" 2>&1) && [ -z "$complaints" ]; then
        pass "systemd-analyze verify ${unit##*/}"
    else
        fail "systemd-analyze verify ${unit##*/}: $complaints"
    fi
done

# No ipmitool, no Python: the agents speak IPMI and OCF themselves.
requires=$(rpm -qp --requires "${rpms[@]}")
if grep -Eiq 'ipmitool|python' <<<"$requires"; then
    fail "a package requires ipmitool or Python: $(grep -Ei 'ipmitool|python' <<<"$requires")"
else
    pass "no dependency on ipmitool or Python"
fi

# Pacemaker's alert agent must exit 0 at once even when no monitor listens.
alert=$root/usr/libexec/masakari-pcmk/masakari-hostmonitor-alert
if CRM_alert_kind=node CRM_alert_node=compute1 CRM_alert_desc=lost \
    CRM_alert_recipient="$scratch/nobody-listens.sock" "$alert"; then
    pass "alert agent exits 0 with no monitor listening"
else
    fail "alert agent failed with no monitor listening"
fi

# ocf-tester runs start, monitor, stop etc. of each agent against its installed daemon with the
# shipped configuration; only paths (and an endpoint where nothing listens; for the instance monitor
# a libvirt socket where nothing listens) are laid over it as instance attributes.
ocf_params_hostmonitor=(-o config="$root/etc/masakari-pcmk/hostmonitor.toml"
    -o binary="$root/usr/bin/masakari-hostmonitor" -o masakari_endpoint=http://127.0.0.1:9/v1
    -o state_dir="$scratch/state" -o run_dir="$scratch/run" -o log_file="$scratch/hostmonitor.log")
ocf_params_instancemonitor=(-o config="$root/etc/masakari-pcmk/instancemonitor.toml"
    -o binary="$root/usr/bin/masakari-instancemonitor" -o masakari_endpoint=http://127.0.0.1:9/v1
    -o libvirt_uri="qemu+unix:///system?socket=$scratch/no-libvirt.sock"
    -o state_dir="$scratch/state" -o run_dir="$scratch/run" -o log_file="$scratch/instancemonitor.log")
export HA_RSCTMP=$scratch/rsctmp
mkdir -p "$HA_RSCTMP"
for agent in hostmonitor instancemonitor; do
    ocf=$root/usr/lib/ocf/resource.d/masakari/$agent
    declare -n params=ocf_params_$agent
    if [ -x "$ocf" ] && ! readelf -d "$ocf" | grep -q NEEDED; then
        pass "OCF agent $agent is statically linked"
    else
        fail "OCF agent $agent is missing or dynamically linked: $(readelf -d "$ocf" 2>&1 | grep NEEDED | tr -s ' ')"
    fi
    if [ -x "$ocf" ]; then
        ocf_started+=("$agent")
        if ocf-tester -n "$agent" "${params[@]}" "$ocf" > "$scratch/ocf-tester-$agent.log" 2>&1; then
            pass "ocf-tester $agent: $(tail -n 1 "$scratch/ocf-tester-$agent.log")"
        else
            cat "$scratch/ocf-tester-$agent.log" "$scratch/$agent.log" >&2 || true
            fail "ocf-tester $agent"
        fi
    else
        fail "no OCF agent at /usr/lib/ocf/resource.d/masakari/$agent"
    fi
    unset -n params
done

if [ "$failures" -ne 0 ]; then
    echo "rpm-test: $failures check(s) failed" >&2
    exit 1
fi
echo "rpm-test: all checks passed"
