#!/usr/bin/env bash
# Measures the hub's bridge against a Mosquitto-to-Mosquitto bridge on this machine, with the
# project's load tool (publishers at the bridging broker, subscribers at the remote), and writes
# the results into docs/benchmarks.md ("Bridge").
#
#   bench/bridge.sh            # 3 rounds, a 10-minute outage of each remote: about 30 minutes
#   bench/bridge.sh --quick    # 1 round, short runs, a 60 s outage: about 6 minutes
#   options: --rounds N, --duration 10s, --warmup 3s, --rate 5000 (the fixed-rate run),
#            --outage 10m, --outage-rate 1000, --sample 30s, --no-throughput,
#            --no-mosquitto-outage, --no-build, --no-doc, --note "text"
#
# Three brokers on 127.0.0.1, free ports, data in a temporary directory removed at the end:
#  - the remote: Mosquitto with persistence, so that it keeps the subscribers' sessions across
#    the outage (it is stopped with SIGTERM, which writes its store, and started again);
#  - the hub (packaged jar, defaults, anonymous allowed) with a bridge "out" of bench/# at QoS 1;
#  - a second Mosquitto with a bridge of bench/# out at QoS 1 to the same remote.
# The brokers run on core 0, the load tool on core 1. Throughput runs alternate hub and Mosquitto.
# The outage: 1 publisher at --outage-rate, QoS 1, into the bridging broker; the remote is stopped
# for --outage while the hub's heap after a full GC, its RSS and the bridge's queue are sampled
# every --sample; then the remote is started again, and the time until the queue is empty and
# until the subscriber at the remote has every acknowledged message is measured.
set -euo pipefail
cd "$(dirname "$0")/.."
. bench/common.sh

ROUNDS=3
WARMUP=3s
DURATION=10s
FIXED_RATE=5000
PAIRS=10
OUTAGE=10m
OUTAGE_RATE=1000
SAMPLE=30
MODE=default
THROUGHPUT=1
MOSQUITTO_OUTAGE=1
BUILD=1
WRITE_DOC=1
NOTE=""
COMMAND="bench/bridge.sh $*"
while [ $# -gt 0 ]; do
  case "$1" in
    --quick) MODE=quick; ROUNDS=1; WARMUP=2s; DURATION=5s; OUTAGE=60s; SAMPLE=10 ;;
    --rounds) ROUNDS="$2"; shift ;;
    --duration) DURATION="$2"; shift ;;
    --warmup) WARMUP="$2"; shift ;;
    --rate) FIXED_RATE="$2"; shift ;;
    --outage) OUTAGE="$2"; shift ;;
    --outage-rate) OUTAGE_RATE="$2"; shift ;;
    --sample) SAMPLE="${2%s}"; shift ;;
    --no-throughput) THROUGHPUT=0 ;;
    --no-mosquitto-outage) MOSQUITTO_OUTAGE=0 ;;
    --no-build) BUILD=0 ;;
    --no-doc) WRITE_DOC=0 ;;
    --note) NOTE="$2"; shift ;;
    *) echo "Unknown option $1 (see the head of $0)" >&2; exit 2 ;;
  esac
  shift
done
case "$OUTAGE" in
  *m) OUTAGE_S=$(( ${OUTAGE%m} * 60 )) ;;
  *s) OUTAGE_S=${OUTAGE%s} ;;
  *) OUTAGE_S=$OUTAGE ;;
esac
[[ "$ROUNDS" =~ ^[1-9]$ ]] || { echo "--rounds must be 1 to 9" >&2; exit 2; }
[[ "$OUTAGE_S" =~ ^[0-9]+$ ]] && [ "$OUTAGE_S" -ge 10 ] && [ "$OUTAGE_S" -le 3600 ] \
  || { echo "--outage must be 10s to 60m" >&2; exit 2; }
[[ "$SAMPLE" =~ ^[0-9]+$ ]] && [ "$SAMPLE" -ge 5 ] && [ "$SAMPLE" -le 600 ] \
  || { echo "--sample must be 5s to 600s" >&2; exit 2; }
[[ "$OUTAGE_RATE" =~ ^[0-9]+$ ]] && [ "$OUTAGE_RATE" -ge 1 ] && [ "$OUTAGE_RATE" -le 20000 ] \
  || { echo "--outage-rate must be 1 to 20000" >&2; exit 2; }
[[ "$FIXED_RATE" =~ ^[0-9]+$ ]] && [ "$FIXED_RATE" -ge 1 ] && [ "$FIXED_RATE" -le 100000 ] \
  || { echo "--rate must be 1 to 100000" >&2; exit 2; }

