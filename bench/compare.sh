#!/usr/bin/env bash
# Compares MQTT Hub with Mosquitto on this machine, side by side and interleaved, with the
# project's load tool (src/test/java/com/mqtthub/bench), and writes a table of medians and ratios
# into docs/benchmarks.md.
#
#   bench/compare.sh            # 3 rounds, about 13 minutes on a quiet machine
#   bench/compare.sh --quick    # 1 round, shorter runs, about 5 minutes
#   options: --rounds N, --duration 10s, --warmup 5s, --no-build, --no-doc, --note "text"
#
# Each broker runs on core 0 (taskset), the load tool on core 1; both brokers run all the time
# but only one is measured at a time. Everything listens on 127.0.0.1 only, on free ports, with
# data in a temporary directory that is removed at the end.
set -euo pipefail
cd "$(dirname "$0")/.."
. bench/common.sh

ROUNDS=3
WARMUP=5s
DURATION=10s
IDLE_CLIENTS=5000
RECONNECT_CLIENTS=300
MODE=default
BUILD=1
WRITE_DOC=1
NOTE=""
while [ $# -gt 0 ]; do
  case "$1" in
    --quick) MODE=quick; ROUNDS=1; WARMUP=2s; DURATION=5s; IDLE_CLIENTS=2000; RECONNECT_CLIENTS=150 ;;
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

BROKER_CORE=0
TOOL_CORE=1
if [ "$(nproc --all)" -lt 2 ]; then
  echo "Needs at least 2 cores (one for the broker, one for the load tool)" >&2; exit 1
fi

MOSQUITTO=$(command -v mosquitto || true)
[ -z "$MOSQUITTO" ] && [ -x /usr/sbin/mosquitto ] && MOSQUITTO=/usr/sbin/mosquitto
if [ -z "$MOSQUITTO" ]; then
  echo "Installing mosquitto"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq mosquitto
  MOSQUITTO=/usr/sbin/mosquitto
fi
MOSQUITTO_PASSWD=$(command -v mosquitto_passwd || echo /usr/bin/mosquitto_passwd)

build_tool "$BUILD"

start_work compare

# --- Mosquitto: persistence off, anonymous allowed, one user for the reconnect storm --------------
BENCH_USER=bench
BENCH_PASSWORD="bench-$RANDOM$RANDOM"
MQ_PORT=$(free_port)
"$MOSQUITTO_PASSWD" -b -c "$WORK/mosquitto.passwd" "$BENCH_USER" "$BENCH_PASSWORD" 2>/dev/null
# Mosquitto started as root reads its files as the user "mosquitto".
chmod 755 "$WORK"
if [ "$(id -u)" = 0 ] && id mosquitto >/dev/null 2>&1; then
  chown mosquitto "$WORK/mosquitto.passwd"; chmod 600 "$WORK/mosquitto.passwd"
else
  chmod 644 "$WORK/mosquitto.passwd"
fi
cat > "$WORK/mosquitto.conf" <<EOF
listener $MQ_PORT 127.0.0.1
allow_anonymous true
password_file $WORK/mosquitto.passwd
persistence false
# The hub's Netty listeners send without delay too: compare like with like.
set_tcp_nodelay true
EOF
MQ_START=$(date +%s.%N)
taskset -c "$BROKER_CORE" "$MOSQUITTO" -c "$WORK/mosquitto.conf" > "$WORK/mosquitto.log" 2>&1 &
MQ_PID=$!
PIDS+=("$MQ_PID")
for _ in $(seq 1 100); do
  ss -Htln "sport = :$MQ_PORT" | grep -q . && break
  sleep 0.1
done
MQ_READY=$(date +%s.%N)
kill -0 "$MQ_PID" || { cat "$WORK/mosquitto.log"; exit 1; }

# --- The hub: the packaged jar with its defaults, anonymous allowed, own ports and data ---------
HUB_START=$(date +%s.%N)
# As users start it: packaging/mqtt-hub.sh with the memory budget of packaging/jvm.options.
HUB_SHIPPED=1 start_hub "$WORK" "$BROKER_CORE"
HUB_READY=$(date +%s.%N)
allow_anonymous_bench

