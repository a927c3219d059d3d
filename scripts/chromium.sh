#!/bin/sh
# The usage report's browser test (test/nuts/report.nut.ts) opens the report in Debian's Chromium, at
# /usr/bin/chromium, driven by playwright-core (which brings no browser of its own). `npm test` and .ci/run run this
# first, so that the tests pass on a machine without it: there it installs Debian's chromium package with apt-get,
# as root or through sudo, and says so; with Chromium there, it does nothing.
#   sh scripts/chromium.sh [PATH]    PATH: the browser to check for (default /usr/bin/chromium; its tests pass another)
set -eu
browser=${1:-/usr/bin/chromium}
[ -x "$browser" ] && exit 0

echo "Installing Debian's chromium package (apt-get install chromium): the usage report's browser test (test/nuts/report.nut.ts) opens the report in $browser, which this machine lacks. Once only: later runs find it." >&2
if ! command -v apt-get >/dev/null 2>&1; then
  echo "No apt-get here: install Chromium at $browser by hand, then run the tests again." >&2
  exit 1
fi
if [ "$(id -u)" -eq 0 ]; then
  as_root=
elif command -v sudo >/dev/null 2>&1; then
  as_root=sudo
else
  echo "Not root, and no sudo: install Chromium as root (apt-get install chromium), then run the tests again." >&2
  exit 1
fi
$as_root apt-get update -q
$as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -q chromium
