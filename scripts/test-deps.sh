#!/usr/bin/env bash
# Install what the test suite needs from Debian's packages when it is missing: a PostgreSQL server and
# Chromium (Playwright drives Debian's /usr/bin/chromium; its own browser download cannot work offline).
set -euo pipefail
# The SSDA903 validator the missing-children return is checked with, in its own environment.
bash "$(dirname "$0")/validator-903.sh"
need=()
ls -d /usr/lib/postgresql/*/bin >/dev/null 2>&1 || need+=(postgresql)
[ -x /usr/bin/chromium ] || need+=(chromium)
if [ ${#need[@]} -eq 0 ]; then
  exit 0
fi
echo "Installing ${need[*]} from Debian's packages"
SUDO=""
[ "$(id -u)" = 0 ] || SUDO=sudo
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${need[@]}" fonts-liberation >/dev/null
