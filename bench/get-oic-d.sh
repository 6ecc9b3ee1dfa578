#!/bin/bash
# Throughput and latency of GET /oic/d: the gateway (Californium) against Debian's libcoap example server
# (coap-server-notls, libcoap3-bin 4.3.1) serving a resource of the same path, payload and content-format.
#
#   bench/get-oic-d.sh                       # 1, 4 and 16 clients, 10 s each (+2 s warm-up), both servers
#   CLIENTS="1 4 16 64" DURATION=10 WARMUP=2 bench/get-oic-d.sh
#   PIN=1 bench/get-oic-d.sh                 # server on CPU 0, load generator on CPU 1 (taskset)
#   GATEWAY_OPTS="-Xmx64m -XX:+UseSerialGC" bench/get-oic-d.sh
#   GATEWAY_JAR=/path/gateway.jar bench/get-oic-d.sh
#   GATEWAY_ENV="MALLOC_ARENA_MAX=2" bench/get-oic-d.sh   # environment of the gateway's JVM only
#
# Builds nothing. Everything runs on 127.0.0.1 and stops by itself (timeout) if this script is killed.
# The load generator is bench/src/CoapLoad.java (JDK only, closed loop, one socket per client, CON GET).
set -euo pipefail
cd "$(dirname "$0")/.."
JAR=${GATEWAY_JAR:-gateway-app/target/gateway.jar}
CLIENTS=${CLIENTS:-"1 4 16"}
DURATION=${DURATION:-10}
WARMUP=${WARMUP:-2}
GATEWAY_OPTS=${GATEWAY_OPTS:-}
GATEWAY_ENV=${GATEWAY_ENV:-}
[ -f "$JAR" ] || { echo "get-oic-d.sh: $JAR not found; build first: mvn -q install -DskipTests" >&2; exit 2; }
command -v coap-server-notls >/dev/null || { echo "get-oic-d.sh: coap-server-notls missing (apt-get install libcoap3-bin)" >&2; exit 2; }
command -v coap-client-notls >/dev/null || { echo "get-oic-d.sh: coap-client-notls missing (apt-get install libcoap3-bin)" >&2; exit 2; }

N=0; for c in $CLIENTS; do N=$((N + 1)); done
BUDGET=$(( N * 2 * (DURATION + WARMUP + 15) + 120 ))   # seconds: everything started here stops by then
SERVER_CPU=""; LOAD_CPU=""
if [ "${PIN:-0}" = 1 ]; then SERVER_CPU="taskset -c 0"; LOAD_CPU="taskset -c 1"; fi

WORK=$(mktemp -d /tmp/get-oic-d.XXXXXX)
GW_PID=""; CS_PID=""
cleanup() {
    for p in $GW_PID $CS_PID; do kill "$p" 2>/dev/null || true; done
    for p in $GW_PID $CS_PID; do wait "$p" 2>/dev/null || true; done
    rm -rf "$WORK"
}
trap cleanup EXIT INT TERM

free_udp_port() {
    local p
    while :; do
        p=$(( 20000 + RANDOM % 40000 ))
        ss -Huan "sport = :$p" | grep -q . || { echo "$p"; return; }
    done
}
free_tcp_port() {
    local p
    while :; do
        p=$(( 20000 + RANDOM % 40000 ))
        ss -Htan "sport = :$p" | grep -q . || { echo "$p"; return; }
    done
}
proc_cpu_s() { # user+system CPU seconds of a PID
    awk -v hz="$(getconf CLK_TCK)" '{ print ($14 + $15) / hz }' "/proc/$1/stat"
}
busy_s() { # CPU seconds all processes used since boot
    awk -v hz="$(getconf CLK_TCK)" '/^cpu / { print ($2 + $3 + $4 + $7 + $8 + $9) / hz; exit }' /proc/stat
}
proc_rss_mb() {
    awk '/^VmRSS:/ { printf "%.1f", $2 / 1024 }' "/proc/$1/status"
}

# --- the gateway: 127.0.0.1, ephemeral port, no multicast ---
mkdir -p "$WORK/gw/etc" "$WORK/gw/tmp"
printf 'host=127.0.0.1\nport=0\nsecurePort=0\nmulticast=false\n' > "$WORK/gw/etc/org.ocfupdate.coap.cfg"
: > "$WORK/gw/gateway.log"   # exists before the first poll: set -e ends the script on a missing file
# shellcheck disable=SC2086
# java.io.tmpdir inside the work folder for older jars: bnd's launcher unpacked 1.2 MB there at every start (today's
# gateway puts its temporary files in data/tmp/PID itself)
$SERVER_CPU timeout "$BUDGET" env $GATEWAY_ENV java -Djava.io.tmpdir="$WORK/gw/tmp" $GATEWAY_OPTS -Dfelix.fileinstall.enableConfigSave=false \
    -Dgateway.home="$WORK/gw" -Dorg.osgi.service.http.port="$(free_tcp_port)" -jar "$JAR" \
    </dev/null >"$WORK/gw/gateway.log" 2>&1 &
GW_PID=$!
GW_PORT=""
for _ in $(seq 1 600); do
    GW_PORT=$(sed -n 's/.*Gateway ready: coap \/127\.0\.0\.1:\([0-9]*\).*/\1/p' "$WORK/gw/gateway.log" | head -n 1)
    [ -n "$GW_PORT" ] && break
    kill -0 "$GW_PID" 2>/dev/null || { cat "$WORK/gw/gateway.log" >&2; echo "gateway exited" >&2; exit 1; }
    sleep 0.1
