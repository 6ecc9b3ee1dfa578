#!/usr/bin/env bash
# What hashing a package costs the USB provider, which hashes a package only when a package of its version was
# refused before (issue 12 item 13): SHA-256 of a SIZE_MB file in a warm JVM (the provider's code path) against
# sha256sum, from the page cache; and a cold read (page cache dropped, as root) of the same file.
# Usage: bench/usb-digest.sh [SIZE_MB=256]
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
size=${1:-256}
work=$(mktemp -d); trap 'rm -rf "$work"' EXIT
head -c "$(( size * 1024 * 1024 ))" /dev/urandom > "$work/pkg.zip"
secs() { local s e; s=$(date +%s.%N); "$@" >/dev/null; e=$(date +%s.%N); echo "$e - $s" | bc; }
cat "$work/pkg.zip" > /dev/null
warm=$(java "$root/bench/src/DigestBench.java" "$work/pkg.zip" 4 | tail -3 | sort -n | head -1 | cut -d' ' -f1)
tool=$(secs sha256sum "$work/pkg.zip")
cold=n/a
if [ "$(id -u)" -eq 0 ] && sync && echo 3 > /proc/sys/vm/drop_caches 2>/dev/null; then
  cold=$(java "$root/bench/src/DigestBench.java" "$work/pkg.zip" 1 | cut -d' ' -f1)
fi
printf 'SHA-256 of %d MB: provider code %.3f s warm (%.0f MB/s), sha256sum %.3f s; cold read (cache dropped): %s s\n' \
  "$size" "$warm" "$(echo "$size / $warm" | bc -l)" "$tool" "$cold"
