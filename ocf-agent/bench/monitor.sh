#!/bin/bash
# Cost of one `monitor` call: ocf:masakari:hostmonitor against ocf:heartbeat:anything, both watching
# the same running masakari-hostmonitor, side by side in one hyperfine run, then once more in
# turn (interleaved.py), which a load changing during the run cannot tilt.
#
#   make build        (the daemon, and the agent alone, statically linked: see the Makefile), or
#   cargo build --release -p hostmonitor --bins
#   cargo rustc --release -p ocf-agent --bin ocf-hostmonitor -- -C target-feature=+crt-static
#   ocf-agent/bench/monitor.sh [RUNS]        (root; writes bench-monitor.json and .md in $OUT or .)
#
# MORE_AGENTS="path ..." adds a row for each other build of the agent (a dynamically linked one, as
# `cargo build --workspace` builds it, or an older commit's) to the same runs.
#
# The daemon runs with sockets, state and logs in a temporary directory and an unreachable
# Masakari endpoint; it is started by our agent and stopped (by PID) on exit. Levels 10 and 20 of
# our monitor judge more fields of the same status answer, so they cost what level 0 costs (and
# fail here, where there is no cluster to read).
set -euo pipefail
RUNS=${1:-300}
HERE=$(dirname "$(realpath "$0")")
AGENT=$(realpath "${AGENT:-target/release/ocf-hostmonitor}")
DAEMON=$(realpath "${DAEMON:-target/release/masakari-hostmonitor}")
ANYTHING=/usr/lib/ocf/resource.d/heartbeat/anything
OUT=${OUT:-.}
T=$(mktemp -d /tmp/ocf-bench.XXXXXX)

cat > "$T/hostmonitor.toml" <<TOML
[masakari]
endpoint = "http://127.0.0.1:9/v1"
request_timeout = 1
[metrics]
listen = ""
TOML

export OCF_ROOT=/usr/lib/ocf OCF_RESOURCE_INSTANCE=hm HA_RSCTMP="$T/rsctmp" HA_LOGFACILITY=none \
    HA_LOGFILE="$T/agent.log" OCF_RESKEY_CRM_meta_interval=10000 OCF_RESKEY_CRM_meta_timeout=20000
export OCF_RESKEY_config="$T/hostmonitor.toml" OCF_RESKEY_binary="$DAEMON" \
    OCF_RESKEY_state_dir="$T/state" OCF_RESKEY_run_dir="$T/run" OCF_RESKEY_log_file="$T/daemon.log"
# ocf:heartbeat:anything's own parameters, pointed at the same daemon.
export OCF_RESKEY_binfile="$DAEMON" OCF_RESKEY_pidfile="$T/anything.pid"
STATUS="$DAEMON status --config $T/hostmonitor.toml --set paths.control_socket=$T/run/control.sock"

cleanup() { "$AGENT" stop >/dev/null 2>&1 || true; rm -rf "$T"; }
trap cleanup EXIT

"$AGENT" start
head -1 "$HA_RSCTMP/masakari-hostmonitor-hm.pid" > "$OCF_RESKEY_pidfile"
# The hook is set for the whole run (hyperfine -N has no per-command environment); the PID-only
# row unsets it through env(1), so that row, not the comparison, pays for the extra exec.
export OCF_RESKEY_monitor_hook="$STATUS >/dev/null"

names=("hostmonitor monitor (level 0: PID + status request)")
commands=("$AGENT monitor")
for other in ${MORE_AGENTS:-}; do
    names+=("hostmonitor monitor, $(realpath "$other")")
    commands+=("$(realpath "$other") monitor")
done
names+=("anything monitor + monitor_hook (status request)" "anything monitor (PID only, through env -u)"
        "/bin/true (the cost of any exec, for scale)")
commands+=("$ANYTHING monitor" "env -u OCF_RESKEY_monitor_hook $ANYTHING monitor" "/bin/true")

for cmd in "${commands[@]}"; do
    $cmd || { echo "$cmd failed: $?" >&2; exit 1; }
done
for agent in "$AGENT" ${MORE_AGENTS:-}; do
    echo "$agent: $(file -b "$(realpath "$agent")" | grep -Eo '(static-pie|statically|dynamically) linked')"
done

rows=()
for i in "${!commands[@]}"; do rows+=(-n "${names[$i]}" "${commands[$i]}"); done
uptime
hyperfine -N --warmup 20 --runs "$RUNS" \
    --export-json "$OUT/bench-monitor.json" --export-markdown "$OUT/bench-monitor.md" "${rows[@]}"
uptime

python3 - "$OUT/bench-monitor.json" <<'PY'
import json, sys
rows = json.load(open(sys.argv[1]))["results"]
base = rows[0]
print("| command | wall mean | wall median | CPU (user+sys) | wall vs ours L0 | CPU vs ours L0 |")
print("|---|---|---|---|---|---|")
for r in rows:
    cpu = r["user"] + r["system"]
    bcpu = base["user"] + base["system"]
    print(f"| {r['command']} | {r['mean']*1e3:.2f} ms | {r['median']*1e3:.2f} ms | {cpu*1e3:.2f} ms "
          f"| {r['mean']/base['mean']:.1f}x | {cpu/bcpu:.1f}x |")
PY

echo
"$HERE/interleaved.py" "$RUNS" "${commands[@]}"
uptime