BROKER_CORE=0
TOOL_CORE=1
[ "$(nproc --all)" -ge 2 ] || { echo "Needs at least 2 cores" >&2; exit 1; }
MOSQUITTO=$(command -v mosquitto || echo /usr/sbin/mosquitto)
[ -x "$MOSQUITTO" ] || { echo "Needs mosquitto (Debian package mosquitto)" >&2; exit 1; }
MOSQUITTO_SUB=$(command -v mosquitto_sub || true)

build_tool "$BUILD"

start_work bridge
# Mosquitto started as root reads and writes its files as the user "mosquitto".
chmod 755 "$WORK"
mkdir -p "$WORK/remote-data"
if [ "$(id -u)" = 0 ] && id mosquitto >/dev/null 2>&1; then chown mosquitto "$WORK/remote-data"; fi

wait_port() {
  for _ in $(seq 1 100); do
    ss -Htln "sport = :$1" | grep -q . && return 0
    sleep 0.1
  done
  echo "Nothing listens on port $1" >&2; return 1
}

# --- The remote: persistence on (subscribers' sessions survive its restart), no queue limit ------
REMOTE_PORT=$(free_port)
cat > "$WORK/remote.conf" <<EOF
listener $REMOTE_PORT 127.0.0.1
allow_anonymous true
persistence true
persistence_location $WORK/remote-data/
max_queued_messages 2000000
set_tcp_nodelay true
EOF
start_remote() {
  taskset -c "$BROKER_CORE" "$MOSQUITTO" -c "$WORK/remote.conf" >> "$WORK/remote.log" 2>&1 &
  REMOTE_PID=$!
  PIDS+=("$REMOTE_PID")
  wait_port "$REMOTE_PORT"
}
stop_remote() {
  kill -TERM "$REMOTE_PID"
  for _ in $(seq 1 100); do kill -0 "$REMOTE_PID" 2>/dev/null || break; sleep 0.1; done
  wait "$REMOTE_PID" 2>/dev/null || true
}
start_remote

# --- Mosquitto bridging to the remote: its defaults, but no queue limit (it drops past 1,000) ----
# Its bridge queue is in memory: Mosquitto writes its store only at autosave and shutdown, so
# persistence would not change what an outage costs it; it is off, as in bench/compare.sh.
MB_PORT=$(free_port)
cat > "$WORK/mosquitto-bridge.conf" <<EOF
listener $MB_PORT 127.0.0.1
allow_anonymous true
persistence false
max_queued_messages 2000000
set_tcp_nodelay true
sys_interval 5

connection bench-bridge
address 127.0.0.1:$REMOTE_PORT
bridge_protocol_version mqttv311
topic bench/# out 1
cleansession false
restart_timeout 1 5
notifications false
EOF
taskset -c "$BROKER_CORE" "$MOSQUITTO" -c "$WORK/mosquitto-bridge.conf" > "$WORK/mosquitto-bridge.log" 2>&1 &
MB_PID=$!
PIDS+=("$MB_PID")
wait_port "$MB_PORT"

# --- The hub: defaults, anonymous allowed, a bridge "out" of bench/# to the remote -------------
start_hub "$WORK" "$BROKER_CORE" \
  "--mqtthub.bridges[0].name=out" "--mqtthub.bridges[0].addresses[0]=tcp://127.0.0.1:$REMOTE_PORT" \
  "--mqtthub.bridges[0].reconnect.initial-delay=1s" "--mqtthub.bridges[0].reconnect.max-delay=5s" \
  "--mqtthub.bridges[0].topics[0].filter=bench/#" "--mqtthub.bridges[0].topics[0].qos=1"
allow_anonymous_bench

# metric NAME: the value of the hub's bridge figure NAME (Prometheus name) for bridge "out".
metric() {
  curl -s -m 10 -u "admin:$HUB_PASSWORD" "http://127.0.0.1:$HUB_WEB/actuator/prometheus" \
    | awk -v name="$1" 'index($0, name "{") == 1 && /bridge="out"/ { printf "%.0f", $NF; found = 1 } END { if (!found) print "?" }'
}
for _ in $(seq 1 60); do [ "$(metric mqtthub_bridge_connected)" = 1 ] && break; sleep 0.5; done
[ "$(metric mqtthub_bridge_connected)" = 1 ] || { echo "The hub's bridge did not connect" >&2; exit 1; }

# jget FIELD: a field of the JSON line on stdin.
jget() { grep -o "\"$1\":[^,}]*" | head -1 | cut -d: -f2- | tr -d '"'; }

