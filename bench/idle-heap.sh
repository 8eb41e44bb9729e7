#!/usr/bin/env bash
# What an idle MQTT connection holds in the hub's heap, by class.
#
#   bench/idle-heap.sh                      # 5,000 idle clients
#   options: --clients N (1 to 50000), --no-build, --top N (rows of the table, default 40)
#
# Starts the packaged hub (bench/common.sh: anonymous allowed, free loopback ports, data in a
# temporary directory), takes a class histogram of the live heap (jmap -histo:live, which runs a
# full collection first), connects N idle clients with the load tool's `idle` scenario, waits
# until all of them are established, takes a second histogram and prints the difference per
# connection, largest first. The total is the heap per idle connection after a full collection.
set -euo pipefail
cd "$(dirname "$0")/.."
. bench/common.sh

CLIENTS=5000
BUILD=1
TOP=40
while [ $# -gt 0 ]; do
  case "$1" in
    --clients) CLIENTS="$2"; shift ;;
    --no-build) BUILD=0 ;;
    --top) TOP="$2"; shift ;;
    *) echo "Unknown option $1 (see the head of $0)" >&2; exit 2 ;;
  esac
  shift
done
if ! [[ "$CLIENTS" =~ ^[1-9][0-9]{0,4}$ ]] || [ "$CLIENTS" -gt 50000 ]; then
  echo "--clients must be 1 to 50000" >&2; exit 2
fi
if ! [[ "$TOP" =~ ^[1-9][0-9]{0,2}$ ]]; then
  echo "--top must be 1 to 999" >&2; exit 2
fi
command -v jmap >/dev/null || { echo "Needs jmap (a JDK)" >&2; exit 1; }

PIDS=()
WORK=$(mktemp -d /tmp/mqtthub-idle-heap.XXXXXX)
cleanup() {
  for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$WORK"
}
trap cleanup EXIT

build_tool "$BUILD"
start_hub "$WORK" 0-$(( $(nproc --all) - 1 ))
echo "The hub: $HUB_STARTED_LINE"
sleep 5
jmap -histo:live "$HUB_PID" > "$WORK/before.txt"

# Held a good while longer than it takes to connect them; the second histogram is taken as soon as
# all are established.
"$JAVA" -Xms256m -Xmx1g -cp "$CP" com.mqtthub.bench.Bench --label hub --port "$HUB_PORT" \
  --scenario idle --clients "$CLIENTS" --concurrency 100 --duration 120s > "$WORK/tool.txt" 2>&1 &
TOOL=$!
PIDS+=("$TOOL")
deadline=$(( $(date +%s) + 300 ))
until [ "$(ss -Htn state established "dport = :$HUB_PORT" | wc -l)" -ge "$CLIENTS" ]; do
  if [ "$(date +%s)" -ge "$deadline" ] || ! kill -0 "$TOOL" 2>/dev/null; then
    cat "$WORK/tool.txt" >&2
    echo "Only $(ss -Htn state established "dport = :$HUB_PORT" | wc -l) of $CLIENTS clients connected" >&2
    exit 1
  fi
  sleep 0.5
done
# Let the CONNACKs and the session loops' work finish.
sleep 5
jmap -histo:live "$HUB_PID" > "$WORK/with.txt"

echo "Commit $(git rev-parse --short HEAD), $CLIENTS idle clients, load average $(cut -d' ' -f1-3 /proc/loadavg)"
awk -v n="$CLIENTS" -v totals="$WORK/total.txt" '
  FNR == 1 { file++ }
  $1 ~ /^[0-9]+:$/ { count[file, $4] = $2; bytes[file, $4] = $3; names[$4] = 1 }
  END {
    for (c in names) {
      d = bytes[2, c] - bytes[1, c]
      total += d
      if (d != 0) { printf "%d\t%.2f\t%s\n", d, (count[2, c] - count[1, c]) / n, c }
    }
    printf "heap per idle connection: %.0f bytes (%.2f KB)\n", total / n, total / n / 1024 > totals
  }' "$WORK/before.txt" "$WORK/with.txt" | sort -rn > "$WORK/rows.txt"
cat "$WORK/total.txt"
echo "bytes/conn  objects/conn  class"
head -n "$TOP" "$WORK/rows.txt" | awk -v n="$CLIENTS" -F'\t' '{ printf "%10.1f  %12s  %s\n", $1 / n, $2, $3 }'
