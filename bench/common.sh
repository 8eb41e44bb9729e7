# Shared by bench/compare.sh and bench/profile.sh (sourced, not run): building the load tool,
# free ports, and starting the packaged hub for a measurement. Callers keep PIDS, an array of the
# processes to stop at exit.

JAVA="${JAVA_HOME:+$JAVA_HOME/bin/}java"

# Builds the jar and the tool (unless $1 is 0), and sets CP (the tool's class path) and JAR.
build_tool() {
  if [ "${1:-1}" = 1 ]; then
    echo "Building the hub and the load tool"
    ./mvnw -q -DskipTests package
  fi
  mkdir -p target/bench
  ./mvnw -q -o dependency:build-classpath -Dmdep.includeScope=test -Dmdep.outputFile=target/bench/classpath.txt \
    >/dev/null 2>&1 || ./mvnw -q dependency:build-classpath -Dmdep.includeScope=test \
    -Dmdep.outputFile=target/bench/classpath.txt >/dev/null
  CP="target/test-classes:target/classes:$(cat target/bench/classpath.txt)"
  JAR=$(ls target/mqtt-hub-*.jar | grep -v -- '-plain.jar' | head -1)
}

free_port() {
  local port
  for _ in $(seq 1 200); do
    port=$((20000 + RANDOM % 20000))
    if ! ss -Htln "sport = :$port" | grep -q .; then echo "$port"; return; fi
  done
  echo "No free port found" >&2; exit 1
}

rss_mb() { awk '/VmRSS/ { printf "%.1f", $2 / 1024 }' "/proc/$1/status"; }

# start_hub WORKDIR CORE [SETTING...]: the packaged jar with its defaults (JVM options from
# HUB_JAVA_OPTS; with HUB_SHIPPED=1 started as shipped, by packaging/mqtt-hub.sh with
# packaging/jvm.options and HUB_JAVA_OPTS after them), anonymous MQTT allowed, on free loopback
# ports, data under WORKDIR, and any further --settings given. Waits until it has started
# (HUB_START_TIMEOUT seconds, 180 by default: more on a busy machine); sets HUB_PID, HUB_PORT, HUB_WEB, HUB_WS (the broker's WebSocket
# listener), HUB_PASSWORD and HUB_STARTED_LINE.
start_hub() {
  local work=$1 core=$2
  shift 2
  HUB_PORT=$(free_port)
  HUB_WEB=$(free_port)
  HUB_WS=$(free_port)
  HUB_PASSWORD="bench-hub-$RANDOM$RANDOM-key"
  local launch
  if [ "${HUB_SHIPPED:-0}" = 1 ]; then
    launch=(env MQTTHUB_JAR="$JAR" JAVA_OPTS="${HUB_JAVA_OPTS:-}" packaging/mqtt-hub.sh)
  else
    # shellcheck disable=SC2206
    launch=("$JAVA" ${HUB_JAVA_OPTS:-} -jar "$JAR")
  fi
  taskset -c "$core" "${launch[@]}" \
    --server.address=127.0.0.1 --server.port="$HUB_WEB" \
    --mqtthub.broker.host=127.0.0.1 --mqtthub.broker.port="$HUB_PORT" --mqtthub.broker.websocket.port="$HUB_WS" \
    --mqtthub.broker.data-directory="$work/hub-data" --mqtthub.security.allow-anonymous=true \
    --mqtthub.security.admin.password="$HUB_PASSWORD" "$@" > "$work/hub.log" 2>&1 &
  HUB_PID=$!
  PIDS+=("$HUB_PID")
  local deadline=$(( $(date +%s) + ${HUB_START_TIMEOUT:-180} ))
  until grep -q "Started MqttHubApplication" "$work/hub.log"; do
    kill -0 "$HUB_PID" 2>/dev/null || { cat "$work/hub.log"; echo "The hub ended" >&2; exit 1; }
    [ "$(date +%s)" -lt "$deadline" ] || { echo "The hub did not start in ${HUB_START_TIMEOUT:-180} s" >&2; exit 1; }
    sleep 0.05
  done
  HUB_STARTED_LINE=$(grep -o "Started MqttHubApplication in .*" "$work/hub.log" | head -1)
  HUB_COOKIES="$work/cookies"
}

