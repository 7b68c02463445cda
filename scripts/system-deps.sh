#!/usr/bin/env bash
# Install the Debian packages learningcity needs, only when something is missing.
set -euo pipefail

missing=()
command -v msgfmt >/dev/null || missing+=(gettext)
[ -x /usr/lib/postgresql/15/bin/initdb ] || missing+=(postgresql-15)
command -v "${CHROMIUM_PATH:-chromium}" >/dev/null || missing+=(chromium)
command -v npm >/dev/null || missing+=(npm)
dpkg -s libpango-1.0-0 libpangoft2-1.0-0 >/dev/null 2>&1 || missing+=(libpango-1.0-0 libpangoft2-1.0-0)  # PDF reports
fc-list 2>/dev/null | grep -qi dejavu || missing+=(fonts-dejavu-core)

[ ${#missing[@]} -eq 0 ] && exit 0
echo "Installing Debian packages: ${missing[*]}"
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null; then SUDO=sudo; else
    echo "Please run as root: apt-get install -y ${missing[*]}" >&2; exit 1
  fi
else SUDO=""; fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
