#!/usr/bin/env bash
# Measures MQTT over WebSocket through the same-origin endpoint on the web port (/mqtt, relayed
# by the web server to the broker) beside the broker's own WebSocket listener and plain TCP, with
# the project's load tool, interleaved, and writes the tables of medians into docs/benchmarks.md.
#
#   bench/relay.sh              # 3 rounds, about 6 minutes on a quiet machine
#   options: --rounds N, --duration 10s, --warmup 5s, --no-build, --no-doc, --note "text"
#
# The packaged hub (started as shipped, anonymous clients allowed for bench/#) runs on core 0, the load
# tool on core 1; loopback only, free ports, data in a temporary directory removed at the end.
set -euo pipefail
cd "$(dirname "$0")/.."
. bench/common.sh

ROUNDS=3
WARMUP=5s
DURATION=10s
BUILD=1
WRITE_DOC=1
NOTE=""
while [ $# -gt 0 ]; do
  case "$1" in
    --rounds) ROUNDS="$2"; shift ;;
    --duration) DURATION="$2"; shift ;;
    --warmup) WARMUP="$2"; shift ;;
    --no-build) BUILD=0 ;;
    --no-doc) WRITE_DOC=0 ;;
    --note) NOTE="$2"; shift ;;
    *) echo "Unknown option $1 (see the head of $0)" >&2; exit 2 ;;
  esac
  shift
done
if ! [[ "$ROUNDS" =~ ^[1-9]$ ]]; then
  echo "--rounds must be 1 to 9" >&2; exit 2
fi
if [ "$(nproc --all)" -lt 2 ]; then
  echo "Needs at least 2 cores (one for the hub, one for the load tool)" >&2; exit 1
fi

build_tool "$BUILD"
start_work relay
STARTED=$(date +%s)
# As users start it: packaging/mqtt-hub.sh with the memory budget of packaging/jvm.options.
HUB_SHIPPED=1 start_hub "$WORK" 0
allow_anonymous_bench
echo "The hub: TCP $HUB_PORT, WebSocket listener $HUB_WS, web port $HUB_WEB"

# port_of LABEL: where the load tool connects for that transport.
port_of() {
  case "$1" in
    tcp) echo "$HUB_PORT" ;;
    ws) echo "$HUB_WS" ;;
    relay) echo "$HUB_WEB" ;;
  esac
}

LABELS=(tcp ws relay)
for round in $(seq 1 "$ROUNDS"); do
  echo "Round $round of $ROUNDS"
  # Each round starts with another transport, so that none always meets a warmer JVM.
  shift_by=$(( (round - 1) % 3 ))
  order=("${LABELS[@]:$shift_by}" "${LABELS[@]:0:$shift_by}")
  for rate in 0 5000; do
    for label in "${order[@]}"; do
      ws=()
      [ "$label" != tcp ] && ws=(--ws-path /mqtt)
      tool 1 "$label" "$(port_of "$label")" "$HUB_PID" "${ws[@]}" --scenario pairs --qos 1 --rate "$rate" \
        --warmup "$WARMUP" --duration "$DURATION"
    done
  done
done
ELAPSED=$(( $(date +%s) - STARTED ))

STAMP=$(date -u +%Y-%m-%dT%H%MZ)
OUT="target/bench/relay-$STAMP"
mkdir -p "$OUT"
cp "$RUNS" "$OUT/runs.jsonl"
SECTION="$OUT/section.md"
{
  echo "### $(date -u '+%Y-%m-%d %H:%M') UTC, commit $(git rev-parse --short HEAD)"
  echo
  echo "$(nproc --all) cores, $("$JAVA" -version 2>&1 | head -1), load average at the end $(cut -d' ' -f1-3 /proc/loadavg);" \
       "hub on core 0, load tool on core 1; $ROUNDS round(s), warm-up $WARMUP, $DURATION measured per run; ${ELAPSED} s in all."
  [ -n "$NOTE" ] && { echo; echo "$NOTE"; }
  echo
  echo "Command: \`bench/relay.sh --rounds $ROUNDS\`. The same-origin endpoint (\`relay\`) against the broker's own WebSocket listener (\`ws\`):"
  echo
  "$JAVA" -cp "$CP" com.mqtthub.bench.CompareTable "$RUNS" ws relay
  echo
  echo "The broker's own WebSocket listener (\`ws\`) against plain TCP (\`tcp\`):"
  echo
  "$JAVA" -cp "$CP" com.mqtthub.bench.CompareTable "$RUNS" tcp ws
  echo
} > "$SECTION"
cat "$SECTION"
echo "Raw runs: $OUT/runs.jsonl"

if [ "$WRITE_DOC" = 1 ]; then
  add_run_to_doc bench/relay.sh "Same-origin endpoint against the WebSocket listener: \`bench/relay.sh\`" "$SECTION" "$OUT"
fi
