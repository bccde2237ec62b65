#!/usr/bin/env bash
# Headless Chromium for the load-test report's browser test (tests/integration/load/): installs
# Debian's chromium package once (apt, as root, no recommends) and prints the browser's path.
# Fast when it is already there: one `command -v`. BAHI_CHROMIUM names another browser binary.
#   chromium.sh            install if missing, print the path
set -euo pipefail
say() { printf '[chromium] %s\n' "$*" >&2; }

if [ -n "${BAHI_CHROMIUM:-}" ]; then echo "$BAHI_CHROMIUM"; exit 0; fi
for candidate in chromium /usr/bin/chromium; do
  if command -v "$candidate" >/dev/null 2>&1; then command -v "$candidate"; exit 0; fi
done
if [ "$(id -u)" != 0 ]; then
  say "chromium is missing: run as root, or: sudo apt-get install --no-install-recommends chromium"; exit 1
fi
say "installing chromium with apt-get (once)"
# No recommends: the browser alone (fonts come with it as dependencies); no GPU or desktop extras.
if ! DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends chromium >/dev/null; then
  apt-get update -q >/dev/null
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends chromium >/dev/null
fi
command -v chromium
