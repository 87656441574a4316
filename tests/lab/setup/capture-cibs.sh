#!/usr/bin/env bash
# Captures real CIBs from a lab in interesting states, for the cib crate's corpus and its crm_mon oracle.
# Usage: capture-cibs.sh OUT_DIR  (needs `make deps` and a built target/release/masakari-lab)
set -euo pipefail
out=${1:?usage: capture-cibs.sh OUT_DIR}
lab=target/release/masakari-lab
name=cibcap
mkdir -p "$out"
cleanup() { "$lab" --name "$name" down || true; }
trap cleanup EXIT
save() { "$lab" --name "$name" exec ctl1 -- cibadmin --query > "$out/$1.xml"; echo "captured $1"; }

"$lab" --name "$name" up --computes 3 --reboot-action off
save healthy-1ctl-3remotes
"$lab" --name "$name" exec ctl1 -- crm_attribute --node compute2 --name standby --update on --lifetime forever
"$lab" --name "$name" exec ctl1 -- crm_attribute --node compute3 --name maintenance --update true
sleep 3
save remote-standby-and-maintenance
"$lab" --name "$name" bmc compute1 freeze
"$lab" --name "$name" kill-remoted compute1
sleep 2
save remote-lost-fencing-in-flight
sleep 40
save remote-lost-fencing-failed
"$lab" --name "$name" bmc compute1 thaw
"$lab" --name "$name" wait fenced compute1
"$lab" --name "$name" wait offline compute1
save remote-fenced-off
"$lab" --name "$name" down

"$lab" --name "$name" up --controllers 3 --computes 1 --reboot-action off
save healthy-3ctl-1remote
"$lab" --name "$name" kill-controller ctl3
"$lab" --name "$name" wait fenced ctl3
save controller-lost-fenced
"$lab" --name "$name" kill-controller ctl2
sleep 6
save quorum-lost
sed -i -E 's/(name="password" value=")[0-9a-f]{16}"/\1redacted-lab-password"/' "$out"/*.xml