# --- (a), (b): forwarded msg/s, publishers at the bridging broker, subscribers at the remote -----
STARTED=$(date +%s)
if [ "$THROUGHPUT" = 1 ]; then
  SCENARIOS=(
    "--rate 0"
    "--rate $FIXED_RATE"
  )
  RUN_INDEX=0
  for round in $(seq 1 "$ROUNDS"); do
    for scenario in "${SCENARIOS[@]}"; do
      RUN_INDEX=$((RUN_INDEX + 1))
      if [ $((RUN_INDEX % 2)) = 0 ]; then order="mosquitto hub"; else order="hub mosquitto"; fi
      for broker in $order; do
        echo "== round $round/$ROUNDS, $broker bridge: $scenario"
        if [ "$broker" = hub ]; then port=$HUB_PORT; pid=$HUB_PID; else port=$MB_PORT; pid=$MB_PID; fi
        # The drain waits (5 minutes at most) until every acknowledged message is at the remote, so
        # that no backlog of one run is forwarded during the next.
        # shellcheck disable=SC2086
        tool "$TOOL_CORE" "$broker-bridge" "$port" "$pid" --scenario pairs --publishers "$PAIRS" --qos 1 $scenario \
          --subscribe-port "$REMOTE_PORT" --warmup "$WARMUP" --duration "$DURATION" --drain 5m --quiet 15s
        kill -0 "$HUB_PID" && kill -0 "$MB_PID" && kill -0 "$REMOTE_PID"
      done
    done
  done
fi

# --- (c): the outage ----------------------------------------------------------------------------
mosquitto_store() {
  if [ -n "$MOSQUITTO_SUB" ]; then
    timeout 15 "$MOSQUITTO_SUB" -h 127.0.0.1 -p "$MB_PORT" -C 1 -W 6 -t '$SYS/broker/store/messages/count' 2>/dev/null || echo "?"
  else echo "?"; fi
}
LEAD=5
# outage NAME PORT PID: writes $WORK/outage-NAME.tsv (samples) and outage-NAME.json (the tool's run).
outage() {
  local name=$1 port=$2 pid=$3 samples="$WORK/outage-$1.tsv" t0 now elapsed next restarted drained=""
  echo "== outage of the remote for ${OUTAGE_S}s, $OUTAGE_RATE msg/s QoS 1 into the $name"
  taskset -c "$TOOL_CORE" "$JAVA" -Xms512m -Xmx1g -XX:+UseParallelGC -cp "$CP" com.mqtthub.bench.Bench \
    --label "$name-outage" --port "$port" --broker-pid "$pid" --scenario pairs --publishers 1 --qos 1 \
    --rate "$OUTAGE_RATE" --warmup 0 --duration "$((OUTAGE_S + LEAD))s" --subscribe-port "$REMOTE_PORT" \
    --persistent-subscribers true --drain 20m --quiet 60s > "$WORK/outage-$name.out" 2>&1 &
  local tool_pid=$!
  PIDS+=("$tool_pid")
  sleep "$LEAD"
  printf 't_s\tphase\theap_after_gc_mb\trss_mb\tqueue_messages\tqueue_mb\tforwarded\n' > "$samples"
  sample() {
    local heap="-" queue="-" qbytes="-" forwarded="-"
    if [ "$name" = hub ]; then
      heap=$(awk "BEGIN { printf \"%.1f\", $(heap_used_kb "$pid") / 1024 }")
      queue=$(metric mqtthub_bridge_queue_messages)
      qbytes=$(awk "BEGIN { printf \"%.1f\", $(metric mqtthub_bridge_queue_bytes) / 1048576 }")
      forwarded=$(metric mqtthub_bridge_messages_forwarded_total)
    else
      queue=$(mosquitto_store)
    fi
    printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$( [ "$1" = before ] && echo - || echo $(( $(date +%s) - t0 )))" "$1" "$heap" "$(rss_mb "$pid")" "$queue" "$qbytes" \
      "$forwarded" | tee -a "$samples"
  }
  t0=$(date +%s)
  sample "before"
  stop_remote
  t0=$(date +%s)
  next=0
  while :; do
    now=$(date +%s); elapsed=$((now - t0))
    [ "$elapsed" -ge "$OUTAGE_S" ] && break
    if [ "$elapsed" -ge "$next" ]; then sample "down"; next=$((next + SAMPLE)); fi
    sleep 1
  done
  sample "down"
  start_remote
  restarted=$(date +%s.%N)
  # Until the subscriber has every acknowledged message (the tool ends), 20 minutes at most.
  local deadline=$(( $(date +%s) + 1200 ))
  while kill -0 "$tool_pid" 2>/dev/null && [ "$(date +%s)" -lt "$deadline" ]; do
    if [ "$name" = hub ] && [ -z "$drained" ] && [ "$(metric mqtthub_bridge_queue_messages)" = 0 ] \
        && [ "$(metric mqtthub_bridge_messages_inflight)" = 0 ]; then
      drained=$(date +%s.%N)
    fi
    sleep 0.2
  done
  local received_all
  received_all=$(date +%s.%N)
  # The queue emptied between two polls just before the subscriber had everything: at most this.
  if [ "$name" = hub ] && [ -z "$drained" ] && [ "$(metric mqtthub_bridge_queue_messages)" = 0 ]; then
    drained=$received_all
  fi
  kill "$tool_pid" 2>/dev/null || true
  wait "$tool_pid" 2>/dev/null || true
  sample "after"
  grep -v '^{' "$WORK/outage-$name.out" || true
  grep '^{' "$WORK/outage-$name.out" | tail -1 > "$WORK/outage-$name.json" || true
  cat "$WORK/outage-$name.json" >> "$RUNS"
  {
    printf '%s' "$(awk "BEGIN { printf \"%.1f\", $received_all - $restarted }")"
    printf ' %s\n' "$( [ -n "$drained" ] && awk "BEGIN { printf \"%.1f\", $drained - $restarted }" || echo -)"
  } > "$WORK/outage-$name.times"
}
outage hub "$HUB_PORT" "$HUB_PID"
if [ "$MOSQUITTO_OUTAGE" = 1 ]; then
  outage mosquitto "$MB_PORT" "$MB_PID"
