#!/bin/bash
# CoAP over DTLS (PSK) against the real gateway.jar: handshakes/s, GET /oic/d over coaps vs coap, a wrong-key
# handshake flood next to a good client, and a client reconnecting every 100 ms. Builds nothing.
#
#   bench/dtls.sh                          # everything, RUNS=3 of each measurement
#   RUNS=5 CLIENTS="1 4 16" DURATION=5 WARMUP=1 HS_CLIENTS="1 2 4" HS_DURATION=5 bench/dtls.sh
#   PHASES="get handshake flood reconnect" bench/dtls.sh     # a subset
#   GATEWAY_JAR=/path/gateway.jar bench/dtls.sh
#
# Every phase starts its own gateway (temporary home, etc/org.ocfupdate.coap.cfg host=127.0.0.1, port=0,
# securePort=0, multicast=false; USB roots in the home), reads the ports from "Gateway ready: coap ..., coaps ..."
# and the owner PSK from data/credentials/owner.properties, and stops it with SIGTERM; a fresh gateway per phase,
# because clients that go away without close_notify leave their connection in the gateway's table (2000, stale
# after 300 s) and one phase would otherwise eat the table of the next. The clients are bench/src/DtlsBench.java
# (Californium/Scandium 3.14 client classes from ~/.m2, compiled once into the work folder):
#   get        closed-loop CON GET /oic/d, plain coap and coaps interleaved, same gateway, same client code
#   handshake  full PSK handshakes, each from a new client connector on a new port (HS_CLIENTS in parallel),
#              once without close_notify (each leaves a connection behind) and once with it
#   flood      one good client doing GETs alone, then while a flooder makes wrong-key handshakes from ONE port,
#              then after; and the same with a flooder taking a new port for every attempt (ROTATE=0 skips it)
#   reconnect  a new connector (new port), full handshake and one GET every 100 ms for 60 s; gateway RSS before/after
#   table      4 parallel clients doing new handshakes for TABLE_S (40) s, without close_notify and with it: what
#              happens when more than 2000 connections (the table) are made within 300 s
# Loopback only, ephemeral ports; everything stops by itself (timeout) if this script is killed.
set -euo pipefail
cd "$(dirname "$0")/.."
JAR=${GATEWAY_JAR:-gateway-app/target/gateway.jar}
RUNS=${RUNS:-3}
CLIENTS=${CLIENTS:-"1 4 16"}
DURATION=${DURATION:-5}
WARMUP=${WARMUP:-1}
HS_CLIENTS=${HS_CLIENTS:-"1 2 4"}
HS_DURATION=${HS_DURATION:-5}
FLOOD_PHASE=${FLOOD_PHASE:-10}
RECONNECT_S=${RECONNECT_S:-60}
ROTATE=${ROTATE:-1}
TABLE_S=${TABLE_S:-40}
PHASES=${PHASES:-"get handshake flood reconnect table"}
M2=${M2:-$HOME/.m2/repository}
[ -f "$JAR" ] || { echo "dtls.sh: $JAR not found; build first: mvn -q install -DskipTests" >&2; exit 2; }

CP=""
for j in org/eclipse/californium/californium-core/3.14.0/californium-core-3.14.0.jar \
         org/eclipse/californium/element-connector/3.14.0/element-connector-3.14.0.jar \
         org/eclipse/californium/scandium/3.14.0/scandium-3.14.0.jar \
         org/slf4j/slf4j-api/2.0.17/slf4j-api-2.0.17.jar; do
    [ -f "$M2/$j" ] || { echo "dtls.sh: $M2/$j missing (mvn dependency:get -Dartifact=GROUP:ARTIFACT:VERSION)" >&2; exit 2; }
    CP="$CP:$M2/$j"
done
# optional: bcprov (not needed for PSK), a silent slf4j binding
for j in org/bouncycastle/bcprov-jdk18on/1.82/bcprov-jdk18on-1.82.jar org/slf4j/slf4j-nop/2.0.17/slf4j-nop-2.0.17.jar; do
    [ -f "$M2/$j" ] && CP="$CP:$M2/$j"
