#!/bin/bash
# Memory and GC cost of the 16-client GET /oic/d load under given JVM options: starts gateway.jar (temporary home,
# 127.0.0.1, ephemeral ports), runs bench/src/CoapLoad.java (16 clients, 10 s after 2 s warm-up), and prints the
# throughput, the gateway's CPU and its collectors' CPU (user+sys from -Xlog:gc+cpu) per 1 000 requests — steadier
# than throughput on a shared machine — and VmRSS 7 s after the load (time for a native-heap trim).
#
#   bench/gc-cost.sh "$(bench/shipped-opts.sh)"
#   bench/gc-cost.sh "-XX:+UseSerialGC -Xmx128m -Xms16m"
#   GATEWAY_JAR=/path/gateway.jar CLIENTS=4 bench/gc-cost.sh "..."
set -euo pipefail
cd "$(dirname "$0")/.."
JAR=${GATEWAY_JAR:-gateway-app/target/gateway.jar}
OPTS=${1:-}
H=$(mktemp -d /tmp/gc-cost.XXXXXX); mkdir -p "$H/etc"
PID=""
trap '[ -n "$PID" ] && kill "$PID" 2>/dev/null; rm -rf "$H"' EXIT INT TERM
PORT=$(python3 -c 'import socket; s=socket.socket(socket.AF_INET,socket.SOCK_DGRAM); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
printf 'host=127.0.0.1\nport=%s\nsecurePort=0\nmulticast=false\n' "$PORT" > "$H/etc/org.ocfupdate.coap.cfg"
# shellcheck disable=SC2086
java $OPTS -Xlog:gc*=info:file="$H/gc.log" -Dgateway.home="$H" -Dorg.osgi.service.http.port=0 \
  -Dfelix.fileinstall.enableConfigSave=false -jar "$JAR" </dev/null >"$H/log" 2>&1 &
PID=$!
for _ in $(seq 600); do grep -q 'Gateway ready' "$H/log" 2>/dev/null && break; sleep 0.1; done
grep -q 'Gateway ready' "$H/log" || { echo "gc-cost.sh: the gateway did not start" >&2; cat "$H/log" >&2; exit 1; }
sleep 3
ticks() { awk '{print $14+$15}' "/proc/$PID/stat"; }
T0=$(ticks); G0=$(grep -c 'User=' "$H/gc.log" || true)
R=$(java bench/src/CoapLoad.java "coap://127.0.0.1:$PORT/oic/d" --clients "${CLIENTS:-16}" --duration 10 --warmup 2 2>&1 | tail -1)
T1=$(ticks)
sleep 7
python3 - "$H/gc.log" "$G0" "$T0" "$T1" "$(getconf CLK_TCK)" "$R" "$(grep VmRSS "/proc/$PID/status")" <<'PY'
import re, sys
log, g0, t0, t1, hz, result, rss = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5]), sys.argv[6], sys.argv[7]
n = int(re.search(r'requests=(\d+)', result).group(1))
text = open(log).read()
gc = [float(u) + float(s) for u, s in re.findall(r'User=([0-9.]+)s Sys=([0-9.]+)s', text)][g0:]
full = len(re.findall(r'Pause Full', text))
print(f"{re.search(r'throughput=[0-9.]+', result).group(0)} req/s; gateway CPU {(t1 - t0) / hz / n * 1e6:.1f} ms "
      f"and GC CPU {sum(gc) / n * 1e6:.1f} ms per 1 000 requests ({len(gc)} collections during the load, {full} full "
      f"since start); VmRSS 7 s after: {int(rss.split()[1]) / 1024:.1f} MB")
PY
