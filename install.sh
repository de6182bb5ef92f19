#!/usr/bin/env bash
# Installs qujat and what it needs on a fresh Debian machine (run as root).
#   ./install.sh          system tools (LibreOffice, poppler, fonts, JDK) + qujat
#   ./install.sh --test   the same + the test dependencies (PostgreSQL for the registry tests)
set -euo pipefail
cd "$(dirname "$0")"

installed() { dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q "ok installed"; }
need=()
command -v soffice >/dev/null 2>&1 || need+=(libreoffice-writer-nogui)
# the PDF pool drives LibreOffice over UNO from Debian's python3
/usr/bin/python3 -c "import uno" >/dev/null 2>&1 || need+=(python3-uno)
command -v pdftotext >/dev/null 2>&1 || need+=(poppler-utils)
command -v openssl >/dev/null 2>&1 || need+=(openssl)
command -v javac >/dev/null 2>&1 || need+=(default-jdk-headless)
# Liberation 2.x: metric-compatible with Times New Roman and, unlike 1.x, has ә ғ қ ң ө ұ ү һ
installed fonts-liberation2 || need+=(fonts-liberation2)
# the registry's PostgreSQL tests start a private server of their own
if [ "${1:-}" = "--test" ] && ! ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; then need+=(postgresql); fi
if [ ${#need[@]} -gt 0 ]; then
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi

extra=""
[ "${1:-}" = "--test" ] && extra="[test,postgresql]"
python3 -m pip install -q --disable-pip-version-check -e ".${extra}"
# pyenv only sees the new `qujat` script after a rehash
if command -v pyenv >/dev/null 2>&1; then pyenv rehash; fi
