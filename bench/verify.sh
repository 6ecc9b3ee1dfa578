#!/usr/bin/env bash
# Package verification speed and memory (issue: update engine). Builds stored (zip -0) packages with
# ocf-pkg, then times `ocf-pkg verify` (signature + streaming SHA-256 of every artifact, what the gateway
# runs) against `openssl dgst -sha256` of the same bytes, in the same run; and the verifier's peak heap
# for a 16 MB and a 512 MB package.   Usage: bench/verify.sh [SIZE_MB=256]
# JVM_OPTS="-XX:+UseSerialGC -Xmx64m" bench/verify.sh: the timed verifiers run with these JVM options (e.g. the
# gateway's, gateway-app/src/main/dist/jvm.options, less the class-data archive that belongs to gateway.jar).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
pkg="$root/gateway-app/target/ocf-pkg.jar"
[ -f "$pkg" ] || (cd "$root" && mvn -B -q -DskipTests install)
size=${1:-256}
work=$(mktemp -d); trap 'rm -rf "$work"' EXIT
cd "$work"
java -jar "$pkg" keygen --private key.pem --public pub.pem >/dev/null
make_pkg() { # $1 = MB
  head -c "$(( $1 * 1024 * 1024 ))" /dev/urandom > "payload-$1.bin"
  java -jar "$pkg" create --key key.pem --version 9.9.9 --out "pkg-$1.zip" --file "payload-$1.bin" >/dev/null
}
secs() { local s e; s=$(date +%s.%N); "$@" >/dev/null; e=$(date +%s.%N); echo "$e - $s" | bc; }
make_pkg "$size"
cat "pkg-$size.zip" > /dev/null   # both measured from the page cache
# the gateway verifies in a running JVM: time the verifier in one, after a first (JIT-cold) pass
# shellcheck disable=SC2086
best_v=$(java ${JVM_OPTS:-} -cp "$pkg" "$root/bench/src/VerifyBench.java" pub.pem "pkg-$size.zip" 4 | tail -3 | sort -n | head -1)
best_o=999
for i in 1 2 3; do
  o=$(secs openssl dgst -sha256 "payload-$size.bin")
  best_o=$(echo "if ($o < $best_o) $o else $best_o" | bc)
done
# shellcheck disable=SC2086
cold=$(secs java ${JVM_OPTS:-} -jar "$pkg" verify --key pub.pem "pkg-$size.zip")
printf 'verify %d MB stored package: gateway verifier %.3f s (warm JVM), openssl dgst -sha256 %.3f s, ratio %.2f (target >= 0.8); cold `ocf-pkg verify` incl. JVM start %.2f s\n' \
  "$size" "$best_v" "$best_o" "$(echo "$best_o / $best_v" | bc -l)" "$cold"
for mb in 16 512; do
  make_pkg "$mb"
  # the smallest heap the verification runs in, and the JVM's peak heap use at a fixed -Xmx
  peak=$(java -Xmx64m -Xlog:gc*:file=gc-$mb.log -jar "$pkg" verify --key pub.pem "pkg-$mb.zip" >/dev/null \
         && grep -oE '[0-9]+M->[0-9]+M' gc-$mb.log | sed 's/M->.*//' | sort -n | tail -1)
  printf 'heap: %3d MB package verified with -Xmx64m; peak heap before GC %s MB\n' "$mb" "${peak:-<no GC>}"
  rm -f "payload-$mb.bin" "pkg-$mb.zip"
done
