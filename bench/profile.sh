#!/usr/bin/env bash
# Profiles the packaged hub with Java Flight Recorder: its start-up, and then the load of 50
# publisher/subscriber pairs at QoS 1 and maximum rate from the project's load tool. Writes the
# recordings and a summary of each (hot methods, packages, threads, allocations, GC) under
# target/bench/profile-<time>/.
#
#   bench/profile.sh [--duration 30s] [--scenario "--scenario pairs --qos 1"] [--no-build]
#
# The hub runs on core 0 and the tool on core 1 (taskset), on free loopback ports, with its data
# in a temporary directory.
set -euo pipefail
cd "$(dirname "$0")/.."
. bench/common.sh

DURATION=30s
SCENARIO="--scenario pairs --qos 1"
BUILD=1
while [ $# -gt 0 ]; do
  case "$1" in
    --duration) DURATION="$2"; shift ;;
    --scenario) SCENARIO="$2"; shift ;;
    --no-build) BUILD=0 ;;
    *) echo "Unknown option $1 (see the head of $0)" >&2; exit 2 ;;
  esac
  shift
done

build_tool "$BUILD"
OUT="target/bench/profile-$(date -u +%Y-%m-%dT%H%MZ)"
mkdir -p "$OUT"
WORK=$(mktemp -d /tmp/mqtthub-profile.XXXXXX)
PIDS=()
cleanup() {
  for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${PIDS[@]}"; do wait "$pid" 2>/dev/null || true; done
  rm -rf "$WORK"
}
trap cleanup EXIT

HUB_JAVA_OPTS="${HUB_JAVA_OPTS:-} -XX:StartFlightRecording=name=startup,settings=profile"
START=$(date +%s.%N)
start_hub "$WORK" 0
READY=$(date +%s.%N)
jcmd "$HUB_PID" JFR.dump name=startup filename="$PWD/$OUT/startup.jfr" >/dev/null
jcmd "$HUB_PID" JFR.stop name=startup >/dev/null
# Class loading is most of a Spring Boot start: how many classes, and the JVM's own timers.
jcmd "$HUB_PID" PerfCounter.print | grep -E 'java.cls.loadedClasses|sun.cls.time|sun.cls.parseClassTime|sun.rt.safepointTime|sun.gc.collector.[01].time|sun.os.hrt.frequency' > "$OUT/startup-counters.txt" || true
echo "Start-up: $(awk "BEGIN { printf \"%.2f\", $READY - $START }") s to 'Started' ($HUB_STARTED_LINE)" | tee "$OUT/startup.md"
"$JAVA" -cp "$CP" com.mqtthub.bench.JfrSummary "$OUT/startup.jfr" 20 >> "$OUT/startup.md"

allow_anonymous_bench
jcmd "$HUB_PID" JFR.start name=load settings=profile >/dev/null
# shellcheck disable=SC2086
tool 1 hub "$HUB_PORT" "$HUB_PID" $SCENARIO --warmup 5s --duration "$DURATION" | tee "$OUT/load.md"
jcmd "$HUB_PID" JFR.dump name=load filename="$PWD/$OUT/load.jfr" >/dev/null
"$JAVA" -cp "$CP" com.mqtthub.bench.JfrSummary "$OUT/load.jfr" 25 >> "$OUT/load.md"
cp "$WORK/hub.log" "$OUT/hub.log"
echo "Summaries: $OUT/startup.md and $OUT/load.md (recordings beside them, open with JDK Mission Control)"
