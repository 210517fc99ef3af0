#!/usr/bin/env bash
# Set up and run every test: ruff, then pytest (generator and Python units, sqlfluff, dbt build with its data and
# unit tests on generated data, quarantine and reconciliation checks, great-expectations suite on the marts, the
# same build on local Spark compared with DuckDB's).
set -euo pipefail
cd "$(dirname "$0")/.."
# The Spark comparison (pytests/test_spark.py) needs the optional extra spark: dbt-spark's session method and
# PySpark; the Dagster job (pytests/test_dagster.py) needs the extra orchestration: dagster and dagster-dbt; the
# semantic layer's queries (pytests/test_semantic_layer.py) need the extra semantic: dbt-metricflow; the explorer
# (pytests/test_explorer.py) needs the extra explorer: streamlit.
CXW_EXTRAS=dev,spark,orchestration,semantic,explorer bash scripts/setup.sh
.venv/bin/ruff check src pytests
.venv/bin/ruff format --check src pytests
exec .venv/bin/python -m pytest "$@"
