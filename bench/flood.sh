#!/bin/bash
# Unauthenticated plain-CoAP flood from many source ports against the real gateway.jar started with a small heap
# (issue 12, item 9): heap before, during and after, and the owner's DTLS GETs of /oic/sec/pstat during the flood.
#
#   bench/flood.sh                                 # HEAP=128m PORTS=60000 RUNS=1
#   HEAP=64m PORTS=60000 RUNS=3 bench/flood.sh
#   GATEWAY_OPTS="-XX:+UseSerialGC -XX:+ExitOnOutOfMemoryError" HEAP=64m bench/flood.sh   # more JVM options
#   GATEWAY_JAR=/path/gateway.jar bench/flood.sh   # e.g. a build of an older commit, for comparison
#
# A fresh gateway per run (temporary home, 127.0.0.1, port=0, securePort=0, no multicast), java -Xmx$HEAP.
# bench/src/FloodBench.java binds every source port from 2000 upwards in turn (ports in use are skipped), sends a
# Block1 POST of /oic/sec/pstat (block 0 of 1024 bytes, more to come), a GET of /oic/d and a GET of /oic/res from
# it, closes it, and GETs /oic/sec/pstat over DTLS as the owner every 100 ms meanwhile. Heap: "used" of jcmd
# GC.heap_info every second during the flood (max shown), and live heap (after jcmd GC.run) before and after.
# Loopback only; every process is bounded by timeout.
set -euo pipefail
cd "$(dirname "$0")/.."
JAR=${GATEWAY_JAR:-gateway-app/target/gateway.jar}
HEAP=${HEAP:-128m}
PORTS=${PORTS:-60000}
RUNS=${RUNS:-1}
M2=${M2:-$HOME/.m2/repository}
[ -f "$JAR" ] || { echo "flood.sh: $JAR not found; build first: mvn -q package -DskipTests" >&2; exit 2; }
CP=""
for j in org/eclipse/californium/californium-core/3.14.0/californium-core-3.14.0.jar \
         org/eclipse/californium/element-connector/3.14.0/element-connector-3.14.0.jar \
         org/eclipse/californium/scandium/3.14.0/scandium-3.14.0.jar \
         org/slf4j/slf4j-api/2.0.17/slf4j-api-2.0.17.jar; do
    [ -f "$M2/$j" ] || { echo "flood.sh: $M2/$j missing" >&2; exit 2; }
    CP="$CP:$M2/$j"
