#!/usr/bin/env bash
# The dashboard's end-to-end tests drive Debian's chromium through Playwright (a browser download can't work here).
# Install the package when it is missing; as root (CI, containers) directly, otherwise through sudo if there is one.
set -euo pipefail
if command -v chromium >/dev/null 2>&1 || command -v chromium-browser >/dev/null 2>&1; then exit 0; fi
if ! command -v apt-get >/dev/null 2>&1; then
  echo "chromium is missing and this is not a Debian system: install chromium yourself for the dashboard tests" >&2
  exit 1
fi
run() { if [ "$(id -u)" = 0 ]; then "$@"; elif command -v sudo >/dev/null 2>&1; then sudo "$@"; else return 1; fi; }
run apt-get update -qq
DEBIAN_FRONTEND=noninteractive run apt-get install -y -qq --no-install-recommends chromium >/dev/null
command -v chromium >/dev/null
