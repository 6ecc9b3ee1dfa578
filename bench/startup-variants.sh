#!/bin/sh
# The start-up figures of docs/benchmarks.md: gateway.jar with JVM options and with bundles left out, measured
# interleaved (one run of every variant per round), RUNS rounds (default 5). Builds nothing; ~15 s per run.
#
#   bench/startup-variants.sh [RUNS]
#   GATEWAY_JAR=/path/gateway.jar bench/startup-variants.sh 5
#   VARIANTS="baseline tiered1 no-console" bench/startup-variants.sh 7     # only these variants
#
# The "no console"/"no gogo"/"minimal" variants are copies of gateway.jar whose launcher.properties lists fewer
# bundles (an experiment to see what those bundles cost; the product is unchanged).
set -eu
cd "$(dirname "$0")/.."
RUNS=${1:-5}
JAR=${GATEWAY_JAR:-gateway-app/target/gateway.jar}
[ -f "$JAR" ] || { echo "startup-variants.sh: $JAR not found; build first: mvn -q install -DskipTests" >&2; exit 2; }
JAR=$(readlink -f "$JAR")
WORK=$(mktemp -d /tmp/startup-variants.XXXXXX)
trap 'rm -rf "$WORK"' EXIT INT TERM

prune() { # NAME BUNDLE-FILE-PREFIX...: a copy of the jar without those bundles in launch.bundles
    name=$1; shift
    cp "$JAR" "$WORK/gateway-$name.jar"
    mkdir -p "$WORK/$name"
    (cd "$WORK/$name" && unzip -qo "$JAR" launcher.properties)
    for b in "$@"; do
        sed -i "/^launch.bundles=/ s#jar/$b[^,]*\.jar,\{0,1\}##g; /^launch.bundles=/ s#,\$##" "$WORK/$name/launcher.properties"
    done
    (cd "$WORK/$name" && jar --update --file "../gateway-$name.jar" launcher.properties)
}
CONSOLE="org.apache.felix.webconsole org.apache.felix.http.jetty12 org.apache.felix.http.servlet-api commons-fileupload commons-io encoder org.apache.felix.inventory"
# shellcheck disable=SC2086
prune noconsole $CONSOLE
prune nogogo org.apache.felix.gogo
# shellcheck disable=SC2086
prune minimal $CONSOLE org.apache.felix.gogo

COMBO="-XX:TieredStopAtLevel=1 -XX:+UseSerialGC -Xmx64m -Xss256k"
cat > "$WORK/variants.txt" <<VARIANTS
baseline:
restart:          restart
tiered1:          -XX:TieredStopAtLevel=1
xshare-off:       -Xshare:off
appcds:           appcds
serialgc:         -XX:+UseSerialGC
xmx64m:           -Xmx64m
serial+xmx64m:    -XX:+UseSerialGC -Xmx64m
xss256k:          -Xss256k
maxram256m:       -XX:MaxRAM=256m
no-console:       jar=$WORK/gateway-noconsole.jar
no-gogo:          jar=$WORK/gateway-nogogo.jar
minimal:          jar=$WORK/gateway-minimal.jar
combo:            appcds $COMBO
combo+restart:    appcds restart $COMBO
combo+minimal:    appcds jar=$WORK/gateway-minimal.jar $COMBO
c1+serial64:      $COMBO
c1+no-console:    jar=$WORK/gateway-noconsole.jar -XX:TieredStopAtLevel=1
c1+serial64+no-console: jar=$WORK/gateway-noconsole.jar $COMBO
no-verify:        -XX:+UnlockDiagnosticVMOptions -XX:-BytecodeVerificationRemote
VARIANTS
if [ -n "${VARIANTS:-}" ]; then
    for v in $VARIANTS; do grep -F "$v:" "$WORK/variants.txt" | grep "^$v:" ; done > "$WORK/selected.txt"
    [ -s "$WORK/selected.txt" ] || { echo "startup-variants.sh: none of $VARIANTS is a variant" >&2; exit 2; }
    mv "$WORK/selected.txt" "$WORK/variants.txt"
fi
# every variant also gets -Dfelix.fileinstall.enableConfigSave=false (see bench/startup.sh)
sed -i 's/$/ -Dfelix.fileinstall.enableConfigSave=false/' "$WORK/variants.txt"
timeout $((RUNS * $(wc -l < "$WORK/variants.txt") * 120 + 900)) java bench/src/StartupProbe.java --jar "$JAR" --variants "$WORK/variants.txt" --runs "$RUNS"
