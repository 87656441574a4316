#!/usr/bin/env bash
# Captures real CIBs (cibadmin --query) and crm_mon views (crm_mon --output-as=xml) of a lab whose
# computes run a nova-compute clone (--services), in each state a compute service goes through, for
# the cib crate's process corpus (cib/tests/data/process/).
# Usage: capture-process-cibs.sh OUT_DIR [LAB_BINARY]  (needs root, `make deps`, a built masakari-lab;
# run under the lab lock: flock -o /tmp/masakari-lab.lock ...)
set -euo pipefail
out=${1:?usage: capture-process-cibs.sh OUT_DIR [LAB_BINARY]}
lab=${2:-target/debug/masakari-lab}
name=pcap
mkdir -p "$out"
cleanup() { "$lab" --name "$name" down || true; }
trap cleanup EXIT
on() { "$lab" --name "$name" exec ctl1 -- "$@"; }
save() {
    on cibadmin --query > "$out/$1.cib.xml"
    on crm_mon -1 --output-as=xml > "$out/$1.crm_mon.xml"
    echo "captured $1"
}
# Waits (at most 120 s) until the shell condition "$1" holds.
until_true() {
    for _ in $(seq 240); do
        if eval "$1"; then return 0; fi
        sleep 0.5
    done
    echo "timed out waiting for: $1" >&2
    return 1
}
located() { on crm_resource --locate -r nova-compute-clone 2>/dev/null | grep -c "running on: $1\$" || true; }
failcount() { on crm_failcount --query -r nova-compute -N "$1" 2>/dev/null | sed -n 's/.*value=//p'; }
pid() { "$lab" --name "$name" exec "$1" -- cat /run/nova-compute.pid 2>/dev/null || true; }
# Kills the service on $1 and waits until Pacemaker has started it again (a new PID that runs).
kill_restarted() {
    local old
    old=$(pid "$1")
    "$lab" --name "$name" service "$1" kill
    until_true "p=\$(pid $1); [ -n \"\$p\" ] && [ \"\$p\" != $old ] && \"$lab\" --name $name exec $1 -- kill -0 \$p"
    sleep 1
}

"$lab" --name "$name" up --computes 2 --reboot-action off --services
until_true '[ "$(located compute1)" = 1 ] && [ "$(located compute2)" = 1 ]'
sleep 3
save all-running

kill_restarted compute1
sleep 1
save killed-once-restarted

kill_restarted compute1
"$lab" --name "$name" service compute1 kill
until_true '[ "$(failcount compute1)" = 3 ] && [ "$(located compute1)" = 0 ]'
sleep 2
save threshold-reached-banned

on crm_resource --cleanup -r nova-compute -N compute1 > /dev/null
until_true '[ "$(located compute1)" = 1 ]'
sleep 2
save cleaned-up-running

"$lab" --name "$name" service compute2 break
until_true '[ "$(failcount compute2)" = INFINITY ] && [ "$(located compute2)" = 0 ]'
sleep 2
save start-failed-fatal

"$lab" --name "$name" service compute2 mend
on crm_resource --cleanup -r nova-compute -N compute2 > /dev/null
until_true '[ "$(located compute2)" = 1 ]'
on pcs resource update nova-compute op monitor interval=5s timeout=20s on-fail=block
sleep 3
"$lab" --name "$name" service compute2 kill
until_true 'on crm_mon -1 --output-as=xml | grep -q "id=\"nova-compute\".*blocked=\"true\""'
sleep 2
save monitor-failed-blocked
on pcs resource update nova-compute op monitor interval=5s timeout=20s
on crm_resource --cleanup -r nova-compute -N compute2 > /dev/null
until_true '[ "$(located compute2)" = 1 ] && [ "$(located compute1)" = 1 ]'

"$lab" --name "$name" kill-remoted compute1
sleep 1
save compute-lost-with-service
"$lab" --name "$name" wait fenced compute1
"$lab" --name "$name" wait offline compute1
sleep 2
save compute-fenced-with-service
"$lab" --name "$name" down

"$lab" --name "$name" up --controllers 3 --computes 1 --reboot-action off --services
until_true '[ "$(located compute1)" = 1 ]'
"$lab" --name "$name" kill-controller ctl3
"$lab" --name "$name" kill-controller ctl2
# ctl1 alone has no quorum: no-quorum-policy=stop (the default) stops every resource, the
# compute's connection and its service too.
until_true '[ "$(located compute1)" = 0 ]'
sleep 3
save quorum-lost-service-stopped
sed -i -E 's/(name="password" value=")[0-9a-f]{16}"/\1redacted-lab-password"/' "$out"/*.xml
