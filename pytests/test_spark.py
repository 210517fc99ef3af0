"""The same models on Spark: one data set built on DuckDB and, incrementally, on local Spark (dbt-spark's
session method, in this process), with every data test and unit test, and the marts compared row by row.

Spark's catalog lives in this process's JVM, so both Spark builds run here: a first `dbt run` of the
incremental models (and what they read) with an earlier as-of day, then `dbt build` at the real as-of day, in
which they rebuild only their changed months (insert_overwrite by month partition).
Its marts must equal DuckDB's full build of the same files: the same rows, counts and decimals exactly,
doubles to 1e-9 relative.

Marked `spark`: deselect with `-m "not spark"`. Skipped only where Java is missing.
"""

from __future__ import annotations

import math
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd
import pytest

from conftest import GENERATED_DATA_VARS
from cx_warehouse.runtime.project import BuildSettings
from cx_warehouse.runtime.raw_contract import raw_contract
from cx_warehouse.runtime.spark import SparkBuildSettings, java_available, qualified_name
from cx_warehouse.runtime.warehouse import connect

if TYPE_CHECKING:
    from pyspark.sql import SparkSession

pytestmark = pytest.mark.spark

#: The marts compared between the engines (fct_quarantined_rows in full: its counts per reason included).
COMPARED = (
    "mart_nps_by_segment",
    "mart_csat_by_touchpoint",
    "mart_ces_by_touchpoint",
    "mart_csi",
    "mart_churn",
    "mart_clv",
    "mart_account_health",
    "mart_account_health_by_segment",
    "fct_quarantined_rows",
    "mart_raw_reconciliation",
)
#: The first Spark build's as-of day: three months before the real one, so the incremental build has new
#: months to add and rows that were "in the future" to bring in.
EARLY_AS_OF_DAYS = 92
REL_TOLERANCE = 1e-9


@dataclass
class SparkRun:
    session: SparkSession
    settings: SparkBuildSettings
    tables: dict[str, pd.DataFrame]
    incremental_models: list[str]
    #: Per incremental model, (creation time, row count, content hash) before and after the second build.
    before: dict[str, tuple[str, int, int]]
    after: dict[str, tuple[str, int, int]]
    build_seconds: float
    nodes_by_type: dict[str, int]


