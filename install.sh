#!/usr/bin/env bash
# Installs qujat and what it needs on a fresh Debian machine (run as root).
#   ./install.sh          system tools (LibreOffice, poppler, fonts, JDK) + qujat
#   ./install.sh --test   the same + the test dependencies
set -euo pipefail
cd "$(dirname "$0")"

need=()
command -v soffice >/dev/null 2>&1 || need+=(libreoffice-writer-nogui python3-uno)
command -v pdftotext >/dev/null 2>&1 || need+=(poppler-utils)
command -v openssl >/dev/null 2>&1 || need+=(openssl)
command -v javac >/dev/null 2>&1 || need+=(default-jdk-headless)
fc-list 2>/dev/null | grep -q LiberationSerif || need+=(fonts-liberation)
if [ ${#need[@]} -gt 0 ]; then
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi

extra=""
[ "${1:-}" = "--test" ] && extra="[test]"
python3 -m pip install -q --disable-pip-version-check -e ".${extra}"
# pyenv only sees the new `qujat` script after a rehash
if command -v pyenv >/dev/null 2>&1; then pyenv rehash; fi
