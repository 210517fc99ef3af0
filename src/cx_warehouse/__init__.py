"""CX warehouse: the Python side of the dbt project, in three parts.

- runtime: what a nightly build runs (the `cxw` command, the loader, the raw contract, dbt in process, the
  terminal summary, the great-expectations suite, Spark);
- generator: the deterministic demo-data generator (`cxw generate`);
- benchmark: the benchmark harness and its DuckDB and pandas baselines (`python -m cx_warehouse.benchmark`).
"""
