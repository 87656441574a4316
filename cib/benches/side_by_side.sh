#!/usr/bin/env bash
# cib/BENCHMARKS.md in one command: ROUNDS rounds (5), each running our parse and query
# (large_cib bench), Python's ElementTree parse and masakari-monitors' ParseCibXml one after
# the other on the same generated CIB, then each round's ratios and the best against the best.
#
#   cib/benches/side_by_side.sh [ROUNDS]
#
# Needs python3; masakari-monitors is installed into a venv ($MM_VENV, /tmp/mmvenv) if absent.
set -euo pipefail
cd "$(dirname "$0")/../.."
rounds=${1:-5}
target=${CARGO_TARGET_DIR:-target}
venv=${MM_VENV:-/tmp/mmvenv}
cib=${CIB_XML:-/tmp/large-cib.xml}

cargo build --quiet --release -p cib --example large_cib
bench="$target/release/examples/large_cib"
[ -s "$cib" ] || "$bench" generate 1000 > "$cib"
[ -x "$venv/bin/python" ] || { python3 -m venv "$venv" && "$venv/bin/pip" install --quiet masakari-monitors; }

# The first "<number> ms" after a label in a report line.
ms_after() { sed -n "s/.*$1[^0-9]*\([0-9.]*\) ms.*/\1/p"; }

results=$(mktemp)
trap 'rm -f "$results"' EXIT
for round in $(seq "$rounds"); do
    ours=$("$bench" bench "$cib" 20)
    etree=$(python3 cib/benches/python_baseline.py etree "$cib")
    masakari=$("$venv/bin/python" cib/benches/python_baseline.py masakari "$cib")
    echo "round $round: $ours"
    echo "round $round: $etree"
    echo "round $round: $masakari"
    printf '%s %s %s %s\n' \
        "$(echo "$ours" | ms_after 'best of 20:')" \
        "$(echo "$ours" | ms_after 'on one thread:')" \
        "$(echo "$etree" | ms_after 'best of 10:')" \
        "$(echo "$masakari" | ms_after 'best of 10:')" >> "$results"
done
awk '
    { printf "round %d: ElementTree %.1fx, masakari-monitors %.1fx slower than ours (two threads); ElementTree %.1fx on one thread\n", NR, $3 / $1, $4 / $1, $3 / $2 }
    NR == 1 || $1 < two { two = $1 }
    NR == 1 || $2 < one { one = $2 }
    NR == 1 || $3 < et { et = $3 }
    NR == 1 || $4 < mm { mm = $4 }
    END { printf "best against best: ElementTree %.1fx, masakari-monitors %.1fx (two threads); ElementTree %.1fx (one thread)\n", et / two, mm / two, et / one }
' "$results"
