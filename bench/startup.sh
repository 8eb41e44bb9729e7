#!/usr/bin/env bash
# Measures the start-up of the packaged hub: from launch to the "Started MqttHubApplication" line,
# then to the first HTTP 200 on /login and to the first accepted MQTT CONNECT (as the administrator,
# with mosquitto_pub; both probed from the "Started" line on), each run with a fresh data
# directory on free loopback ports (with --restart, the data directory of an earlier start, as
# when a hub is restarted). Prints one line
# per run, the medians and the load average before and after (the machine may be shared: compare
# runs made side by side, not with figures from another hour).
#
#   bench/startup.sh [--runs 5] [--layout jar|cds|jar,cds] [--core 0] [--timeout 180] [--restart] [--no-build]
#
# --restart  each layout keeps its data directory from run to run, and a first start of each,
#            not counted (run 0), creates it: the database, its tables and the administrator.
#
# --layout jar  runs `java -jar target/mqtt-hub-*.jar` as it is;
# --layout cds  runs the extracted layout with its class data sharing archive, built by
#               packaging/cds.sh (the "Faster start" command of the README);
# --layout jar=PATH  another build of the jar (say, of an earlier commit);
# --layout aot  runs `java -Dspring.aot.enabled=true -jar ...` (bean definitions prepared at
#               build time), aot=PATH likewise with another build of the jar;
# --layout cds=DIR  an extracted layout that packaging/cds.sh made in DIR (say, of an earlier
#               commit; started with the flags that script printed for it);
# --layout jar,cds  several, interleaved run by run, so that all meet the same load.
# JVM options for the hub come from HUB_JAVA_OPTS.
set -euo pipefail
cd "$(dirname "$0")/.."

JAVA="${JAVA_HOME:+$JAVA_HOME/bin/}java"
RUNS=5
LAYOUT=jar
CORE=
BUILD=1
TIMEOUT=180
RESTART=0
while [ $# -gt 0 ]; do
  case "$1" in
    --runs) RUNS="$2"; shift ;;
    --layout) LAYOUT="$2"; shift ;;
    --core) CORE="$2"; shift ;;
    --timeout) TIMEOUT="$2"; shift ;;
    --restart) RESTART=1 ;;
    --no-build) BUILD=0 ;;
    *) echo "Unknown option $1 (see the head of $0)" >&2; exit 2 ;;
  esac
  shift
done
command -v mosquitto_pub >/dev/null || { echo "mosquitto_pub is needed (apt-get install mosquitto-clients)" >&2; exit 1; }

if [ "$BUILD" = 1 ]; then
  echo "Building the hub"
  ./mvnw -q -DskipTests package
fi
JAR=$(ls target/mqtt-hub-*.jar | grep -v -- '-plain.jar' | head -1)
for layout in ${LAYOUT//,/ }; do
  case "$layout" in
    jar|jar=*|aot|aot=*|cds=*) ;;
    cds) if [ "$BUILD" = 1 ] || { [ ! -f target/cds/mqtt-hub.jsa ] && [ ! -f target/cds/mqtt-hub.aot ]; }; then
           packaging/cds.sh "$JAR" target/cds
         fi ;;
    *) echo "Unknown layout $layout" >&2; exit 2 ;;
  esac
done
# launch LAYOUT ARGS...: the hub in the background, as the README tells to start it.
launch() {
  local layout=$1; shift
  if [ "$layout" = cds ] || [ "${layout#cds=}" != "$layout" ]; then
    local dir=target/cds
    [ "${layout#cds=}" = "$layout" ] || dir=${layout#cds=}
    # The start options packaging/cds.sh wrote beside what it made (its archive, and the bean
    # definitions prepared at build time if the jar has them).
    local options
    options=$(cat "$dir/mqtt-hub.options" 2>/dev/null || echo -XX:SharedArchiveFile=mqtt-hub.jsa)
    # As its mqtt-hub.sh starts it: with the jvm.options beside it (the training run used them
    # too, and the ahead-of-time cache holds objects for the collector they choose).
    local budget=
    [ ! -f "$dir/jvm.options" ] || budget=@jvm.options
    # shellcheck disable=SC2086
    (cd "$dir" && exec ${CORE:+taskset -c "$CORE"} "$JAVA" $budget ${HUB_JAVA_OPTS:-} $options \
      -jar mqtt-hub.jar "$@") &
  else
    local jar=$JAR aot=
    case "$layout" in
      jar=*) jar=${layout#jar=} ;;
      aot) aot=-Dspring.aot.enabled=true ;;
      aot=*) jar=${layout#aot=}; aot=-Dspring.aot.enabled=true ;;
    esac
    # shellcheck disable=SC2086
    ${CORE:+taskset -c "$CORE"} "$JAVA" ${HUB_JAVA_OPTS:-} $aot -jar "$jar" "$@" &
  fi
  HUB_PID=$!
}

free_port() {
  local port
  for _ in $(seq 1 200); do
    port=$((20000 + RANDOM % 20000))
    if ! ss -Htln "sport = :$port" | grep -q .; then echo "$port"; return; fi
  done
  echo "No free port found" >&2; exit 1
}
now() { date +%s.%N; }
# CPU time (user + system, all threads) the process has used so far: on a shared machine this
# moves much less with the load than the wall-clock time does.
CLK_TCK=$(getconf CLK_TCK)
cpu_seconds() { awk -v tck="$CLK_TCK" '{ sub(/^.*\) /, ""); printf "%.2f", ($12 + $13) / tck }' "/proc/$1/stat"; }
since() { awk "BEGIN { printf \"%.2f\", $2 - $1 }"; }

