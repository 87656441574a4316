#!/bin/bash
# Cost of one `monitor` call: ocf:masakari:hostmonitor against ocf:heartbeat:anything, both watching
# the same running masakari-hostmonitor, side by side in one hyperfine run.
#
#   cargo build --release -p ocf-agent -p hostmonitor
#   ocf-agent/bench/monitor.sh [RUNS]        (root; writes bench-monitor.json and .md in $OUT or .)
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

hyperfine -N --warmup 20 --runs "$RUNS" \
    --export-json "$OUT/bench-monitor.json" --export-markdown "$OUT/bench-monitor.md" \
    -n "hostmonitor monitor (level 0: PID + status request)" "$AGENT monitor" \
    -n "anything monitor (PID only)" "$ANYTHING monitor" \
    -n "/bin/true (the cost of any exec, for scale)" "/bin/true" \
    -n "anything monitor + monitor_hook (status request)" \
       "env OCF_RESKEY_monitor_hook='$STATUS >/dev/null' $ANYTHING monitor"
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