done
[ -f "$M2/org/slf4j/slf4j-nop/2.0.17/slf4j-nop-2.0.17.jar" ] && CP="$CP:$M2/org/slf4j/slf4j-nop/2.0.17/slf4j-nop-2.0.17.jar"
CP=${CP#:}
WORK=$(mktemp -d /tmp/flood-bench.XXXXXX)
GW_PID=""
SAMPLER=""
cleanup() {
    [ -n "$SAMPLER" ] && kill "$SAMPLER" 2>/dev/null || true
    if [ -n "$GW_PID" ]; then kill -TERM "$GW_PID" 2>/dev/null || true; wait "$GW_PID" 2>/dev/null || true; fi
    if [ -n "${KEEP:-}" ]; then echo "# work folder kept: $WORK"; else rm -rf "$WORK"; fi
}
trap cleanup EXIT
trap 'exit 143' INT TERM
mkdir -p "$WORK/classes"
javac -nowarn -d "$WORK/classes" -cp "$CP" bench/src/FloodBench.java

used_mb() { jcmd "$1" GC.heap_info 2>/dev/null | awk '/total .* used/ { for (i = 1; i <= NF; i++) if ($i == "used") { v = $(i + 1); sub(/K,?/, "", v); printf "%.1f", v / 1024; exit } }'; }
live_mb() { jcmd "$1" GC.run >/dev/null 2>&1; used_mb "$1"; }

echo "# $(date -u +%Y-%m-%dT%H:%MZ) $(nproc) cores; load average before: $(cut -d' ' -f1-3 /proc/loadavg); $JAR; -Xmx$HEAP; $PORTS ports"
for r in $(seq 1 "$RUNS"); do
    H="$WORK/gw$r"
    mkdir -p "$H/etc" "$H/tmp" "$H/media"
    printf 'host=127.0.0.1\nport=0\nsecurePort=0\nmulticast=false\n' > "$H/etc/org.ocfupdate.coap.cfg"
    printf 'roots=%s\n' "$H/media" > "$H/etc/org.ocfupdate.provider.usb.cfg"
    # shellcheck disable=SC2086
    timeout 900 java ${GATEWAY_OPTS:-} -Xmx"$HEAP" -Djava.io.tmpdir="$H/tmp" -Dfelix.fileinstall.enableConfigSave=false \
        -Dgateway.home="$H" -Dorg.osgi.service.http.port=0 -jar "$JAR" </dev/null >"$H/gateway.log" 2>&1 &
    GW_PID=$!
    ready=""
    for _ in $(seq 1 600); do
        ready=$(grep -m1 'Gateway ready: coap' "$H/gateway.log" || true)
        [ -n "$ready" ] && break
        kill -0 "$GW_PID" 2>/dev/null || { cat "$H/gateway.log" >&2; exit 1; }
        sleep 0.1
    done
    [ -n "$ready" ] || { echo "gateway not ready in 60 s" >&2; exit 1; }
    PORT=$(sed -n 's/.*coap \/127\.0\.0\.1:\([0-9]*\).*/\1/p' <<<"$ready")
    SPORT=$(sed -n 's/.*coaps \/127\.0\.0\.1:\([0-9]*\).*/\1/p' <<<"$ready")
    JVM=$(pgrep -P "$GW_PID" java || echo "$GW_PID") # GW_PID is timeout's
    ID=$(sed -n 's/^identity=//p' "$H/data/credentials/owner.properties")
    KEY=$(sed -n 's/^key=//p' "$H/data/credentials/owner.properties")
    sleep 3
    before=$(live_mb "$JVM")
    ( while kill -0 "$JVM" 2>/dev/null; do used_mb "$JVM"; echo; sleep 1; done ) > "$H/heap.txt" &
    SAMPLER=$!
    line=$(timeout 600 java -cp "$WORK/classes:$CP" FloodBench "coap://127.0.0.1:$PORT" \
        "coaps://127.0.0.1:$SPORT/oic/sec/pstat" --identity "$ID" --key "$KEY" --ports "$PORTS" | grep '^RESULT' || true)
    kill "$SAMPLER" 2>/dev/null || true; wait "$SAMPLER" 2>/dev/null || true; SAMPLER=""
    peak=$(sort -g "$H/heap.txt" | tail -1)
    alive=yes; kill -0 "$JVM" 2>/dev/null || alive=no
    after=$([ $alive = yes ] && live_mb "$JVM" || echo -)
    # still answering after the flood?
    post=$([ $alive = yes ] && timeout 60 java -cp "$WORK/classes:$CP" FloodBench "coap://127.0.0.1:$PORT" \
        "coaps://127.0.0.1:$SPORT/oic/sec/pstat" --identity "$ID" --key "$KEY" --ports 0 2>&1 | grep -c '^RESULT' || echo 0)
    echo "run $r: $line"
    echo "run $r: heap live before ${before} MB, used during flood max ${peak} MB, live after ${after} MB; gateway alive: $alive; owner GET after the flood: $([ "$post" = 1 ] && echo ok || echo FAILED); OutOfMemoryError in log: $(grep -c OutOfMemoryError "$H/gateway.log" || true)"
    grep -E 'Duplicate detection full|cleaned up .* block' "$H/gateway.log" | sed 's/^.*\] //' | sort | uniq -c | head -3 || true
    kill -TERM "$JVM" 2>/dev/null || true; wait "$GW_PID" 2>/dev/null || true; GW_PID=""
done
echo "# load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