WORK=$(mktemp -d /tmp/mqtthub-startup.XXXXXX)
HUB_PID=
cleanup() {
  if [ -n "$HUB_PID" ]; then kill "$HUB_PID" 2>/dev/null || true; wait "$HUB_PID" 2>/dev/null || true; fi
  rm -rf "$WORK"
}
trap cleanup EXIT

echo "Layouts: $LAYOUT (interleaved), JVM options: ${HUB_JAVA_OPTS:-none}, load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
declare -A STARTED HTTP MQTT CPU DATA SECRET
LAYOUTS=0
for layout in ${LAYOUT//,/ }; do
  LAYOUTS=$((LAYOUTS + 1))
  DATA[$layout]="$WORK/data-$LAYOUTS"
  SECRET[$layout]="startup-$RANDOM$RANDOM-key"
done
for run in $(seq $((1 - RESTART)) "$RUNS"); do
for layout in ${LAYOUT//,/ }; do
ATTEMPT=0
while [ "$ATTEMPT" -lt 3 ]; do
  ATTEMPT=$((ATTEMPT + 1))
  [ "$RESTART" = 1 ] || rm -rf "${DATA[$layout]}"
  MQTT_PORT=$(free_port); WEB_PORT=$(free_port); WS_PORT=$(free_port)
  # The administrator's password counts at the first start of a data directory only.
  PASSWORD=${SECRET[$layout]}
  T0=$(now)
  launch "$layout" --server.address=127.0.0.1 --server.port="$WEB_PORT" \
    --mqtthub.broker.host=127.0.0.1 --mqtthub.broker.port="$MQTT_PORT" --mqtthub.broker.websocket.port="$WS_PORT" \
    --mqtthub.broker.data-directory="${DATA[$layout]}" --mqtthub.security.admin.password="$PASSWORD" \
    > "$WORK/hub.log" 2>&1
  T_STARTED=; T_HTTP=; T_MQTT=
  DEADLINE=$(( $(date +%s) + TIMEOUT ))
  while [ -z "$T_STARTED" ] || [ -z "$T_HTTP" ] || [ -z "$T_MQTT" ]; do
    if ! kill -0 "$HUB_PID" 2>/dev/null; then
      # Another process on this machine may take a free port between the check and the start.
      if grep -q "Stop the process that uses port" "$WORK/hub.log" && [ "$ATTEMPT" -lt 3 ]; then
        echo "A port was taken meanwhile; starting run $run again"; HUB_PID=; continue 2
      fi
      cat "$WORK/hub.log"; echo "The hub ended" >&2; exit 1
    fi
    [ "$(date +%s)" -lt "$DEADLINE" ] || { echo "The hub did not serve in $TIMEOUT s" >&2; exit 1; }
    if [ -z "$T_STARTED" ] && grep -q "Started MqttHubApplication" "$WORK/hub.log"; then
      T_STARTED=$(now); CPU_STARTED=$(cpu_seconds "$HUB_PID")
    fi
    # The probes start once the hub says it has started: run every 50 ms from the launch on, their
    # processes took CPU from the start they measure (about half a second on 2 cores).
    if [ -z "$T_STARTED" ]; then
      sleep 0.02; continue
    fi
    if [ -z "$T_HTTP" ] && [ "$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$WEB_PORT/login")" = 200 ]; then
      T_HTTP=$(now)
    fi
    if [ -z "$T_MQTT" ] && mosquitto_pub -h 127.0.0.1 -p "$MQTT_PORT" -u admin -P "$PASSWORD" -i startup-probe \
        -t startup/probe -m up -q 0 >/dev/null 2>&1; then
      T_MQTT=$(now)
    fi
    sleep 0.05
  done
  if [ "$run" -gt 0 ]; then
    STARTED[$layout]+=" $(since "$T0" "$T_STARTED")"; HTTP[$layout]+=" $(since "$T0" "$T_HTTP")"
    MQTT[$layout]+=" $(since "$T0" "$T_MQTT")"; CPU[$layout]+=" $CPU_STARTED"
  fi
  echo "run $run$([ "$run" = 0 ] && echo ' (first start, not counted)'), $layout: Started $(since "$T0" "$T_STARTED") s, HTTP 200 on /login $(since "$T0" "$T_HTTP") s," \
    "MQTT CONNECT accepted $(since "$T0" "$T_MQTT") s, CPU at Started $CPU_STARTED s" \
    "($(grep -o 'Started MqttHubApplication in .*' "$WORK/hub.log" | head -1))"
  kill "$HUB_PID"; wait "$HUB_PID" 2>/dev/null || true; HUB_PID=
  break
done
done
done
median() { printf '%s\n' "$@" | sort -n | awk '{ a[NR] = $1 } END { print (NR % 2 ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2) }'; }
for layout in ${LAYOUT//,/ }; do
  # shellcheck disable=SC2086
  echo "Median of $RUNS, $layout: Started $(median ${STARTED[$layout]}) s, /login $(median ${HTTP[$layout]}) s," \
    "MQTT CONNECT $(median ${MQTT[$layout]}) s, CPU at Started $(median ${CPU[$layout]}) s"
done
echo "Load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
