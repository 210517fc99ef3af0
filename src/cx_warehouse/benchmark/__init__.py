"""The benchmark: how fast and how lean the dbt project builds, against two hand-written baselines.

Run it with `python -m cx_warehouse.benchmark --scales 100k,1m,10m --workdir /tmp/cxw-bench` (see harness).
Not needed to build a warehouse; the nightly build only uses cx_warehouse.runtime.

- harness: generates the data per scale, times every step in its own child process, records the results
  (benchmarks/results.json) and renders them as markdown (docs/benchmarks.md);
- baseline_duckdb: the hand-written DuckDB script benchmarks/baseline_duckdb.sql, filled in and run;
- baseline_pandas: the same four marts in plain pandas;
- compare: checks a baseline's marts (or another database's) against the warehouse's, cell by cell;
- nightly: cuts a raw export back to an earlier day, to time the incremental (nightly) build.
"""
