#!/usr/bin/env bash
# Quick start 2: the whole test suite — unit tests, OSGi integration tests in Felix, and the exported
# gateway.jar driven by third-party clients and a browser. Installs the Debian packages the tests use when missing (as root).
set -euo pipefail
root=$(cd "$(dirname "$0")" && pwd)
need=()
command -v coap-client-notls >/dev/null || need+=(libcoap3-bin)   # coap-client-*, coap-server-* (interop, benchmarks)
command -v ip >/dev/null || need+=(iproute2)                       # network namespaces (multicast discovery test)
command -v openssl >/dev/null || need+=(openssl)                   # keys and signatures of test packages
command -v zip >/dev/null || need+=(zip)                           # packages built the way a vendor would
command -v chromium >/dev/null || need+=(chromium)                 # the browser test of the console page
command -v chromedriver >/dev/null || need+=(chromium-driver)      # /usr/bin/chromedriver, driven by Selenium
command -v python3 >/dev/null || need+=(python3)                   # a Unix datagram socket receiving sd_notify
command -v systemd-analyze >/dev/null || need+=(systemd)           # systemd-analyze verify of the package's unit
command -v mkfs.vfat >/dev/null || [ -x /usr/sbin/mkfs.vfat ] || [ -x /sbin/mkfs.vfat ] || need+=(dosfstools)  # vfat image as a USB medium
if [ ${#need[@]} -gt 0 ]; then
  if [ "$(id -u)" -eq 0 ]; then
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}"
  else
    echo "test.sh: missing Debian packages: ${need[*]} (run as root, or apt-get install them)" >&2
    exit 1
  fi
fi
cd "$root"
exec mvn -B verify "$@"