done
CP=${CP#:}

WORK=$(mktemp -d /tmp/dtls-bench.XXXXXX)
GW_PID=""; GW_JVM=""
stop_gw() {
    if [ -n "$GW_PID" ]; then
        [ -n "$GW_JVM" ] || GW_JVM=$(pgrep -P "$GW_PID" java || echo "$GW_PID")
        kill -TERM "$GW_JVM" 2>/dev/null || true
        for _ in $(seq 1 100); do kill -0 "$GW_JVM" 2>/dev/null || break; sleep 0.1; done
        kill "$GW_PID" 2>/dev/null || true
        wait "$GW_PID" 2>/dev/null || true
        GW_PID=""; GW_JVM=""
    fi
}
cleanup() {
    stop_gw
    if [ -n "${KEEP:-}" ]; then echo "# work folder kept: $WORK"; else rm -rf "$WORK"; fi
}
trap cleanup EXIT
trap 'exit 143' INT TERM

mkdir -p "$WORK/classes"
javac -nowarn -d "$WORK/classes" -cp "$CP" bench/src/DtlsBench.java
bench() { timeout 300 java -Xss512k -cp "$WORK/classes:$CP" DtlsBench "$@"; }

free_tcp_port() {
    local p
    while :; do
        p=$(( 20000 + RANDOM % 40000 ))
        ss -Htan "sport = :$p" | grep -q . || { echo "$p"; return; }
    done
}
proc_rss_mb() { awk '/^VmRSS:/ { printf "%.1f", $2 / 1024 }' "/proc/$1/status"; }
proc_cpu_s() { awk -v hz="$(getconf CLK_TCK)" '{ printf "%.1f", ($14 + $15) / hz }' "/proc/$1/stat"; }

GW_N=0
start_gw() { # sets GW_PID GW_JVM HOME_GW PORT SPORT ID KEY
    GW_N=$((GW_N + 1))
    HOME_GW="$WORK/gw$GW_N"
    mkdir -p "$HOME_GW/etc" "$HOME_GW/tmp" "$HOME_GW/media"
    printf 'host=127.0.0.1\nport=0\nsecurePort=0\nmulticast=false\n' > "$HOME_GW/etc/org.ocfupdate.coap.cfg"
    printf 'roots=%s\n' "$HOME_GW/media" > "$HOME_GW/etc/org.ocfupdate.provider.usb.cfg"
    : > "$HOME_GW/gateway.log"
    timeout 900 java -Djava.io.tmpdir="$HOME_GW/tmp" -Dfelix.fileinstall.enableConfigSave=false \
        -Dgateway.home="$HOME_GW" -Dorg.osgi.service.http.port="$(free_tcp_port)" -jar "$JAR" \
        </dev/null >"$HOME_GW/gateway.log" 2>&1 &
    GW_PID=$!
    local ready=""
    for _ in $(seq 1 600); do
        ready=$(grep -m1 'Gateway ready: coap' "$HOME_GW/gateway.log" || true)
        [ -n "$ready" ] && break
        kill -0 "$GW_PID" 2>/dev/null || { cat "$HOME_GW/gateway.log" >&2; echo "gateway exited" >&2; exit 1; }
        sleep 0.1
    done
    [ -n "$ready" ] || { echo "gateway not ready in 60 s; see $HOME_GW/gateway.log" >&2; exit 1; }
    PORT=$(sed -n 's/.*coap \/127\.0\.0\.1:\([0-9]*\).*/\1/p' <<<"$ready")
    SPORT=$(sed -n 's/.*coaps \/127\.0\.0\.1:\([0-9]*\).*/\1/p' <<<"$ready")
    [ -n "$SPORT" ] || { echo "no coaps port in: $ready" >&2; exit 1; }
    ID=$(sed -n 's/^identity=//p' "$HOME_GW/data/credentials/owner.properties")
    KEY=$(sed -n 's/^key=//p' "$HOME_GW/data/credentials/owner.properties")
    GW_JVM=$(pgrep -P "$GW_PID" java || echo "$GW_PID")
    sleep 2 # let the Web Console (start level 2) come up, so that it does not run inside the first measurement
}
gw_log_tail() { # lines of interest from the gateway's log
    grep -E 'AbuseGuard|DTLS|coaps|Scandium|scandium' "$HOME_GW/gateway.log" \
        | grep -vE 'read pstat with|Gateway ready|defaults added|listening on|Starting worker|Limit MTU|Created new InMemory|Started endpoint|uses strict|BlockwiseLayer|CoAP server listening' \
        | sed 's/^org\.[^ ]* \[org\.[a-z.]*\.\([A-Za-z]*\)\] /  gw: \1 /; s/127\.0\.0\.1:[0-9]*/127.0.0.1:PORT/g' | cut -c1-220 \
        | sort | uniq -c | sort -rn | head -n "${1:-8}" || true
}
field() { sed -n "s/.* $1=\([^ ]*\).*/\1/p" <<<"$2"; }
stats() { # "median (min–max), n" of numbers on stdin
    sort -g | awk '{ v[NR] = $1 } END { if (NR == 0) { print "-"; exit }
        m = NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2
        printf "%.6g (%.6g–%.6g, n=%d)", m, v[1], v[NR], NR }'
}