# heap_used_kb PID: the JVM's heap in use right after a full GC, in KB (0 without jcmd).
heap_used_kb() {
  jcmd "$1" GC.run >/dev/null 2>&1 || true
  jcmd "$1" GC.heap_info 2>/dev/null \
    | awk '/(generation|heap) +total/ { for (i = 1; i <= NF; i++) if ($i == "used") { v = $(i + 1); sub(/K,?/, "", v); sum += v } }
           END { print sum + 0 }'
}

# Anonymous clients follow the rules of the role ANONYMOUS: allow them bench/# through the API.
allow_anonymous_bench() {
  local login_csrf api_csrf status
  login_csrf=$(curl -s -c "$HUB_COOKIES" "http://127.0.0.1:$HUB_WEB/login" \
    | grep -o 'name="_csrf" value="[^"]*"' | sed 's/.*value="//;s/"$//')
  curl -s -b "$HUB_COOKIES" -c "$HUB_COOKIES" -o /dev/null \
    --data-urlencode "username=admin" --data-urlencode "password=$HUB_PASSWORD" --data-urlencode "_csrf=$login_csrf" \
    "http://127.0.0.1:$HUB_WEB/login"
  api_csrf=$(curl -s -b "$HUB_COOKIES" "http://127.0.0.1:$HUB_WEB/api/session" \
    | grep -o '"csrfToken":"[^"]*"' | sed 's/.*:"//;s/"$//')
  status=$(curl -s -o /dev/null -w '%{http_code}' -b "$HUB_COOKIES" -H "X-CSRF-TOKEN: $api_csrf" \
    -H 'Content-Type: application/json' -d '{"role":"ANONYMOUS","topic":"bench/#","access":"both","permission":"allow"}' \
    "http://127.0.0.1:$HUB_WEB/api/acl/rules")
  if [ "$status" != 201 ]; then
    echo "Could not add the topic rule for anonymous clients (HTTP $status)" >&2; exit 1
  fi
}

# tool CORE LABEL PORT PID ARGS...: one run of the load tool, its summary on stdout.
tool() {
  local core=$1 label=$2 port=$3 pid=$4; shift 4
  taskset -c "$core" "$JAVA" -Xms512m -Xmx1g -XX:+UseParallelGC -cp "$CP" com.mqtthub.bench.Bench \
    --label "$label" --port "$port" --broker-pid "$pid" ${RUNS:+--json-out "$RUNS"} "$@" \
    | grep -v '^{' || echo "  (run failed: $label $*)"
}

# add_run_to_doc SCRIPT HEADING SECTION_FILE SCRATCH_DIR: puts SECTION_FILE into docs/benchmarks.md
# under SCRIPT's marker line (newest first), adding the heading and marker when they are missing.
add_run_to_doc() {
  local mark="<!-- $1 adds its runs below this line, newest first -->" heading=$2 section=$3 scratch=$4
  if ! grep -qF "$mark" docs/benchmarks.md; then
    printf '\n## %s\n\n%s\n' "$heading" "$mark" >> docs/benchmarks.md
  fi
  awk -v mark="$mark" -v file="$section" '
    { print }
    $0 == mark { print ""; while ((getline line < file) > 0) print line }
  ' docs/benchmarks.md > "$scratch/benchmarks.md"
  cp "$scratch/benchmarks.md" docs/benchmarks.md
  echo "Added to docs/benchmarks.md"
}

# start_work NAME: a scratch directory WORK (removed at exit) with an empty RUNS file for the
# JSON lines, and PIDS, whose processes are stopped at exit.
start_work() {
  WORK=$(mktemp -d "/tmp/mqtthub-$1.XXXXXX")
  RUNS="$WORK/runs.jsonl"
  : > "$RUNS"
  PIDS=()
  trap cleanup EXIT
}

cleanup() {
  for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${PIDS[@]}"; do wait "$pid" 2>/dev/null || true; done
  rm -rf "$WORK"
}