fi
ELAPSED=$(( $(date +%s) - STARTED ))
LOAD=$(cut -d' ' -f1-3 /proc/loadavg)

# --- The section for docs/benchmarks.md --------------------------------------------------------
median() { sort -n | awk '{ v[NR] = $1 } END { if (NR == 0) print "-"; else if (NR % 2) print v[(NR + 1) / 2]; else print (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
figure() { # figure LABEL RATE FIELD: median over the rounds
  grep "\"label\":\"$1\"" "$RUNS" | grep '"scenario":"pairs"' | grep "\"rate\":$2," | while read -r line; do
    echo "$line" | jget "$3"; done | grep -v null | median
}
fmt() { awk -v v="$1" 'BEGIN { if (v == "-" || v == "") print "-"; else { s = sprintf("%.0f", v); out = ""; while (length(s) > 3) { out = "," substr(s, length(s) - 2) out; s = substr(s, 1, length(s) - 3) } print s out } }'; }
sum_field() { # sum_field LABEL RATE FIELD: summed over the rounds
  grep "\"label\":\"$1\"" "$RUNS" | grep "\"rate\":$2," | while read -r line; do echo "$line" | jget "$3"; done \
    | awk '$1 != "null" { s += $1 } END { print s + 0 }'
}
STAMP=$(date -u +%Y-%m-%dT%H%MZ)
OUT="target/bench/bridge-$STAMP"
mkdir -p "$OUT"
cp "$RUNS" "$OUT/runs.jsonl"
cp "$WORK"/outage-*.tsv "$WORK/hub.log" "$OUT/" 2>/dev/null || true
CPU_MODEL=$(lscpu 2>/dev/null | sed -n 's/^Model name:[[:space:]]*//p' | head -1)
MEM_GB=$(awk '/MemTotal/ { printf "%.0f", $2 / 1048576 }' /proc/meminfo)
SECTION="$OUT/section.md"
{
  echo "### $(date -u '+%Y-%m-%d %H:%M') UTC, commit $(git rev-parse --short HEAD), $MODE mode"
  echo
  echo "Machine: $(nproc --all) cores (${CPU_MODEL:-unknown CPU}), ${MEM_GB} GiB, $("$JAVA" -version 2>&1 | head -1)," \
       "$("$MOSQUITTO" -h 2>&1 | head -1 | sed 's/ (build.*//'); load average at the end $LOAD (other work shared" \
       "the cores). Brokers on core $BROKER_CORE, load tool on core $TOOL_CORE; ${ELAPSED} s in all."
  echo "The hub: \`${HUB_STARTED_LINE}\`."
  [ -n "$NOTE" ] && { echo; echo "$NOTE"; }
  echo
  echo "Command: \`$COMMAND\`"
  if [ "$THROUGHPUT" = 1 ]; then
    echo
    echo "$PAIRS publishers at the bridging broker, QoS 1, 64 B, each with a subscriber at the remote; medians of" \
         "$ROUNDS round(s), warm-up $WARMUP, $DURATION measured; lost and duplicates summed over the rounds."
    echo
    echo "| forwarded through the bridge | hub → Mosquitto | Mosquitto → Mosquitto | hub/Mosquitto |"
    echo "|---|---:|---:|---:|"
    for rate in 0 "$FIXED_RATE"; do
      if [ "$rate" = 0 ]; then what="max rate"; else what="$(fmt "$rate") msg/s offered"; fi
      h=$(figure hub-bridge "$rate" delivered_per_s); m=$(figure mosquitto-bridge "$rate" delivered_per_s)
      echo "| $what: delivered at the remote, msg/s | $(fmt "$h") | $(fmt "$m") | $(awk -v h="$h" -v m="$m" 'BEGIN { if (m + 0 > 0 && h != "-") printf "%.2f", h / m; else print "-" }') |"
      echo "| $what: latency p50 / p99 ms | $(figure hub-bridge "$rate" latency_p50_ms) / $(figure hub-bridge "$rate" latency_p99_ms) | $(figure mosquitto-bridge "$rate" latency_p50_ms) / $(figure mosquitto-bridge "$rate" latency_p99_ms) | |"
      echo "| $what: accepted from the publishers, msg/s | $(fmt "$(figure hub-bridge "$rate" acked_per_s)") | $(fmt "$(figure mosquitto-bridge "$rate" acked_per_s)") | |"
      echo "| $what: lost / duplicates / out of order | $(sum_field hub-bridge "$rate" lost) / $(sum_field hub-bridge "$rate" duplicates) / $(sum_field hub-bridge "$rate" out_of_order) | $(sum_field mosquitto-bridge "$rate" lost) / $(sum_field mosquitto-bridge "$rate" duplicates) / $(sum_field mosquitto-bridge "$rate" out_of_order) | |"
      echo "| $what: bridging broker CPU % / RSS max MB | $(figure hub-bridge "$rate" broker_cpu_pct) / $(figure hub-bridge "$rate" broker_rss_max_mb) | $(figure mosquitto-bridge "$rate" broker_cpu_pct) / $(figure mosquitto-bridge "$rate" broker_rss_max_mb) | |"
    done
  fi
  echo
  echo "Outage: 1 publisher, $(fmt "$OUTAGE_RATE") msg/s QoS 1 into the bridging broker; the remote stopped (SIGTERM) for" \
       "${OUTAGE_S} s, then started again; its subscriber has a persistent session and reconnects."
  echo
  echo "| outage | hub → Mosquitto | Mosquitto → Mosquitto |"
  echo "|---|---:|---:|"
  row() { # row TITLE FIELD
    local h m
    h=$(jget "$2" < "$WORK/outage-hub.json" 2>/dev/null || true)
    m=$( [ -f "$WORK/outage-mosquitto.json" ] && jget "$2" < "$WORK/outage-mosquitto.json" || echo "not run")
    echo "| $1 | $(fmt "${h:--}") | $( [ "$m" = "not run" ] && echo "$m" || fmt "${m:--}") |"
  }
  row "messages acknowledged to the publisher" acked
  row "received at the remote" received
  row "lost (acknowledged, never received)" lost
  row "duplicates" duplicates
  row "out of order" out_of_order
  hub_times=$(cat "$WORK/outage-hub.times" 2>/dev/null || echo "- -")
  mq_times=$(cat "$WORK/outage-mosquitto.times" 2>/dev/null || echo "- -")
  echo "| remote restarted → bridge queue empty, s | ${hub_times#* } | (not exposed) |"
  echo "| remote restarted → subscriber has everything, s | ${hub_times%% *} | ${mq_times%% *} |"
  echo
  echo "The hub during the outage (heap in use after a full GC, RSS, the bridge's queue from /actuator/prometheus):"
  echo
  echo '```'
  column -t -s $'\t' < "$WORK/outage-hub.tsv" 2>/dev/null || cat "$WORK/outage-hub.tsv"
  echo '```'
  if [ -f "$WORK/outage-mosquitto.tsv" ]; then
    echo
    echo "Mosquitto bridging during the outage (RSS; queue = \`\$SYS/broker/store/messages/count\`):"
    echo
    echo '```'
    column -t -s $'\t' < "$WORK/outage-mosquitto.tsv" 2>/dev/null || cat "$WORK/outage-mosquitto.tsv"
    echo '```'
  fi
  echo
} > "$SECTION"
cat "$SECTION"
echo "Raw runs: $OUT/runs.jsonl"

if [ "$WRITE_DOC" = 1 ]; then
  add_run_to_doc bench/bridge.sh "Bridge" "$SECTION" "$OUT"
fi
