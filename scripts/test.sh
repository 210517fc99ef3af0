#!/usr/bin/env bash
# Set up and run every test: ruff, then pytest (generator and Python units, sqlfluff, dbt build with its data and
# unit tests on generated data, quarantine and reconciliation checks, great-expectations suite on the marts).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
.venv/bin/ruff check src pytests
.venv/bin/ruff format --check src pytests
exec .venv/bin/python -m pytest "$@"
