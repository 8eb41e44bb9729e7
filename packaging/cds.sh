#!/usr/bin/env bash
# Prepares the hub for a faster start: unpacks the executable jar into Spring Boot's extracted
# layout (application jar + lib/, so classes are no longer read from jars nested in a jar) and
# records a class data sharing archive from a training run that starts the application on
# temporary loopback ports and data, serves the login page and one MQTT CONNECT, and stops.
# Beside them it
# puts the start script mqtt-hub.sh and its JVM options (jvm.options: the memory budget).
#
#   packaging/cds.sh [JAR] [DESTINATION]     (defaults: target/mqtt-hub-*.jar, target/cds)
#
# Then start the hub from DESTINATION with the same Java as here:
#   cd DESTINATION && ./mqtt-hub.sh
# which runs java @jvm.options $JAVA_OPTS with the archive and -jar mqtt-hub.jar. With Java 25 or
# newer it records the JVM's ahead-of-time cache instead (classes loaded and linked, and method
# profiles), which starts faster still (-XX:AOTCache=mqtt-hub.aot). When the jar holds the bean
# definitions the build prepared (Spring's ahead-of-time processing), training and start add
# -Dspring.aot.enabled=true: no configuration classes parsed and no conditions evaluated at start.
# The options that go with the archive are also written to DESTINATION/mqtt-hub.options.
# The archive belongs to this Java build and these jars: run this again after an upgrade of
# either (a stale archive is ignored with a warning, the hub then starts without it).
set -euo pipefail
JAVA="${JAVA_HOME:+$JAVA_HOME/bin/}java"
JAR="${1:-$(ls "$(dirname "$0")"/../target/mqtt-hub-*.jar | grep -v -- '-plain.jar' | head -1)}"
DEST="${2:-$(dirname "$0")/../target/cds}"

# Only what this script makes is replaced: DESTINATION may also hold the hub's data directory.
mkdir -p "$DEST"
rm -rf "$DEST/lib" "$DEST/mqtt-hub.jar" "$DEST/mqtt-hub.jsa" "$DEST/mqtt-hub.aot" "$DEST/mqtt-hub.options"
# The start script and its options are replaced too: a changed jvm.options is kept as .old.
PACKAGING=$(cd "$(dirname "$0")" && pwd)
if [ -f "$DEST/jvm.options" ] && ! cmp -s "$DEST/jvm.options" "$PACKAGING/jvm.options"; then
  cp "$DEST/jvm.options" "$DEST/jvm.options.old"
fi
cp "$PACKAGING/mqtt-hub.sh" "$PACKAGING/jvm.options" "$DEST/"
VERSION=$("$JAVA" -XshowSettings:properties -version 2>&1 | awk -F'= ' '/java.specification.version/ { print $2 }')
if [ "${VERSION%%.*}" -ge 25 ] 2>/dev/null; then
  ARCHIVE=mqtt-hub.aot; RECORD=-XX:AOTCacheOutput=mqtt-hub.aot; USE=-XX:AOTCache=mqtt-hub.aot
else
  ARCHIVE=mqtt-hub.jsa; RECORD=-XX:ArchiveClassesAtExit=mqtt-hub.jsa; USE=-XX:SharedArchiveFile=mqtt-hub.jsa
fi
"$JAVA" -Djarmode=tools -jar "$JAR" extract --force --destination "$DEST" --application-filename mqtt-hub.jar >/dev/null
# The training run must use the same options as the start: the generated classes belong in the archive.
if grep -aq 'MqttHubApplication__ApplicationContextInitializer' "$DEST/mqtt-hub.jar"; then
  USE="$USE -Dspring.aot.enabled=true"; RECORD="$RECORD -Dspring.aot.enabled=true"
fi

free_port() {
  local port
  for _ in $(seq 1 200); do
    port=$((20000 + RANDOM % 20000))
    if ! ss -Htln "sport = :$port" | grep -q .; then echo "$port"; return; fi
  done
  echo "No free port found" >&2; exit 1
}
TRAINING=$(mktemp -d /tmp/mqtthub-cds.XXXXXX)
HUB=
trap 'if [ -n "$HUB" ]; then kill "$HUB" 2>/dev/null || true; fi; rm -rf "$TRAINING"' EXIT
WEB_PORT=$(free_port); MQTT_PORT=$(free_port); WS_PORT=$(free_port)
PASSWORD="training-$RANDOM$RANDOM-only"
# The training run starts the hub as it will start (same options: the collector is part of what
# the archive records) on temporary loopback ports and data, up to "Started", so that what the
# broker and the web server load when they start is in the archive too; then asks for the login
# page and makes one MQTT CONNECT as the administrator, so that the first page and the first
# device are served from the archive as well; then stops it (SIGTERM: a normal exit, at which the
# JVM writes the archive).
# shellcheck disable=SC2086
(cd "$DEST" && exec "$JAVA" @jvm.options $RECORD -jar mqtt-hub.jar \
  --server.address=127.0.0.1 --server.port="$WEB_PORT" \
  --mqtthub.broker.host=127.0.0.1 --mqtthub.broker.port="$MQTT_PORT" \
  --mqtthub.broker.websocket.port="$WS_PORT" \
  --mqtthub.broker.data-directory="$TRAINING/data" \
  --mqtthub.security.admin.password="$PASSWORD") > "$TRAINING/training.log" 2>&1 &
HUB=$!
for _ in $(seq 1 1800); do
  grep -q "Started MqttHubApplication" "$TRAINING/training.log" && break
  kill -0 "$HUB" 2>/dev/null || { cat "$TRAINING/training.log"; echo "The training run failed" >&2; exit 1; }
  sleep 0.1
done
grep -q "Started MqttHubApplication" "$TRAINING/training.log" \
  || { cat "$TRAINING/training.log"; echo "The training run did not start in 3 minutes" >&2; exit 1; }
if command -v curl >/dev/null; then
  curl -s -o /dev/null --max-time 30 "http://127.0.0.1:$WEB_PORT/login" || true
fi
# An MQTT 3.1.1 CONNECT (clean session, keep-alive 60 s, user name and password), its CONNACK
# read, then DISCONNECT; bash's /dev/tcp, so that nothing needs installing.
mqtt_string() { printf '\\x%02x\\x%02x%s' $(( ${#1} / 256 )) $(( ${#1} % 256 )) "$1"; }
CLIENT=cds-training
LENGTH=$(( 10 + 2 + ${#CLIENT} + 2 + 5 + 2 + ${#PASSWORD} ))
{
  exec 3<>"/dev/tcp/127.0.0.1/$MQTT_PORT"
  printf "\\x10\\x$(printf %02x "$LENGTH")\\x00\\x04MQTT\\x04\\xc2\\x00\\x3c$(mqtt_string "$CLIENT")$(mqtt_string admin)$(mqtt_string "$PASSWORD")" >&3
  timeout 30 head -c 4 <&3 >/dev/null
  printf '\xe0\x00' >&3
  exec 3>&-
} 2>/dev/null || true
kill -TERM "$HUB"
wait "$HUB" 2>/dev/null || true
HUB=
[ -s "$DEST/$ARCHIVE" ] || { cat "$TRAINING/training.log"; echo "No archive was written" >&2; exit 1; }
echo "$USE" > "$DEST/mqtt-hub.options"
echo "Extracted layout and class data sharing archive in $DEST:"
echo "  cd $DEST && ./mqtt-hub.sh     (java @jvm.options \$JAVA_OPTS $USE -jar mqtt-hub.jar)"