sleep 2
# Memory at rest and time from launch to serving, one JSON line per broker.
at_rest() { printf '{"label":"%s","scenario":"at-rest","rss_mb":%s,"startup_s":%s}\n' "$1" "$(rss_mb "$2")" \
  "$(awk "BEGIN { printf \"%.2f\", $4 - $3 }")"; }
at_rest mosquitto "$MQ_PID" "$MQ_START" "$MQ_READY" >> "$RUNS"
at_rest hub "$HUB_PID" "$HUB_START" "$HUB_READY" >> "$RUNS"

SCENARIOS=(
  "--scenario pairs --qos 1 --warmup $WARMUP --duration $DURATION"
  "--scenario fan-out --qos 0 --warmup $WARMUP --duration $DURATION"
  "--scenario fan-in --qos 0 --warmup $WARMUP --duration $DURATION"
  "--scenario fan-in --qos 1 --warmup $WARMUP --duration $DURATION"
  "--scenario pairs --qos 1 --rate 5000 --warmup $WARMUP --duration $DURATION"
  "--scenario idle --clients $IDLE_CLIENTS --concurrency 100 --duration 3s"
  "--scenario reconnect --clients $RECONNECT_CLIENTS --concurrency 50 --duration 1s"
)
STARTED=$(date +%s)
RUN_INDEX=0
for round in $(seq 1 "$ROUNDS"); do
  for scenario in "${SCENARIOS[@]}"; do
    # Alternate which broker goes first, so that neither always gets the warmer machine.
    RUN_INDEX=$((RUN_INDEX + 1))
    if [ $((RUN_INDEX % 2)) = 0 ]; then order="mosquitto hub"; else order="hub mosquitto"; fi
    for broker in $order; do
      echo "== round $round/$ROUNDS, $broker: $scenario"
      creds=()
      if [[ "$scenario" == *reconnect* ]]; then
        if [ "$broker" = hub ]; then creds=(--username admin --password "$HUB_PASSWORD");
        else creds=(--username "$BENCH_USER" --password "$BENCH_PASSWORD"); fi
      fi
      if [ "$broker" = hub ]; then
        # shellcheck disable=SC2086
        tool "$TOOL_CORE" hub "$HUB_PORT" "$HUB_PID" $scenario "${creds[@]}"
      else
        # shellcheck disable=SC2086
        tool "$TOOL_CORE" mosquitto "$MQ_PORT" "$MQ_PID" $scenario "${creds[@]}"
      fi
      kill -0 "$HUB_PID" && kill -0 "$MQ_PID"
    done
  done
done

# The resident memory of a JVM hardly moves with connections whose objects fit in heap it has
# already committed, so for the hub also count the heap in use after a full GC, without and
# with the idle clients connected.
if command -v jcmd >/dev/null; then
  echo "== heap per idle connection of the hub ($IDLE_CLIENTS clients)"
  HEAP_BEFORE=$(heap_used_kb "$HUB_PID")
  taskset -c "$TOOL_CORE" "$JAVA" -Xms512m -Xmx1g -XX:+UseParallelGC -cp "$CP" com.mqtthub.bench.Bench --label hub \
    --port "$HUB_PORT" --scenario idle --clients "$IDLE_CLIENTS" --concurrency 100 --duration 20s > "$WORK/heap-run.txt" 2>&1 &
  HEAP_TOOL=$!
  PIDS+=("$HEAP_TOOL")
  deadline=$(( $(date +%s) + 120 ))
  until [ "$(ss -Htn state established "dport = :$HUB_PORT" | wc -l)" -ge "$IDLE_CLIENTS" ] \
      || [ "$(date +%s)" -ge "$deadline" ] || ! kill -0 "$HEAP_TOOL" 2>/dev/null; do
    sleep 0.5
  done
  CONNECTED=$(ss -Htn state established "dport = :$HUB_PORT" | wc -l)
  HEAP_WITH=$(heap_used_kb "$HUB_PID")
  wait "$HEAP_TOOL" || true
  if [ "$CONNECTED" -gt 0 ] && [ "$HEAP_BEFORE" -gt 0 ]; then
    printf '{"label":"hub","scenario":"idle-heap","clients":%s,"heap_before_kb":%s,"heap_with_kb":%s,"heap_per_connection_kb":%s}\n' \
      "$CONNECTED" "$HEAP_BEFORE" "$HEAP_WITH" "$(awk "BEGIN { printf \"%.2f\", ($HEAP_WITH - $HEAP_BEFORE) / $CONNECTED }")" >> "$RUNS"
    tail -1 "$RUNS"
  fi
fi
ELAPSED=$(( $(date +%s) - STARTED ))

STAMP=$(date -u +%Y-%m-%dT%H%MZ)
OUT="target/bench/compare-$STAMP"
mkdir -p "$OUT"
cp "$RUNS" "$OUT/runs.jsonl"
cp "$WORK/hub.log" "$OUT/hub.log"
TABLE=$("$JAVA" -cp "$CP" com.mqtthub.bench.CompareTable "$RUNS")
CPU_MODEL=$(lscpu 2>/dev/null | sed -n 's/^Model name:[[:space:]]*//p' | head -1)
MEM_GB=$(awk '/MemTotal/ { printf "%.0f", $2 / 1048576 }' /proc/meminfo)
LOAD=$(cut -d' ' -f1-3 /proc/loadavg)
SECTION="$OUT/section.md"
{
  echo "### $(date -u '+%Y-%m-%d %H:%M') UTC, commit $(git rev-parse --short HEAD), $MODE mode"
  echo
  echo "Machine: $(nproc --all) cores (${CPU_MODEL:-unknown CPU}), ${MEM_GB} GiB, $("$JAVA" -version 2>&1 | head -1)," \
       "$("$MOSQUITTO" -h 2>&1 | head -1 | sed 's/ (build.*//'), load average at the end $LOAD." \
       "Brokers on core $BROKER_CORE, load tool on core $TOOL_CORE; $ROUNDS round(s), warm-up $WARMUP, $DURATION measured" \
       "per message run; $IDLE_CLIENTS idle clients; $RECONNECT_CLIENTS reconnecting clients 50 at a time; ${ELAPSED} s in all."
  echo "The hub, started by packaging/mqtt-hub.sh (\`$(grep -v '^#' packaging/jvm.options | tr '\n' ' ' | sed 's/ $//')\`${HUB_JAVA_OPTS:+ then \`$HUB_JAVA_OPTS\`}): \`${HUB_STARTED_LINE}\`."
  [ -n "$NOTE" ] && { echo; echo "$NOTE"; }
  echo
  echo "Command: \`bench/compare.sh$( [ "$MODE" = quick ] && echo " --quick") --rounds $ROUNDS\`"
  echo
  echo "$TABLE"
  echo
} > "$SECTION"
cat "$SECTION"
echo "Raw runs: $OUT/runs.jsonl"

if [ "$WRITE_DOC" = 1 ]; then
  add_run_to_doc bench/compare.sh "Side by side with Mosquitto" "$SECTION" "$OUT"
fi
