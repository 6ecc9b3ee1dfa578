#!/bin/sh
# Start-up time and memory of gateway.jar (builds nothing).
#
#   bench/startup.sh [RUNS] [-- JVM options for the gateway]
#   RESTART=1 bench/startup.sh           # measure restarts (framework storage already there) instead of first starts
#   APPCDS=1  bench/startup.sh           # record a dynamic AppCDS archive first, then measure with it
#   TIMELINE=1 bench/startup.sh 1 -- -Dlaunch.trace=true   # when each step appeared in the log, slowest bundles
#   GATEWAY_JAR=/path/gateway.jar RSS_AFTER=10 bench/startup.sh
#
# Each run: a fresh temporary home (etc/org.ocfupdate.coap.cfg: 127.0.0.1, port 0, no multicast), an ephemeral
# console port, and bench/src/StartupProbe.java polling GET /oic/res (raw CoAP, every 10 ms) until the first 2.05;
# VmRSS/VmHWM RSS_AFTER seconds after the start. Prints one line per run and a SUMMARY (median/min/max). A run
# during which other processes used more than 300 ms of CPU is repeated (shared machines).
# Targets: first answer <= 1500 ms, RSS <= 128 MB.
#
# -Dfelix.fileinstall.enableConfigSave=false is always passed: without it FileInstall's write-back of the
# configuration races with its own scanner and can empty etc/org.ocfupdate.coap.cfg at start, and the gateway then
# comes up on *:5683 with multicast on every interface (seen in about 1 start in 10; see docs/benchmarks.md).
set -eu
cd "$(dirname "$0")/.."
RUNS=5
if [ $# -gt 0 ] && [ "$1" != "--" ]; then RUNS=$1; shift; fi
if [ $# -gt 0 ] && [ "$1" = "--" ]; then shift; fi
JAR=${GATEWAY_JAR:-gateway-app/target/gateway.jar}
[ -f "$JAR" ] || { echo "startup.sh: $JAR not found; build first: mvn -q install -DskipTests" >&2; exit 2; }
FLAGS=""
[ "${RESTART:-0}" = 1 ] && FLAGS="$FLAGS --restart"
[ "${APPCDS:-0}" = 1 ] && FLAGS="$FLAGS --appcds"
[ "${TIMELINE:-0}" = 1 ] && FLAGS="$FLAGS --timeline"
# shellcheck disable=SC2086
exec timeout $((RUNS * 4 * (${RSS_AFTER:-10} + 60) + 300)) java bench/src/StartupProbe.java --jar "$JAR" \
    --runs "$RUNS" --rss-after "${RSS_AFTER:-10}" $FLAGS -- -Dfelix.fileinstall.enableConfigSave=false "$@"
