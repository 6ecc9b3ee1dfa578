#!/bin/sh
# How many wrong Web Console passwords an attacker gets checked (builds nothing).
#
#   bench/console-login.sh [SECONDS]              # default 60 s, 4 clients in parallel
#   CLIENTS=1 bench/console-login.sh 30
#   GATEWAY_JAR=/path/gateway.jar bench/console-login.sh   # another build, e.g. one before the throttle
#
# Starts gateway.jar in a fresh temporary home (CoAP on 127.0.0.1, ephemeral ports, console on a free port), waits
# for the console, then CLIENTS keep-alive connections from 127.0.0.1 send GET /system/console/bundles with the
# right user and a wrong password, back to back, for SECONDS. Counts the answers: 401 = the password was checked,
# 429 = refused without a check (locked address). Prints totals, checked per second and per minute, when each
# checked try happened, and the gateway's throttle warnings.
set -eu
cd "$(dirname "$0")/.."
SECONDS_=${1:-60}
JAR=${GATEWAY_JAR:-gateway-app/target/gateway.jar}
[ -f "$JAR" ] || { echo "console-login.sh: $JAR not found; build first" >&2; exit 2; }
HOME_=$(mktemp -d /tmp/ocf-console-login-XXXXXX)
PID=""
cleanup() { [ -n "$PID" ] && kill "$PID" 2>/dev/null; rm -rf "$HOME_"; }
trap cleanup EXIT INT TERM
mkdir -p "$HOME_/etc"
printf 'host=127.0.0.1\nport=0\nsecurePort=0\nmulticast=false\n' > "$HOME_/etc/org.ocfupdate.coap.cfg"
PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
java -Dgateway.home="$HOME_" -Dorg.osgi.service.http.port="$PORT" -jar "$JAR" </dev/null >"$HOME_/gateway.log" 2>&1 &
PID=$!
echo "gateway $JAR, console on 127.0.0.1:$PORT; ${CLIENTS:-4} clients for $SECONDS_ s; java $(java -version 2>&1 | head -1)"
python3 - "$PORT" "$HOME_" "$SECONDS_" "${CLIENTS:-4}" <<'PY'
import base64, http.client, sys, threading, time
port, home, seconds, clients = int(sys.argv[1]), sys.argv[2], float(sys.argv[3]), int(sys.argv[4])
creds = home + "/data/credentials/console.properties"
for _ in range(600):
    try:
        props = dict(l.strip().split("=", 1) for l in open(creds) if "=" in l and not l.startswith("#"))
        c = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
        c.request("GET", "/system/console/bundles", headers={"Authorization": "Basic " + base64.b64encode(
            (props["user"] + ":" + props["password"]).encode()).decode()})
        if c.getresponse().status == 200:
            break
    except (OSError, KeyError):
        pass
    time.sleep(0.1)
else:
    sys.exit("the console did not answer")
wrong = {"Authorization": "Basic " + base64.b64encode((props["user"] + ":wrong").encode()).decode()}
counts, checked_at, lock = {}, [], threading.Lock()
start = time.monotonic()
end = start + seconds
def client():
    c = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    while time.monotonic() < end:
        try:
            c.request("GET", "/system/console/bundles", headers=wrong)
            r = c.getresponse(); r.read()
            s = r.status
        except OSError:
            c.close(); c = http.client.HTTPConnection("127.0.0.1", port, timeout=10); s = "error"
        with lock:
            counts[s] = counts.get(s, 0) + 1
            if s == 401:
                checked_at.append(time.monotonic() - start)
threads = [threading.Thread(target=client) for _ in range(clients)]
for t in threads: t.start()
for t in threads: t.join()
took = time.monotonic() - start
total = sum(counts.values())
checked = counts.get(401, 0)
print("requests %d in %.1f s (%.0f/s): %s" % (total, took, total / took,
      ", ".join("%s x%d" % (k, v) for k, v in sorted(counts.items(), key=str))))
print("SUMMARY wrong passwords checked: %d in %.0f s = %.2f/s, %.1f/min; refused unchecked (429): %d"
      % (checked, took, checked / took, checked * 60 / took, counts.get(429, 0)))
print("checked at (s): " + " ".join("%.1f" % t for t in checked_at[:40]) + (" ..." if len(checked_at) > 40 else ""))
PY
grep -h "wrong passwords" "$HOME_/gateway.log" | sed 's/^.*WARN : /log: /' | head -3 || true
