"""What a nightly build runs: read the export, build and test the warehouse with dbt, report its figures.

- cli: the `cxw` command (build, load, summary, demo, generate);
- project: where the dbt project is, the build's settings, and dbt run in process;
- raw_contract: the raw tables and columns, as declared in the sources YAML;
- load: the loader, export files (CSV or Parquet) to the canonical landing Parquet files dbt reads;
- publish: the working copy, the lock and the atomic switch a night publishes with;
- run_record: the machine-readable record every build writes (<db>.runs/);
- summary: the headline metrics and the data-quality findings of a built database;
- expectations: a great-expectations suite on the marts (a second opinion beside dbt's tests);
- spark: the same build on local Spark instead of DuckDB.
"""