done
[ -n "$GW_PORT" ] || { cat "$WORK/gw/gateway.log" >&2; echo "gateway not ready on 127.0.0.1 in 60 s" >&2; exit 1; }
# GW_PID is timeout(1) (or taskset exec'ing it); the JVM is its child
GW_JVM=$(pgrep -P "$GW_PID" java || echo "$GW_PID")

timeout 20 coap-client-notls -m get -B 5 -o "$WORK/oic-d.cbor" "coap://127.0.0.1:$GW_PORT/oic/d" >/dev/null 2>&1 || true
[ -s "$WORK/oic-d.cbor" ] || { echo "no /oic/d payload from the gateway" >&2; exit 1; }
SIZE=$(stat -c %s "$WORK/oic-d.cbor")

# --- libcoap's example server; -d lets a PUT create /oic/d, which then serves GET with that payload ---
CS_PORT=$(free_udp_port)
# shellcheck disable=SC2086
$SERVER_CPU timeout "$BUDGET" coap-server-notls -A 127.0.0.1 -p "$CS_PORT" -d 4 -v 3 >"$WORK/coap-server.log" 2>&1 &
CS_PID=$!
sleep 0.5
CS_BIN=$(pgrep -P "$CS_PID" coap-server || echo "$CS_PID")
timeout 20 coap-client-notls -m put -t 10000 -f "$WORK/oic-d.cbor" -B 5 "coap://127.0.0.1:$CS_PORT/oic/d" >/dev/null 2>&1 || true
timeout 20 coap-client-notls -m get -B 5 -o "$WORK/cs-oic-d.cbor" "coap://127.0.0.1:$CS_PORT/oic/d" >/dev/null 2>&1 || true
cmp -s "$WORK/oic-d.cbor" "$WORK/cs-oic-d.cbor" || { echo "coap-server does not serve the same /oic/d payload" >&2; exit 1; }

echo "# $(date -u +%Y-%m-%dT%H:%MZ) $(nproc) cores; load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "# gateway: $JAR on 127.0.0.1:$GW_PORT (JVM options: ${GATEWAY_OPTS:-none}; environment: ${GATEWAY_ENV:-inherited}); libcoap coap-server-notls on 127.0.0.1:$CS_PORT"
echo "# GET /oic/d, payload $SIZE bytes CBOR (content-format 10000) from both; ${DURATION}s measured after ${WARMUP}s warm-up; pinned: ${PIN:-0}"

declare -A R
run_load() { # server-label port clients
    # shellcheck disable=SC2086
    $LOAD_CPU timeout $((DURATION + WARMUP + 60)) java bench/src/CoapLoad.java "coap://127.0.0.1:$2/oic/d" \
        --clients "$3" --duration "$DURATION" --warmup "$WARMUP" | grep '^RESULT' | tee -a "$WORK/results.txt"
}
field() { sed -n "s/.* $1=\([^ ]*\).*/\1/p" <<<"$2"; }

for c in $CLIENTS; do
    for s in gateway libcoap; do
        if [ $s = gateway ]; then port=$GW_PORT; pid=$GW_JVM; else port=$CS_PORT; pid=$CS_BIN; fi
        cpu0=$(proc_cpu_s "$pid"); busy0=$(busy_s)
        line=$(run_load $s "$port" "$c")
        cpu1=$(proc_cpu_s "$pid"); busy1=$(busy_s)
        server=$(awk -v a="$cpu0" -v b="$cpu1" 'BEGIN { printf "%.1f", b - a }')
        # CPU used by anything but the server and the load generator during the run (a build next to it, ...)
        other=$(awk -v a="$busy0" -v b="$busy1" -v s="$server" -v l="$(field loadgen_cpu_s "$line")" \
            'BEGIN { o = b - a - s - l; printf "%.1f", o < 0 ? 0 : o }')
        R[$s,$c]="$line server_cpu_s=$server other_cpu_s=$other rss_mb=$(proc_rss_mb "$pid")"
    done
done

echo
printf '%-7s | %-50s | %-50s | %s\n' "" "gateway (Californium 3.14, JVM)" "libcoap 4.3.1 coap-server-notls (C)" ""
printf '%-7s | %9s %7s %7s %6s %6s %7s | %9s %7s %7s %6s %6s %7s | %s\n' clients "req/s" "p50 ms" "p99 ms" \
    "err/to" "CPU s" "other s" "req/s" "p50 ms" "p99 ms" "err/to" "CPU s" "other s" "gateway/libcoap"
for c in $CLIENTS; do
    g=${R[gateway,$c]}; l=${R[libcoap,$c]}
    printf '%-7s | %9s %7s %7s %6s %6s %7s | %9s %7s %7s %6s %6s %7s | %s\n' "$c" \
        "$(field throughput "$g")" "$(field p50_ms "$g")" "$(field p99_ms "$g")" \
        "$(field errors "$g")/$(field timeouts "$g")" "$(field server_cpu_s "$g")" "$(field other_cpu_s "$g")" \
        "$(field throughput "$l")" "$(field p50_ms "$l")" "$(field p99_ms "$l")" \
        "$(field errors "$l")/$(field timeouts "$l")" "$(field server_cpu_s "$l")" "$(field other_cpu_s "$l")" \
        "$(awk -v a="$(field throughput "$g")" -v b="$(field throughput "$l")" 'BEGIN { printf "%.2f", a / b }')"
done
echo "# CPU s: CPU seconds the server used during the run (warm-up included); other s: CPU seconds used by"
echo "# anything else than the server and the load generator (should be ~0; a build next to the benchmark shows here)"
echo "# gateway RSS after the runs: $(proc_rss_mb "$GW_JVM") MB; libcoap: $(proc_rss_mb "$CS_BIN") MB; load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
