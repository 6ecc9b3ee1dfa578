#!/bin/sh
# hawkBit provider: polling cost (bytes per poll with and without ETag), retained heap, and download speed of a
# SIZE_MB artifact against curl from the same DDI server (builds nothing but the small bench class).
#
#   bench/hawkbit.sh [RUNS]                 # default 3 download runs each, a 256 MB artifact, 200 polls per mode
#   SIZE_MB=64 POLLS=500 bench/hawkbit.sh 5
#   XMX=64m bench/hawkbit.sh                # the provider's heap bound (default 64m: the artifact must stream)
#
# Needs update-provider-hawkbit/target/classes and pstat-api/target/classes, e.g. after
#   mvn -B -o verify -pl update-provider-hawkbit -am -DskipTests
# One JVM (bench/src/HawkbitBench.java) runs a DDI server (JDK HttpServer answering as hawkBit does: an idle target's
# root with an installedBase link, its ETag and 304), the provider polling it through a byte-counting TCP proxy with
# the hidden 20 ms minimum (the server says 00:00:00), then serves a forced deployment whose artifact the provider's
# fetch (download + SHA-256 check) and curl -o download alternately, RUNS times, on 127.0.0.1.
set -eu
cd "$(dirname "$0")/.."
RUNS=${1:-3}
SIZE_MB=${SIZE_MB:-256}
POLLS=${POLLS:-200}
XMX=${XMX:-64m}
M2=${M2:-$HOME/.m2/repository}
CLS=update-provider-hawkbit/target/classes
API=pstat-api/target/classes
[ -d "$CLS" ] && [ -d "$API" ] || { echo "hawkbit.sh: build first (see the header)" >&2; exit 2; }
for tool in curl java javac; do
    command -v "$tool" >/dev/null || { echo "hawkbit.sh: $tool is needed" >&2; exit 2; }
done
J=$(ls "$M2"/com/fasterxml/jackson/core/jackson-databind/2.23.0/*.jar "$M2"/com/fasterxml/jackson/core/jackson-core/2.23.0/*.jar \
    "$M2"/com/fasterxml/jackson/core/jackson-annotations/2.23*/*.jar "$M2"/org/slf4j/slf4j-api/2.0.17/slf4j-api-2.0.17.jar \
    "$M2"/org/slf4j/slf4j-nop/2.0.17/slf4j-nop-2.0.17.jar 2>/dev/null | grep -v sources | tr '\n' ':')
TMP=$(mktemp -d /tmp/ocf-hawkbit-bench-XXXXXX)
trap 'rm -rf "$TMP"' EXIT INT TERM
CP="$CLS:$API:$J"
mkdir -p "$TMP/classes"
javac -nowarn -d "$TMP/classes" -cp "$CP" bench/src/HawkbitBench.java
head -c $((SIZE_MB * 1024 * 1024)) /dev/urandom > "$TMP/artifact.zip"
echo "artifact: $SIZE_MB MB; $POLLS polls per mode; provider heap -Xmx$XMX; java $(java -version 2>&1 | head -1)"
java -Xmx"$XMX" -Djdk.httpclient.bufsize=65536 -cp "$TMP/classes:$CP" org.ocfupdate.provider.hawkbit.internal.HawkbitBench "$POLLS" "$RUNS" \
    "$TMP/artifact.zip" "$TMP"
