#!/bin/bash
# Prints the JVM options we ship (gateway-app/src/main/dist/jvm.options) on one line, for the benchmarks'
# GATEWAY_OPTS / JVM_OPTS, with @CDS@ replaced by a class-data archive of gateway.jar made the way a first start
# makes it: one start (temporary home, 127.0.0.1, ephemeral ports) with -XX:ArchiveClassesAtExit, stopped with
# SIGTERM 10 s after "Gateway ready" (the Web Console has started by then). The archive is kept in /tmp, keyed on
# the jar and the JVM, and reused.
#
#   GATEWAY_OPTS="$(bench/shipped-opts.sh)" bench/get-oic-d.sh
#   GATEWAY_JAR=/path/gateway.jar bench/shipped-opts.sh      # the jar path must be given the same way to the benchmark
#   NO_CDS=1 bench/shipped-opts.sh                           # without the archive line (e.g. for bench/verify.sh)
set -euo pipefail
cd "$(dirname "$0")/.."
JAR=${GATEWAY_JAR:-gateway-app/target/gateway.jar}
[ -f "$JAR" ] || { echo "shipped-opts.sh: $JAR not found" >&2; exit 2; }
opts=()
while IFS= read -r line || [ -n "$line" ]; do
    line=$(echo "$line" | sed 's/^[[:space:]]*//; s/[[:space:]]*$//')
    case "$line" in '' | '#'*) continue ;; esac
    opts+=("$line")
done < gateway-app/src/main/dist/jvm.options
plain=()
for o in "${opts[@]}"; do [[ "$o" == *@CDS@* ]] || plain+=("$o"); done
if [ "${NO_CDS:-0}" = 1 ]; then echo "${plain[*]}"; exit 0; fi

java=$(readlink -f "$(command -v java)")
key=$( (echo "$JAR ${plain[*]}"; stat -L -c "%i %s %Y" "$JAR" "$java") | cksum | cut -d" " -f1)  # path and options too
cds=/tmp/ocf-gateway-bench-$key.jsa
if [ ! -f "$cds" ]; then
    home=$(mktemp -d /tmp/shipped-opts.XXXXXX)
    mkdir -p "$home/etc" "$home/tmp"
    printf 'host=127.0.0.1\nport=0\nsecurePort=0\nmulticast=false\n' > "$home/etc/org.ocfupdate.coap.cfg"
    java "${plain[@]}" "-XX:ArchiveClassesAtExit=$cds" -Xlog:cds=off --add-opens=java.base/java.lang=ALL-UNNAMED \
        -Dgateway.cds.recording=true -Djava.io.tmpdir="$home/tmp" \
        -Dfelix.fileinstall.enableConfigSave=false -Dgateway.home="$home" -Dorg.osgi.service.http.port=0 \
        -jar "$JAR" </dev/null >"$home/gateway.log" 2>&1 &
    pid=$!
    for _ in $(seq 1 1200); do
        grep -q "Gateway ready" "$home/gateway.log" && break
        kill -0 "$pid" 2>/dev/null || break
        sleep 0.1
    done
    sleep 10
    kill -TERM "$pid" 2>/dev/null || true
    wait "$pid" || true
    rm -rf "$home"
    [ -f "$cds" ] || { echo "shipped-opts.sh: no archive written" >&2; exit 1; }
fi
for o in "${opts[@]}"; do
    [[ "$o" == *@CDS@* ]] && o=${o//@CDS@/$cds}
    printf '%s ' "$o"
done
echo
