#!/usr/bin/env bash
# Quick start 1: build if needed, then run the gateway in the foreground with embedded defaults.
# The home folder is the working directory unless -Dgateway.home=DIR is given (JAVA_OPTS).
# JVM options: those we ship (gateway-app/src/main/dist/jvm.options, as the Debian package's launcher), then
# $JAVA_OPTS, which therefore wins where both set the same option.
set -euo pipefail
root=$(cd "$(dirname "$0")" && pwd)
jar="$root/gateway-app/target/gateway.jar"
# (jvm.options under src/main/dist is read below at every start: editing it needs no build)
# Only what gateway.jar is made of counts (main sources and the bndrun), and only gateway-app and the modules it needs
# are built: "install" of the whole reactor failed at the test-only itests module, which has no main jar.
if [ ! -f "$jar" ] || [ -n "$(find "$root" -path '*/src/main/dist' -prune -o -type f -path '*/src/main/*' -newer "$jar" -print -quit)" ] \
   || [ "$root/gateway-app/gateway.bndrun" -nt "$jar" ]; then
  (cd "$root" && mvn -B -q -DskipTests package -pl gateway-app -am)
fi

# The class-data archive (@CDS@ in jvm.options) belongs to one gateway.jar and one JVM build: its name carries a key
# of both (path, inode, size, time), so a rebuilt jar or an upgraded JDK gets a new archive instead of a refused one.
java=$(readlink -f "$(command -v java)")
libjvm="$(dirname "$(dirname "$java")")/lib/server/libjvm.so"
key=$( (echo "$jar"; stat -L -c "%i %s %Y" "$jar" "$java" $([ -f "$libjvm" ] && echo "$libjvm")) | cksum | cut -d" " -f1)
cds="$root/gateway-app/target/gateway-$key.jsa"

opts=()
while IFS= read -r line || [ -n "$line" ]; do
  line=$(echo "$line" | sed 's/^[[:space:]]*//; s/[[:space:]]*$//')
  case "$line" in '' | '#'*) continue ;; esac
  if [[ "$line" == *@CDS@* ]]; then
    if [ -f "$cds" ]; then
      line=${line//@CDS@/$cds}
    else
      # no archive for this jar and JVM yet: this start records one, written when the JVM exits (Ctrl-C, SIGTERM);
      # the JVM's warnings about the classes it cannot archive are of no use to an operator; the gateway links the
      # classes its bundles loaded before it stops, so that the archive holds them too (java.lang opened for that)
      rm -f "$root"/gateway-app/target/gateway-*.jsa
      echo "run.sh: recording the class-data archive $cds (written when the gateway stops; later starts are faster)" >&2
      opts+=("-XX:ArchiveClassesAtExit=$cds" "-Xlog:cds=off" "--add-opens=java.base/java.lang=ALL-UNNAMED"
        "-Dgateway.cds.recording=true")
      continue
    fi
  fi
  opts+=("$line")
done < "$root/gateway-app/src/main/dist/jvm.options"

# shellcheck disable=SC2086
exec java "${opts[@]}" ${JAVA_OPTS:-} -jar "$jar" "$@"
