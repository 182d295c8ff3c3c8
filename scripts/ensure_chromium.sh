#!/usr/bin/env bash
# Makes sure Debian's Chromium is there for the browser journeys (tests/e2e).
# Playwright's own browser download is not used: the tests drive the system Chromium.
# As root, installs chromium and chromium-driver with apt-get when chromium is missing;
# otherwise says what to install. Exit status 0 when a chromium is available afterwards.
set -euo pipefail

if command -v chromium >/dev/null 2>&1; then
    echo "chromium: $(command -v chromium) ($(chromium --version 2>/dev/null || echo 'version unknown'))"
    exit 0
fi

packages="chromium chromium-driver"
if [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "Installing $packages with apt-get"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq --no-install-recommends $packages
    command -v chromium >/dev/null 2>&1 || { echo "error: chromium still not on PATH" >&2; exit 1; }
    echo "chromium: $(command -v chromium)"
    exit 0
fi

echo "Chromium is not installed; the browser journeys (tests/e2e) will be skipped." >&2
echo "Install it as root, e.g.:  apt-get install chromium chromium-driver" >&2
echo "or point CHROMIUM_PATH at a Chromium/Chrome binary." >&2
exit 1
