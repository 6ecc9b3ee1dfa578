#!/usr/bin/env bash
# Quick start 1: build if needed, then run the gateway in the foreground with embedded defaults.
# The home folder is the working directory unless -Dgateway.home=DIR is given (JAVA_OPTS).
set -euo pipefail
root=$(cd "$(dirname "$0")" && pwd)
jar="$root/gateway-app/target/gateway.jar"
if [ ! -f "$jar" ] || [ -n "$(find "$root" -path '*/src/*' -newer "$jar" -print -quit)" ] \
   || [ "$root/gateway-app/gateway.bndrun" -nt "$jar" ]; then
  (cd "$root" && mvn -B -q -DskipTests install)
fi
# the JVM options we ship (one per line, # comments; the Debian package's launcher reads the same file), then JAVA_OPTS
opts=()
while IFS= read -r line || [ -n "$line" ]; do
  line="${line#"${line%%[![:space:]]*}"}"; line="${line%"${line##*[![:space:]]}"}"
  case "$line" in ''|'#'*) continue ;; esac
  opts+=("$line")
done < "$root/gateway-app/src/main/dist/jvm.options"
exec java "${opts[@]}" ${JAVA_OPTS:-} -jar "$jar" "$@"