echo "# $(date -u +%Y-%m-%dT%H:%MZ) $(nproc) cores; load average before: $(cut -d' ' -f1-3 /proc/loadavg); $JAR"
echo "# figures from a machine shared with other work: medians of RUNS=$RUNS with min–max"

for phase in $PHASES; do
case $phase in
get)
    start_gw
    echo
    echo "## GET /oic/d, closed loop, coap vs coaps, same gateway (coap $PORT, coaps $SPORT), ${DURATION}s after ${WARMUP}s warm-up, $RUNS runs"
    : > "$WORK/get.txt"
    for r in $(seq 1 "$RUNS"); do
        for c in $CLIENTS; do
            for s in coap coaps; do
                if [ $s = coap ]; then u="coap://127.0.0.1:$PORT/oic/d"; else u="coaps://127.0.0.1:$SPORT/oic/d"; fi
                line=$(bench get "$u" --identity "$ID" --key "$KEY" --clients "$c" --duration "$DURATION" \
                    --warmup "$WARMUP" | grep -E '^RESULT|^#')
                echo "$line" | grep '^#' || true
                line=$(grep '^RESULT' <<<"$line")
                echo "run $r $s clients=$c: $(field throughput "$line") req/s p50 $(field p50_ms "$line") ms p99 $(field p99_ms "$line") ms errors $(field errors "$line") timeouts $(field timeouts "$line")"
                echo "$s $c $line" >> "$WORK/get.txt"
            done
        done
    done
    printf '%-8s | %-44s | %-44s | %-44s | %s\n' clients "coap req/s" "coaps req/s" "p50 ms coap / coaps" "p99 ms coap / coaps"
    for c in $CLIENTS; do
        g() { awk -v s="$1" -v c="$c" '$1 == s && $2 == c' "$WORK/get.txt" | sed -n "s/.* $2=\([^ ]*\).*/\1/p" | stats; }
        printf '%-8s | %-44s | %-44s | %s / %s | %s / %s\n' "$c" "$(g coap throughput)" "$(g coaps throughput)" \
            "$(g coap p50_ms)" "$(g coaps p50_ms)" "$(g coap p99_ms)" "$(g coaps p99_ms)"
    done
    echo "# gateway RSS after: $(proc_rss_mb "$GW_JVM") MB"
    gw_log_tail
    stop_gw
    ;;
handshake)
    echo
    echo "## full PSK handshakes (new client connector and port each), ${HS_DURATION}s per run, $RUNS runs; a fresh gateway per run"
    : > "$WORK/hs.txt"
    for r in $(seq 1 "$RUNS"); do
        for close in "" --close; do
            start_gw
            for c in $HS_CLIENTS; do
                line=$(bench handshake "coaps://127.0.0.1:$SPORT" --identity "$ID" --key "$KEY" --clients "$c" \
                    --duration "$HS_DURATION" $close | grep -E '^RESULT|^#')
                echo "$line" | grep '^#' | sort | uniq -c || true
                line=$(grep '^RESULT' <<<"$line")
                echo "run $r clients=$c close_notify=${close:+yes}: $(field per_s "$line") handshakes/s ($(field handshakes "$line") ok, $(field failed "$line") failed) p50 $(field p50_ms "$line") ms p99 $(field p99_ms "$line") ms"
                echo "${close:-noclose} $c $line" >> "$WORK/hs.txt"
            done
            echo "# gateway RSS after: $(proc_rss_mb "$GW_JVM") MB"
            stop_gw
            gw_log_tail 4
        done
    done
    printf '%-8s | %-13s | %-40s | %-40s | %s\n' clients close_notify "handshakes/s" "p50 ms" "p99 ms"
    for close in noclose --close; do
        for c in $HS_CLIENTS; do
            h() { awk -v s="$close" -v c="$c" '$1 == s && $2 == c' "$WORK/hs.txt" | sed -n "s/.* $1=\([^ ]*\).*/\1/p" | stats; }
            printf '%-8s | %-13s | %-40s | %-40s | %s\n' "$c" "$([ $close = --close ] && echo yes || echo no)" \
                "$(h per_s)" "$(h p50_ms)" "$(h p99_ms)"
        done
    done
    ;;
