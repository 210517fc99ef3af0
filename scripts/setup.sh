#!/usr/bin/env bash
# Create .venv and install the project with its pinned dependencies (constraints.txt). Idempotent.
# CXW_EXTRAS picks the optional dependency groups (default dev: the test tools).
set -euo pipefail
cd "$(dirname "$0")/.."
python_bin="${PYTHON:-python3}"
if ! "$python_bin" -c 'import sys; sys.exit(sys.version_info < (3, 11))'; then
  echo "setup: Python >= 3.11 is needed; set PYTHON to one (found $("$python_bin" --version 2>&1))" >&2
  exit 1
fi
if [ ! -x .venv/bin/python ]; then
  "$python_bin" -m venv .venv
fi
.venv/bin/python -m pip install --quiet --disable-pip-version-check -c constraints.txt -e ".[${CXW_EXTRAS:-dev}]"
