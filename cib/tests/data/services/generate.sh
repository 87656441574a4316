#!/bin/bash
# Writes the CIBs of a cloned service on two nodes in each state the service module tells
# apart, with Pacemaker's own tools (no cluster needed): crm_simulate injects each failure
# (the fail count and last-failure as the controller writes them) and runs the transition
# the scheduler chose. Run from any directory:  bash cib/tests/data/services/generate.sh
# Each file's name says what Pacemaker decided (see the summaries crm_simulate prints).
set -euo pipefail
out=$(cd "$(dirname "$0")" && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work"

sim() { crm_simulate -q true "$@" >/dev/null 2>&1; }
base() {  # file on-fail-of-the-monitor
    CIB_file=$1 cibadmin --empty > "$1"
    export CIB_file=$1
    for n in 1 2; do cibadmin --create -o nodes --xml-text "<node id=\"$n\" uname=\"cmp$n\"/>"; done
    cibadmin --modify -o crm_config --xml-text '<crm_config><cluster_property_set id="o"><nvpair id="o-s" name="stonith-enabled" value="false"/></cluster_property_set></crm_config>'
    cibadmin --create -o resources --xml-text "<clone id=\"nova-clone\"><meta_attributes id=\"c\"><nvpair id=\"c-mt\" name=\"migration-threshold\" value=\"2\"/></meta_attributes><primitive id=\"nova\" class=\"ocf\" provider=\"pacemaker\" type=\"Dummy\"><operations><op id=\"m\" name=\"monitor\" interval=\"10s\" on-fail=\"$2\"/></operations></primitive></clone>"
    unset CIB_file
    sim -x "$1" -S -O "$1" -u cmp1 -u cmp2
    sim -x "$1" -S -O "$1"
}

base running.xml restart
sim -x running.xml -i nova_monitor_10000@cmp1=7 -S -O recovered.xml
sim -x recovered.xml -i nova_monitor_10000@cmp1=7 -S -O threshold-reached.xml
sim -x running.xml -i nova_monitor_10000@cmp1=7 -O failed-unrecovered.xml
base start.xml restart
sim -x start.xml -i nova_stop_0@cmp1=0 -O start.xml
sim -x start.xml -i nova_start_0@cmp1=1 -S -O start-failed.xml
base block.xml block
sim -x block.xml -i nova_monitor_10000@cmp1=7 -S -O blocked.xml
base stop.xml stop
sim -x stop.xml -i nova_monitor_10000@cmp1=7 -S -O stopped-on-failure.xml
# crm_simulate counts an injected failed start as one; the controller writes INFINITY
# (start-failure-is-fatal, the default).
sed -i 's/\(name="fail-count-nova#start_0" value=\)"1"/\1"INFINITY"/' start-failed.xml
# Every timestamp is pinned, so that nothing expires with the day the tests run.
for f in running recovered threshold-reached failed-unrecovered start-failed blocked stopped-on-failure; do
    sed -E 's/(last-rc-change|last-run|execution-date)="[0-9]+"/\1="1900000000"/g; s/(name="last-failure-[^"]*" value=)"[0-9]+"/\1"1900000000"/g' "$f.xml" > "$out/$f.xml"
done
