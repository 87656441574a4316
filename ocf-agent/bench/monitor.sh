#!/bin/bash
# Cost of one `monitor` call: ocf:masakari:hostmonitor against ocf:heartbeat:anything, both watching
# the same running masakari-hostmonitor, side by side in one hyperfine run.
#
#   make build        (the daemon, and the agent alone, statically linked: see the Makefile), or
#   cargo build --release -p hostmonitor --bins
#   cargo rustc --release -p ocf-agent --bin ocf-hostmonitor -- -C target-feature=+crt-static
#   ocf-agent/bench/monitor.sh [RUNS]        (root; writes bench-monitor.json and .md in $OUT or .)
#
# DYNAMIC_AGENT=<path> adds a row for a dynamically linked agent (as `cargo build --workspace`
# builds it) to the same run.
#
# The daemon runs with sockets, state and logs in a temporary directory and an unreachable
# Masakari endpoint; it is started by our agent and stopped (by PID) on exit. Levels 10 and 20 of
# our monitor judge more fields of the same status answer, so they cost what level 0 costs (and
# fail here, where there is no cluster to read).
set -euo pipefail
RUNS=${1:-300}
AGENT=$(realpath "${AGENT:-target/release/ocf-hostmonitor}")
DAEMON=$(realpath "${DAEMON:-target/release/masakari-hostmonitor}")
ANYTHING=/usr/lib/ocf/resource.d/heartbeat/anything
DYNAMIC_AGENT=${DYNAMIC_AGENT:+$(realpath "$DYNAMIC_AGENT")}
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
for cmd in "$AGENT monitor" "$ANYTHING monitor"; do
    $cmd || { echo "$cmd failed: $?" >&2; exit 1; }
done
OCF_RESKEY_monitor_hook="$STATUS >/dev/null" "$ANYTHING" monitor

dynamic=()
if [ -n "$DYNAMIC_AGENT" ]; then
    "$DYNAMIC_AGENT" monitor || { echo "$DYNAMIC_AGENT monitor failed: $?" >&2; exit 1; }
    dynamic=(-n "hostmonitor monitor, dynamically linked" "$DYNAMIC_AGENT monitor")
fi
echo "agent: $(file -b "$AGENT" | grep -Eo '(static-pie|statically|dynamically) linked')"

# The hook is set for the whole run (hyperfine -N has no per-command environment); the PID-only
# row unsets it through env(1), so that row, not the comparison, pays for the extra exec.
export OCF_RESKEY_monitor_hook="$STATUS >/dev/null"
hyperfine -N --warmup 20 --runs "$RUNS" \
    --export-json "$OUT/bench-monitor.json" --export-markdown "$OUT/bench-monitor.md" \
    -n "hostmonitor monitor (level 0: PID + status request)" "$AGENT monitor" \
    "${dynamic[@]}" \
    -n "anything monitor + monitor_hook (status request)" "$ANYTHING monitor" \
    -n "anything monitor (PID only, through env -u)" \
       "env -u OCF_RESKEY_monitor_hook $ANYTHING monitor" \
    -n "/bin/true (the cost of any exec, for scale)" "/bin/true"
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
