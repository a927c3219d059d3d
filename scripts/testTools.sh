#!/bin/sh
# Two Debian tools the end-to-end tests use: Chromium, in which the usage report's browser test
# (test/nuts/report.nut.ts) opens the report, driven by playwright-core (which brings no browser of its own), and
# xmllint (package libxml2-utils), which validates usage check's JUnit files against test/fixtures/junit.xsd.
# `npm test` and .ci/run run this first, so that the tests pass on a machine without them: there it installs the
# missing packages with apt-get, as root or through sudo, and says what and why; with both there, it does nothing.
#   sh scripts/testTools.sh [BROWSER [XMLLINT]]    the paths to check for (defaults /usr/bin/chromium, /usr/bin/xmllint;
#                                                  its tests pass others)
set -eu
browser=${1:-/usr/bin/chromium}
xmllint=${2:-/usr/bin/xmllint}
packages=
if [ ! -x "$browser" ]; then
  packages="$packages chromium"
  echo "Installing Debian's chromium package (apt-get install chromium): the usage report's browser test (test/nuts/report.nut.ts) opens the report in $browser, which this machine lacks. Once only: later runs find it." >&2
fi
if [ ! -x "$xmllint" ]; then
  packages="$packages libxml2-utils"
  echo "Installing Debian's libxml2-utils package (apt-get install libxml2-utils): the tests of usage check validate its JUnit files with $xmllint, which this machine lacks. Once only: later runs find it." >&2
fi
[ -z "$packages" ] && exit 0

if ! command -v apt-get >/dev/null 2>&1; then
  echo "No apt-get here: install$packages by hand, then run the tests again." >&2
  exit 1
fi
if [ "$(id -u)" -eq 0 ]; then
  as_root=
elif command -v sudo >/dev/null 2>&1; then
  as_root=sudo
else
  echo "Not root, and no sudo: install$packages as root (apt-get install$packages), then run the tests again." >&2
  exit 1
fi
$as_root apt-get update -q
# shellcheck disable=SC2086 # one word per package
$as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -q $packages
