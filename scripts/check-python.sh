#!/usr/bin/env bash
# Fail in one line when the interpreter is older than 3.11.
set -euo pipefail
py=${1:-python3}
if ! command -v "$py" >/dev/null 2>&1; then
  echo "newsworker needs Python 3.11+: '$py' not found (install: apt-get install -y python3 python3-venv)" >&2
  exit 1
fi
if ! "$py" -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else 1)'; then
  echo "newsworker needs Python 3.11+, '$py' is $("$py" -V 2>&1); run: make PYTHON=python3.11 ..." >&2
  exit 1
fi
"$py" -c 'import venv, ensurepip' 2>/dev/null || {
  echo "Python venv support missing: apt-get install -y python3-venv" >&2; exit 1; }