@pytest.fixture(scope="module")
def spark_run(
    warehouse: BuildSettings, raw_dir: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[SparkRun]:
    if not java_available():
        pytest.skip("Java is not installed: pyspark needs a JVM (Java 17) to run the Spark build")
    from cx_warehouse.runtime.spark import load_raw_tables, read_relation, run_dbt_spark, start_session

    assert warehouse.as_of_date is not None
    settings = SparkBuildSettings(
        raw_dir,
        tmp_path_factory.mktemp("spark") / "warehouse",
        extra_vars=GENERATED_DATA_VARS,
        small_data=True,
    )
    started = time.perf_counter()
    session = start_session(settings)
    try:
        load_raw_tables(session, settings)
        run_dbt_spark(["seed"], settings)
        settings.as_of_date = warehouse.as_of_date - timedelta(days=EARLY_AS_OF_DAYS)
        first = run_dbt_spark(["run", "--select", "+config.materialized:incremental"], settings)
        incremental = sorted(
            result.node.name for result in first.result if result.node.config.materialized == "incremental"
        )
        before = {name: _table_state(session, settings, name) for name in incremental}
        settings.as_of_date = warehouse.as_of_date
        second = run_dbt_spark(["build"], settings)
        build_seconds = time.perf_counter() - started
        after = {name: _table_state(session, settings, name) for name in incremental}
        nodes: dict[str, int] = {}
        for result in second.result:
            nodes[result.node.resource_type] = nodes.get(result.node.resource_type, 0) + 1
        tables = {name: read_relation(session, settings, name) for name in COMPARED}
        yield SparkRun(session, settings, tables, incremental, before, after, build_seconds, nodes)
    finally:
        session.stop()


def _table_state(session, settings: SparkBuildSettings, name: str) -> tuple[str, int, int]:
    """When the table was created, and its row count and content hash: an incremental run overwrites some
    partitions of the same table, a full build drops the table and creates a new one."""
    table = qualified_name(session, settings, name)
    created = [
        row.data_type for row in session.sql(f"describe table extended {table}").collect()
        if row.col_name == "Created Time"
    ]  # fmt: skip
    count, content = session.sql(f"select count(*), coalesce(sum(hash(*)), 0) from {table}").collect()[0]
    return (created[0] if created else "", int(count), int(content))


def read_duckdb(settings: BuildSettings, name: str) -> pd.DataFrame:
    """A table of the DuckDB build, with the Python values read_relation gives for Spark (ISO dates)."""
    with connect(settings.database) as connection:
        cursor = connection.execute(f"select * from {name}")
        columns = [column[0] for column in cursor.description]
        rows = [tuple(_iso(value) for value in row) for row in cursor.fetchall()]
    return pd.DataFrame(rows, columns=columns, dtype=object)


def _iso(value: object) -> object:
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M:%S.%f")
    if isinstance(value, date):
        return value.isoformat()
    return value


def _sort_key(row: tuple) -> tuple:
    """One order for both engines' rows: by every value, nulls first, floats rounded to 6 places."""
    return tuple(
        (value is not None, round(value, 6) if isinstance(value, float) else str(value)) for value in row
    )


def _same_value(left: object, right: object) -> bool:
    if left is None or right is None:
        return left is None and right is None
    if isinstance(left, float) or isinstance(right, float):
        if math.isnan(float(left)) or math.isnan(float(right)):  # type: ignore[arg-type]
            return math.isnan(float(left)) and math.isnan(float(right))  # type: ignore[arg-type]
        return math.isclose(float(left), float(right), rel_tol=REL_TOLERANCE, abs_tol=0.0)  # type: ignore[arg-type]
    if isinstance(left, Decimal) or isinstance(right, Decimal):
        return Decimal(left) == Decimal(right)  # type: ignore[arg-type]
    return type(left) is type(right) and left == right


def differences(duck: pd.DataFrame, spark: pd.DataFrame, limit: int = 5) -> list[str]:
    """Where two tables differ: columns, row count, then the first rows (in a shared order) that differ."""
    if list(duck.columns) != list(spark.columns):
        return [f"columns differ: duckdb {list(duck.columns)}, spark {list(spark.columns)}"]
    if len(duck) != len(spark):
        return [f"row counts differ: duckdb {len(duck)}, spark {len(spark)}"]
    found = []
    duck_rows = sorted(duck.itertuples(index=False, name=None), key=_sort_key)
    spark_rows = sorted(spark.itertuples(index=False, name=None), key=_sort_key)
    for duck_row, spark_row in zip(duck_rows, spark_rows, strict=True):
        bad = [
            f"{column}: duckdb {left!r}, spark {right!r}"
            for column, left, right in zip(duck.columns, duck_row, spark_row, strict=True)
            if not _same_value(left, right)
        ]
        if bad:
            found.append(f"row {dict(zip(duck.columns, duck_row, strict=True))}: {'; '.join(bad)}")
            if len(found) == limit:
                break
    return found


@pytest.mark.parametrize("name", COMPARED)
def test_spark_marts_equal_duckdb_marts(spark_run: SparkRun, warehouse: BuildSettings, name: str) -> None:
    duck = read_duckdb(warehouse, name)
    assert len(duck) > 0, f"{name} is empty on DuckDB: nothing would be compared"
    assert differences(duck, spark_run.tables[name]) == []


def test_quarantine_counts_per_reason_equal(spark_run: SparkRun, warehouse: BuildSettings) -> None:
    """The figure a data steward reads first, stated on its own so a failure names it."""

    def counts(frame: pd.DataFrame) -> dict[tuple[str, str], int]:
        return frame.groupby(["source_table", "quarantine_reason"]).size().to_dict()

    duck = counts(read_duckdb(warehouse, "fct_quarantined_rows"))
    assert len(duck) > 3
    assert counts(spark_run.tables["fct_quarantined_rows"]) == duck


def test_incremental_models_ran_incrementally_on_spark(spark_run: SparkRun) -> None:
    """The second Spark build took the incremental path (insert_overwrite), not a full rebuild, for every
    incremental model, and there are some: otherwise the equality above proves nothing about that path."""
    assert spark_run.incremental_models, "no incremental model in the project"
    for name in spark_run.incremental_models:
        created_before, rows_before, content_before = spark_run.before[name]
        created_after, rows_after, content_after = spark_run.after[name]
        assert created_before, f"{name}: Spark shows no creation time"
        assert created_after == created_before, f"{name} was dropped and rebuilt, not built incrementally"
        assert (rows_after, content_after) != (rows_before, content_before), f"{name} did not change"


def test_the_spark_build_ran_every_node(spark_run: SparkRun) -> None:
    """`dbt build` on Spark ran models, seeds, data tests and unit tests (run_dbt raises if any failed);
    the timing is printed for the report (-s), never asserted."""
    nodes = spark_run.nodes_by_type
    for resource_type in ("model", "seed", "test", "unit_test"):
        assert nodes.get(resource_type, 0) > 0, f"no {resource_type} ran on Spark: {nodes}"
    print(f"\nSpark: {spark_run.build_seconds:.0f} s (session, raw load, seed, run, build); nodes {nodes}")


def test_spark_reads_csv_and_parquet_raw_files_alike(spark_run: SparkRun, parquet_raw_dir: Path) -> None:
    """The loader's landing files of the CSV export (quoting, empty fields, multi-line text) hold exactly the
    values the generator wrote: the same data set as Parquet, registered beside it, holds the same rows (the
    CSV's unreadable lines, which a Parquet file cannot have, aside)."""
    from cx_warehouse.runtime.spark import load_raw_tables

    csv = spark_run.settings
    parquet = SparkBuildSettings(parquet_raw_dir, csv.warehouse_dir, "parquet", raw_schema="raw_parquet")
    load_raw_tables(spark_run.session, parquet)
    for table, columns in raw_contract().items():
        text = ", ".join(f"cast({column} as string) as {column}" for column in columns)
        in_csv = spark_run.session.sql(
            f"select {text} from {csv.raw_schema}.{table} where _load_error is null"
        )
        in_parquet = spark_run.session.sql(f"select {text} from {parquet.raw_schema}.{table}")
        assert in_csv.count() > 0, table
        assert in_csv.exceptAll(in_parquet).count() == 0, f"{table}: CSV rows missing from Parquet"
        assert in_parquet.exceptAll(in_csv).count() == 0, f"{table}: Parquet rows missing from CSV"
