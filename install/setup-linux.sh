#!/usr/bin/env bash
# Installs sp_xl from nothing on a Linux machine (a server that refreshes workbooks, a
# developer's machine, CI) into ./.venv. With --test it also installs the test tools and
# LibreOffice, the independent spreadsheet program the tests check our numbers against.
set -euo pipefail
cd "$(dirname "$0")/.."

with_tests=0
[ "${1:-}" = "--test" ] && with_tests=1

if [ "$with_tests" = 1 ] && ! { command -v soffice && command -v shellcheck && command -v pdftoppm; } >/dev/null 2>&1; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq libreoffice-calc-nogui poppler-utils shellcheck >/dev/null
  else
    echo "LibreOffice mangler (bruges af testene): sudo apt-get install libreoffice-calc-nogui poppler-utils shellcheck" >&2
  fi
fi

python3 -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "sp_xl kræver Python 3.11 eller nyere")'
[ -x .venv/bin/python ] || python3 -m venv .venv
.venv/bin/python -m pip install -q --upgrade pip
if [ "$with_tests" = 1 ]; then
  .venv/bin/python -m pip install -q -c install/constraints.txt -e '.[test]'
else
  .venv/bin/python -m pip install -q -c install/constraints.txt .
fi
