#!/bin/bash
# Regenerates the CIB corpus in this directory with Pacemaker's own tools (no cluster needed):
# cibadmin builds the configuration, crm_simulate plays the events and writes the status
# section the way the scheduler and controller would. Run from any directory:
#   bash cib/tests/data/generate.sh
# Every file must then agree with `CIB_file=FILE crm_mon -1 --output-as=xml` (tests/oracle.rs).
set -euo pipefail
out=$(cd "$(dirname "$0")" && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work"

sim() { crm_simulate "$@" >/dev/null 2>&1; }
add() { CIB_file=$1 cibadmin --create -o "$2" --xml-text "$3"; }
# A remote node's own node_state, as the controller writes it once the connection is up.
remote_up() {
    sed -i "s|</status>|<node_state id=\"$2\" uname=\"$2\" remote_node=\"true\" in_ccm=\"true\" crmd=\"online\" node_fenced=\"0\"/></status>|" "$1"
}
dc() { sed -i "s|<cib |<cib dc-uuid=\"$2\" |" "$1"; }
ipmi_device() {  # file id host index
    add "$1" resources "<primitive id=\"$2\" class=\"stonith\" type=\"fence_ipmilan\"><instance_attributes id=\"$2-ia\"><nvpair id=\"$2-hl\" name=\"pcmk_host_list\" value=\"$3\"/><nvpair id=\"$2-ip\" name=\"ip\" value=\"127.0.0.1\"/><nvpair id=\"$2-port\" name=\"ipport\" value=\"$((6230 + $4))\"/><nvpair id=\"$2-user\" name=\"username\" value=\"admin\"/><nvpair id=\"$2-pw\" name=\"password\" value=\"secret$4\"/><nvpair id=\"$2-lp\" name=\"lanplus\" value=\"1\"/><nvpair id=\"$2-c\" name=\"cipher\" value=\"3\"/></instance_attributes><operations><op id=\"$2-mon\" name=\"monitor\" interval=\"60s\"/></operations></primitive>"
}
remote_rsc() {  # file name
    add "$1" resources "<primitive id=\"$2\" class=\"ocf\" provider=\"pacemaker\" type=\"remote\"><instance_attributes id=\"$2-ia\"><nvpair id=\"$2-server\" name=\"server\" value=\"192.0.2.$3\"/><nvpair id=\"$2-ri\" name=\"reconnect_interval\" value=\"60s\"/></instance_attributes><operations><op id=\"$2-mon\" name=\"monitor\" interval=\"10s\"/></operations></primitive>"
}

# Three controllers, two remote computes, one IPMI fence device per host, a fencing topology
# level for cmp2 and an alert.
cibadmin --empty > base.xml
export CIB_file=base.xml
for n in 1 2 3; do add base.xml nodes "<node id=\"$n\" uname=\"ctl$n\"/>"; done
cibadmin --modify -o crm_config --xml-text '<crm_config><cluster_property_set id="cib-bootstrap-options"><nvpair id="opt-stonith" name="stonith-enabled" value="true"/><nvpair id="opt-nqp" name="no-quorum-policy" value="stop"/></cluster_property_set></crm_config>'
remote_rsc base.xml cmp1 11
remote_rsc base.xml cmp2 12
i=0
for h in ctl1 ctl2 ctl3 cmp1 cmp2; do i=$((i + 1)); ipmi_device base.xml "fence-$h" "$h" "$i"; done
add base.xml configuration '<fencing-topology><fencing-level id="fl-cmp2-1" index="1" target="cmp2" devices="fence-cmp2"/><fencing-level id="fl-cmp2-2" index="2" target="cmp2" devices="fence-ctl1,fence-ctl2"/></fencing-topology>'
add base.xml configuration '<alerts><alert id="masakari" path="/usr/lib/masakari-pcmk/alert"><meta_attributes id="masakari-meta"><nvpair id="masakari-ts" name="timestamp-format" value="%s.%06N"/></meta_attributes><recipient id="masakari-r" value="/run/masakari-pcmk/alerts"/></alert></alerts>'
unset CIB_file

# Healthy: controllers up, both remote connections started, remotes seen.
sim -x base.xml -S -u ctl1 -u ctl2 -u ctl3 -q 1 -O healthy-remotes.xml
remote_up healthy-remotes.xml cmp1
remote_up healthy-remotes.xml cmp2
dc healthy-remotes.xml 1

# Remote lost: cmp1's connection monitor fails (not running); fencing not yet run.
sim -x healthy-remotes.xml -i cmp1_monitor_10000@ctl1=7 -O remote-lost.xml
# Fencing in flight: the transition stopped the failed connection but cmp1 is not yet fenced.
sim -x remote-lost.xml -S -F cmp1_stop_0@ctl1=1 -O fencing-in-flight.xml
# Fenced: the whole transition ran, cmp1 fenced; the reconnect interval keeps it down.
sim -x remote-lost.xml -S -O remote-fenced.xml
# crm_simulate does not stamp node_fenced; the controller does (controld_fencing.c).
sed -i 's|uname="cmp1" remote_node="true" in_ccm="false" crmd="offline" node_fenced="0"|uname="cmp1" remote_node="true" in_ccm="false" crmd="offline" node_fenced="1700000100"|' remote-fenced.xml
# Fencing failed / impossible: cmp2 lost with no device able to fence it stays unclean.
cp healthy-remotes.xml nodevice.xml
CIB_file=nodevice.xml cibadmin --delete --xml-text '<primitive id="fence-cmp2"/>'
sim -x nodevice.xml -i cmp2_monitor_10000@ctl2=1 -O fencing-failed.xml
sim -x fencing-failed.xml -S -O fencing-failed-after.xml

# Standby and maintenance, per node, permanent and transient.
cp healthy-remotes.xml standby.xml
CIB_file=standby.xml crm_attribute -N ctl3 -n standby -v on
CIB_file=standby.xml crm_attribute -N cmp2 -n standby -v on -l reboot
cp healthy-remotes.xml maintenance.xml
CIB_file=maintenance.xml crm_attribute -N ctl2 -n maintenance -v true
CIB_file=maintenance.xml crm_attribute -N cmp1 -n maintenance -v true
cp healthy-remotes.xml maintenance-mode.xml
CIB_file=maintenance-mode.xml crm_attribute -n maintenance-mode -v true

# Tickets: resource dep runs on cmp1 and needs ticket T (loss-policy=fence). Granted, nothing
# happens; revoked, cmp1 is to be fenced; in standby, dep only stops.
cp healthy-remotes.xml ticket-base.xml
add ticket-base.xml resources '<primitive id="dep" class="ocf" provider="heartbeat" type="Dummy"/>'
add ticket-base.xml constraints '<rsc_location id="dep-on-cmp1" rsc="dep" node="cmp1" score="INFINITY"/>'
add ticket-base.xml constraints '<rsc_ticket id="dep-needs-t" rsc="dep" ticket="T" loss-policy="fence"/>'
CIB_file=ticket-base.xml crm_ticket -t T -g --force
sim -x ticket-base.xml -S -O ticket-granted.xml
cp ticket-granted.xml ticket-revoked.xml
CIB_file=ticket-revoked.xml crm_ticket -t T -r --force
cp ticket-granted.xml ticket-standby.xml
CIB_file=ticket-standby.xml crm_ticket -t T -s

# Quorum lost: ctl2 and ctl3 gone from ctl1's point of view.
sim -x healthy-remotes.xml -d ctl2 -d ctl3 -q 0 -O quorum-lost.xml
# A controller fails: unclean until fenced, then fenced.
sim -x healthy-remotes.xml -f ctl3 -O controller-lost.xml
sim -x controller-lost.xml -S -O controller-fenced.xml
# A controller joining (pending), and one shutting down.
sed 's|uname="ctl2" in_ccm="true" crmd="online" join="member" expected="member"|uname="ctl2" in_ccm="true" crmd="online" join="pending" expected="member"|' healthy-remotes.xml > controller-pending.xml
cp healthy-remotes.xml controller-shutdown.xml
CIB_file=controller-shutdown.xml crm_attribute -N ctl3 -n shutdown -v 1700000000 -l reboot

# Guest nodes: a VM resource hosting guest node vm1, and a group hosting vm2 (no remotes).
cp base.xml guest-base.xml
for r in cmp1 cmp2 fence-cmp1 fence-cmp2; do
    CIB_file=guest-base.xml cibadmin --delete --xml-text "<primitive id=\"$r\"/>"
done
CIB_file=guest-base.xml cibadmin --delete --xml-text '<fencing-topology/>'
add guest-base.xml resources '<primitive id="vm1-dom" class="ocf" provider="heartbeat" type="Dummy"><meta_attributes id="vm1-dom-meta"><nvpair id="vm1-dom-rn" name="remote-node" value="vm1"/></meta_attributes></primitive>'
add guest-base.xml resources '<group id="vm2-grp"><primitive id="vm2-dom" class="ocf" provider="heartbeat" type="Dummy"><meta_attributes id="vm2-dom-meta"><nvpair id="vm2-dom-rn" name="remote-node" value="vm2"/></meta_attributes></primitive></group>'
sim -x guest-base.xml -S -u ctl1 -u ctl2 -u ctl3 -q 1 -O guest-nodes.xml
remote_up guest-nodes.xml vm1
remote_up guest-nodes.xml vm2
dc guest-nodes.xml 1
sim -x guest-nodes.xml -i vm1-dom_monitor_0@ctl1=7 -i vm1-dom_monitor_10000@ctl1=7 -O guest-lost.xml

# Startup: nothing seen yet (every node unclean under startup-fencing), and fencing disabled.
cp base.xml startup.xml
sed 's|name="stonith-enabled" value="true"|name="stonith-enabled" value="false"|' base.xml > no-fencing.xml
sim -x no-fencing.xml -u ctl1 -q 1 -O no-fencing-one-up.xml

for f in healthy-remotes remote-lost fencing-in-flight remote-fenced fencing-failed fencing-failed-after \
    standby maintenance maintenance-mode ticket-granted ticket-revoked ticket-standby quorum-lost controller-lost controller-fenced controller-pending \
    controller-shutdown guest-nodes guest-lost startup no-fencing-one-up; do
    # Fixed stamps keep regenerations diffable; they lie in the future so that no failure
    # expires (failure-timeout, reconnect_interval) while crm_mon judges the file.
    sed -e 's/ cib-last-written="[^"]*"//' -e 's/ last-rc-change="[^"]*"/ last-rc-change="4000000000"/g' \
        -e 's/ last-run="[^"]*"/ last-run="4000000000"/g' -e 's/ last-granted="[^"]*"/ last-granted="4000000000"/' \
        -e 's/\(name="last-failure-[^"]*" value="\)[0-9]*"/\14000000000"/g' "$f.xml" > "$out/$f.xml"
done
# The same events long ago: failures older than reconnect_interval expire, except a remote
# connection's monitor failure, which waits until the remote is fenced.
for f in remote-lost remote-fenced fencing-in-flight; do
    sed -e 's/ cib-last-written="[^"]*"//' -e 's/ last-rc-change="[^"]*"/ last-rc-change="1700000000"/g' \
        -e 's/ last-run="[^"]*"/ last-run="1700000000"/g' \
        -e 's/\(name="last-failure-[^"]*" value="\)[0-9]*"/\11700000000"/g' "$f.xml" > "$out/$f-long-ago.xml"
done