flood)
    for mode in fixed rotate; do
        [ $mode = rotate ] && [ "$ROTATE" != 1 ] && continue
        echo
        echo "## wrong-key handshake flood ($mode port) next to one good coaps client: ${FLOOD_PHASE}s alone, ${FLOOD_PHASE}s during, ${FLOOD_PHASE}s after"
        for r in $(seq 1 "$RUNS"); do
            start_gw
            cpu0=$(proc_cpu_s "$GW_JVM")
            out=$(bench flood "coaps://127.0.0.1:$SPORT/oic/d" --identity "$ID" --key "$KEY" --duration "$FLOOD_PHASE" \
                $([ $mode = rotate ] && echo --rotate))
            cpu1=$(proc_cpu_s "$GW_JVM")
            grep '^#' <<<"$out" | sort | uniq -c || true
            for w in alone during-flood after-flood; do
                line=$(grep "#$w " <<<"$out")
                echo "run $r good client $w: $(field throughput "$line") req/s p50 $(field p50_ms "$line") ms p99 $(field p99_ms "$line") ms timeouts $(field timeouts "$line")"
                echo "$mode $w $line" >> "$WORK/flood.txt"
            done
            line=$(grep 'mode=flood' <<<"$out")
            echo "run $r flooder: $(field attempts "$line") handshake attempts ($(field per_s "$line")/s): $(field wrong_key "$line") full handshakes (bad Finished ignored), $(field unanswered "$line") ClientHellos unanswered, $(field other_errors "$line") other errors, $(field completed "$line") completed; a new client afterwards: $(field new_client_after "$line"); gateway CPU $(awk -v a="$cpu0" -v b="$cpu1" 'BEGIN { print b - a }') s over the 3 phases"
            echo "$mode flooder $line" >> "$WORK/flood.txt"
            stop_gw
            gw_log_tail 6
        done
        printf '%-14s | %-40s | %-40s | %s\n' "good client" "req/s" "p50 ms" "p99 ms"
        for w in alone during-flood after-flood; do
            f() { awk -v m="$mode" -v w="$w" '$1 == m && $2 == w' "$WORK/flood.txt" | sed -n "s/.* $1=\([^ ]*\).*/\1/p" | stats; }
            printf '%-14s | %-40s | %-40s | %s\n' "$w" "$(f throughput)" "$(f p50_ms)" "$(f p99_ms)"
        done
    done
    ;;
reconnect)
    echo
    echo "## a client with a new port, full handshake and one GET every 100 ms for ${RECONNECT_S}s (no close_notify)"
    start_gw
    rss0=$(proc_rss_mb "$GW_JVM")
    line=$(bench reconnect "coaps://127.0.0.1:$SPORT/oic/d" --identity "$ID" --key "$KEY" --interval-ms 100 \
        --duration "$RECONNECT_S")
    echo "$line" | grep '^#' | sort | uniq -c || true
    line=$(grep '^RESULT' <<<"$line")
    rss1=$(proc_rss_mb "$GW_JVM")
    # after all that, a new client still gets in
    after=$(bench handshake "coaps://127.0.0.1:$SPORT" --identity "$ID" --key "$KEY" --clients 1 --duration 1 | grep '^RESULT')
    echo "reconnect: $(field ok "$line") ok, $(field failed "$line") failed in $(field seconds "$line") s; handshake+GET p50 $(field handshake_get_p50_ms "$line") ms p99 $(field p99_ms "$line") ms max $(field max_ms "$line") ms"
    echo "gateway RSS before $rss0 MB, after $rss1 MB; then handshakes still succeed: $(field handshakes "$after") ok, $(field failed "$after") failed in 1 s"
    stop_gw
    gw_log_tail 4
    ;;
table)
    echo
    echo "## connection table: 4 clients making new handshakes for ${TABLE_S}s (table: 4000 connections, stale after 60 s)"
    for close in "" --close; do
        start_gw
        line=$(bench handshake "coaps://127.0.0.1:$SPORT" --identity "$ID" --key "$KEY" --clients 4 \
            --duration "$TABLE_S" $close | grep -E '^RESULT|^#')
        echo "$line" | grep '^#' | sort | uniq -c || true
        line=$(grep '^RESULT' <<<"$line")
        echo "close_notify=$([ -n "$close" ] && echo yes || echo no): $(field handshakes "$line") handshakes ok, $(field failed "$line") failed in $(field seconds "$line") s; gateway RSS $(proc_rss_mb "$GW_JVM") MB"
        stop_gw
        gw_log_tail 4
    done
    ;;
*) echo "dtls.sh: unknown phase $phase" >&2; exit 2 ;;
esac
done
echo
echo "# load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
