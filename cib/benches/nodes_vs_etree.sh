#!/usr/bin/env bash
# BENCHMARKS.md's `nodes` row in one command: ROUNDS rounds (5), each timing the whole
# `masakari-hostmonitor nodes --cib-file` process (start to exit, hyperfine, 30 runs after 5
# warm-ups, no shell) and, right after, Python's ElementTree parse of the same file alone (in
# process, best of 10, cib/benches/python_baseline.py), then each round's ratio and the best
# against the best. The CIB is large_cib's 1,000 remotes with a fence device each.
#
#   cib/benches/nodes_vs_etree.sh [ROUNDS]
set -euo pipefail
cd "$(dirname "$0")/../.."
rounds=${1:-5}
target=${CARGO_TARGET_DIR:-target}
cib=${CIB_XML:-/tmp/large-cib.xml}

cargo build --quiet --release -p cib --example large_cib
cargo build --quiet --release -p hostmonitor --bin masakari-hostmonitor
[ -s "$cib" ] || "$target/release/examples/large_cib" generate 1000 > "$cib"
nodes="$target/release/masakari-hostmonitor nodes --cib-file $cib"

results=$(mktemp)
trap 'rm -f "$results"' EXIT
for round in $(seq "$rounds"); do
    json=$(mktemp)
    hyperfine --style none -N -w 5 -r 30 --export-json "$json" "$nodes" > /dev/null
    ours=$(python3 -c 'import json,sys; r=json.load(open(sys.argv[1]))["results"][0]; print("%.2f %.2f" % (r["min"] * 1000, r["median"] * 1000))' "$json")
    rm -f "$json"
    etree=$(python3 cib/benches/python_baseline.py etree "$cib" | sed -n 's/.*best of 10: \([0-9.]*\) ms.*/\1/p')
    echo "round $round: nodes min/median ${ours// / / } ms; ElementTree parse best of 10: $etree ms"
    echo "$ours $etree" >> "$results"
done
awk '
    { printf "round %d: ElementTree %.1fx the whole nodes command (min), %.1fx (median)\n", NR, $3 / $1, $3 / $2 }
    NR == 1 || $1 < ours { ours = $1 }
    NR == 1 || $3 < et { et = $3 }
    END { printf "best against best: ElementTree %.1fx the whole nodes command\n", et / ours }
' "$results"
