#!/usr/bin/env bash
# Set up, generate the deterministic demo data, build and test the warehouse, print the headline metrics.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
exec .venv/bin/cxw demo "$@"
