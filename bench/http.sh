#!/bin/sh
# HTTP provider download throughput and memory against curl (builds nothing but the small bench class).
#
#   bench/http.sh [RUNS]            # default 5 runs each, a 256 MB package
#   SIZE_MB=1024 bench/http.sh 3    # another size; XMX=32m bench/http.sh: another heap bound for the provider
#   PROVIDER_JVM_OPTS=-Djdk.httpclient.bufsize=65536 bench/http.sh   # JVM options of the provider side
#
# One server for both: python3 -m http.server on 127.0.0.1 (a free port) serving a random SIZE_MB file from a
# temporary folder. curl -o writes it to a file in the same folder RUNS times; then one JVM (-Xmx${XMX:-64m}, so a
# package 4x larger than the heap must stream) runs the provider's fetch RUNS times into a staging file, with progress
# reported on every buffer, as the engine does. The first provider run includes JIT warm-up. Prints one line per run
# and SUMMARY lines (median MB/s, the ratio provider/curl; target >= 0.9) and the provider's heap peak per run.
set -eu
cd "$(dirname "$0")/.."
RUNS=${1:-5}
SIZE_MB=${SIZE_MB:-256}
XMX=${XMX:-64m}
M2=${M2:-$HOME/.m2/repository}
JAR=update-provider-http/target/update-provider-http-1.0.0-SNAPSHOT.jar
API=pstat-api/target/pstat-api-1.0.0-SNAPSHOT.jar
[ -f "$JAR" ] && [ -f "$API" ] || { echo "http.sh: build first: mvn -q install -DskipTests" >&2; exit 2; }
for tool in curl python3 java javac; do
    command -v "$tool" >/dev/null || { echo "http.sh: $tool is needed" >&2; exit 2; }
done
J=$(ls "$M2"/com/fasterxml/jackson/core/jackson-databind/2.23.0/*.jar "$M2"/com/fasterxml/jackson/core/jackson-core/2.23.0/*.jar \
    "$M2"/com/fasterxml/jackson/core/jackson-annotations/2.23*/*.jar "$M2"/org/slf4j/slf4j-api/2.0.17/slf4j-api-2.0.17.jar \
    "$M2"/org/slf4j/slf4j-nop/2.0.17/slf4j-nop-2.0.17.jar 2>/dev/null | grep -v sources | tr '\n' ':')
TMP=$(mktemp -d /tmp/ocf-http-bench-XXXXXX)
SERVER=""
cleanup() { [ -n "$SERVER" ] && kill "$SERVER" 2>/dev/null; rm -rf "$TMP"; }
trap cleanup EXIT INT TERM
CP="$JAR:$API:$J"
mkdir -p "$TMP/classes" "$TMP/www"
javac -nowarn -d "$TMP/classes" -cp "$CP" bench/src/HttpBench.java
head -c $((SIZE_MB * 1024 * 1024)) /dev/urandom > "$TMP/www/package.zip"
SIZE=$(stat -c %s "$TMP/www/package.zip")
PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
python3 -m http.server "$PORT" --bind 127.0.0.1 --directory "$TMP/www" >/dev/null 2>&1 &
SERVER=$!
URL="http://127.0.0.1:$PORT/package.zip"
for i in $(seq 1 50); do curl -sf -o /dev/null -r 0-0 "$URL" && break; sleep 0.1; done
echo "file: $SIZE_MB MB from python3 http.server on 127.0.0.1:$PORT; provider heap -Xmx$XMX; java $(java -version 2>&1 | head -1)"
: > "$TMP/curl.txt"
for i in $(seq 1 "$RUNS"); do
    rm -f "$TMP/curl.out"
    S=$(curl -s -o "$TMP/curl.out" -w '%{speed_download} %{time_total}' "$URL")
    echo "$S" | awk -v r="$i" '{printf "curl run %d: %d ms, %.0f MB/s\n", r, $2 * 1000, $1 / 1e6}'
    echo "$S" | awk '{print $1 / 1e6}' >> "$TMP/curl.txt"
done
rm -f "$TMP/curl.out"
java -Xmx"$XMX" ${PROVIDER_JVM_OPTS:-} -cp "$TMP/classes:$CP" org.ocfupdate.provider.http.internal.HttpBench "$URL" "$SIZE" "$RUNS" \
    "$TMP/staged.part" | tee "$TMP/provider.txt"
python3 - "$TMP/curl.txt" "$TMP/provider.txt" <<'PY'
import re, statistics, sys
curl = [float(x) for x in open(sys.argv[1]).read().split()]
lines = open(sys.argv[2]).read().splitlines()
prov = [float(re.search(r"([\d.]+) MB/s", l).group(1)) for l in lines]
heap = [float(re.search(r"heap peak ([+-][\d.]+) MB", l).group(1)) for l in lines]
warm = prov[1:] or prov
print("SUMMARY curl median %.0f MB/s (min %.0f, max %.0f)" % (statistics.median(curl), min(curl), max(curl)))
print("SUMMARY provider median %.0f MB/s without the first run (min %.0f, max %.0f; first run %.0f)"
      % (statistics.median(warm), min(warm), max(warm), prov[0]))
print("SUMMARY ratio provider/curl %.2f (target >= 0.9)" % (statistics.median(warm) / statistics.median(curl)))
print("SUMMARY provider heap peak above the heap before the fetch: max %+.1f MB" % max(heap))
PY
