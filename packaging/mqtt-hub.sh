#!/usr/bin/env bash
# Starts the hub within its memory budget: the JVM options in jvm.options beside this script
# (heap, collector, direct memory, code cache, native heap trim; see README "Run it"), then JAVA_OPTS, which win
# (e.g. JAVA_OPTS=-Xmx512m for more heap), the class data sharing archive or ahead-of-time cache
# when packaging/cds.sh put one beside the jar (with the bean definitions prepared at build time),
# and the hub's own settings as arguments:
#
#   ./mqtt-hub.sh [--mqtthub.broker.port=1884 ...]
#
# The jar is mqtt-hub.jar beside this script (where packaging/cds.sh installs both), or MQTTHUB_JAR.
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
JAVA="${JAVA_HOME:+$JAVA_HOME/bin/}java"
JAR="${MQTTHUB_JAR:-$HERE/mqtt-hub.jar}"
[ -f "$JAR" ] || { echo "No $JAR: run packaging/cds.sh, or set MQTTHUB_JAR" >&2; exit 1; }
ARCHIVE=()
DIR=$(dirname "$JAR")
# The archive records the class path as the training run saw it (mqtt-hub.jar and lib/, relative
# to its directory), so the JVM can use it only when started from there.
if [ -f "$DIR/mqtt-hub.aot" ] || [ -f "$DIR/mqtt-hub.jsa" ]; then
  if [ "$(pwd -P)" != "$(cd "$DIR" && pwd -P)" ]; then
    echo "Starting without the archive in $DIR: it is used when the hub is started from that directory" >&2
  elif [ -f "$DIR/mqtt-hub.aot" ]; then
    ARCHIVE=(-XX:AOTCache="$DIR/mqtt-hub.aot")
  else
    ARCHIVE=(-XX:SharedArchiveFile="$DIR/mqtt-hub.jsa")
  fi
fi
# Bean definitions prepared at build time (Spring's ahead-of-time processing) are used when the jar
# has them, as packaging/cds.sh trained the archive with them.
if grep -aq 'MqttHubApplication__ApplicationContextInitializer' "$JAR"; then
  ARCHIVE+=(-Dspring.aot.enabled=true)
fi
# glibc gives each thread that allocates its own malloc arena (up to 8 per core), each holding
# freed memory: two are enough for the few threads that allocate outside the heap.
export MALLOC_ARENA_MAX="${MALLOC_ARENA_MAX:-2}"
# JAVA_OPTS last, so that it can override any of the options before it.
# shellcheck disable=SC2086
exec "$JAVA" "@$HERE/jvm.options" "${ARCHIVE[@]}" ${JAVA_OPTS:-} -jar "$JAR" "$@"
