#!/usr/bin/env bash
# Set-up of the browser test: Debian's Chromium, a CJK font (the notebooks print Chinese terms) and
# Playwright for Python. Playwright's own browser download is never used: it drives /usr/bin/chromium.
set -euo pipefail
cd "$(dirname "$0")/../.."
if ! command -v chromium >/dev/null || ! fc-list 2>/dev/null | grep -qi "noto sans cjk"; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-noto-cjk >/dev/null
  else
    echo "browser test: chromium or fonts-noto-cjk missing and apt-get is not usable as this user;" \
         "install them (e.g. sudo apt-get install chromium fonts-noto-cjk) to run it" >&2
  fi
fi
.venv/bin/python -m pip install --quiet -r tests/browser/requirements.txt
