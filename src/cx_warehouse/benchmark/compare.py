"""Compare marts: a dbt database's four benchmark marts against a baseline's Parquet files, or against another
database's, row by row (by key) and value by value."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

# The marts the baselines reproduce, with the columns that identify a row.
MART_KEYS: dict[str, tuple[str, ...]] = {
    "mart_nps_by_segment": ("period_grain", "period_start", "segment_dimension", "segment_value"),
    "mart_csat_by_touchpoint": ("period_grain", "period_start", "touchpoint"),
    "mart_ces_by_touchpoint": ("period_grain", "period_start", "touchpoint"),
    "mart_churn": ("period_grain", "period_start", "segment_dimension", "segment_value"),
}


def _mismatch_condition(column: str, data_type: str) -> str:
    """When the baseline's value differs from the mart's: exact for counts, text and dates; within one unit
    in the last place for decimals (pandas rounds a float); within 1e-9 relative for doubles (summation
    order)."""
    expected, actual = f"e.{column}", f"b.{column}"
    upper = data_type.upper()
    decimal = re.fullmatch(r"DECIMAL\((\d+),\s*(\d+)\)", upper)
    if decimal:
        tolerance = f"1e-{decimal.group(2)}"
        return (
            f"({expected} is null) <> ({actual} is null) or "
            f"abs(cast({expected} as double) - cast({actual} as double)) > {tolerance} * 1.000001"
        )
    if upper in ("DOUBLE", "FLOAT", "REAL"):
        return (
            f"({expected} is null) <> ({actual} is null) or "
            f"abs({expected} - cast({actual} as double)) > 1e-9 * greatest(1, abs({expected}))"
        )
    return f"{expected} is distinct from try_cast({actual} as {data_type})"


def check_marts(database: Path, baseline_dir: Path) -> dict[str, Any]:
    """Compare the four marts in a dbt database with a baseline's <mart>.parquet files: same rows (by key)
    and the same values in every column. Returns per mart the row counts, missing/extra keys and the number
    of mismatched cells per column."""
    import duckdb

    connection = duckdb.connect()
    connection.execute(f"attach '{database.resolve()}' as warehouse (read_only)")
    report: dict[str, Any] = {}
    try:
        for mart, keys in MART_KEYS.items():
            path = baseline_dir / f"{mart}.parquet"
            if not path.is_file():
                report[mart] = {"ok": False, "error": f"{path} is missing"}
                continue
            columns = connection.execute(
                "select column_name, data_type from duckdb_columns() "
                "where database_name = 'warehouse' and table_name = ? order by column_index",
                [mart],
            ).fetchall()
            baseline_columns = {
                row[0]
                for row in connection.execute(f"describe select * from read_parquet('{path}')").fetchall()
            }
            missing_columns = [name for name, _ in columns if name not in baseline_columns]
            if missing_columns:
                report[mart] = {"ok": False, "error": f"baseline lacks columns {missing_columns}"}
                continue
            schema = connection.execute(
                "select schema_name from duckdb_tables() "
                "where database_name = 'warehouse' and table_name = ?",
                [mart],
            ).fetchone()[0]
            join = " and ".join(f"e.{key} = try_cast(b.{key} as {dict(columns)[key]})" for key in keys)
            cells = ",\n".join(
                f"count(*) filter (where e.{keys[0]} is not null and b.{keys[0]} is not null "
                f"and ({_mismatch_condition(name, data_type)})) as {name}"
                for name, data_type in columns
                if name not in keys
            )
            counts = connection.execute(
                f"""
                select
                    count(e.{keys[0]}) as expected_rows,
                    count(b.{keys[0]}) as baseline_rows,
                    count(*) filter (where b.{keys[0]} is null) as missing_rows,
                    count(*) filter (where e.{keys[0]} is null) as extra_rows,
                    {cells}
                from warehouse.{schema}.{mart} as e
                full outer join read_parquet('{path}') as b on {join}
                """
            ).fetchone()
            names = ["expected_rows", "baseline_rows", "missing_rows", "extra_rows"] + [
                name for name, _ in columns if name not in keys
            ]
            values = dict(zip(names, counts, strict=True))
            mismatched = {name: values[name] for name in names[4:] if values[name]}
            report[mart] = {
                "ok": values["missing_rows"] == 0 and values["extra_rows"] == 0 and not mismatched,
                "rows": values["expected_rows"],
                "baseline_rows": values["baseline_rows"],
                "missing_rows": values["missing_rows"],
                "extra_rows": values["extra_rows"],
                "mismatched_cells": mismatched,
            }
    finally:
        connection.close()
    return report


def checks_pass(report: dict[str, Any]) -> bool:
    """Whether a check_marts report is non-empty and every mart in it is equal."""
    return bool(report) and all(entry["ok"] for entry in report.values())


def compare_databases(database: Path, reference: Path) -> dict[str, Any]:
    """The four marts of `database` against those of `reference` (same check as the baselines)."""
    import duckdb

    export = database.parent / "marts_export"
    export.mkdir(exist_ok=True)
    connection = duckdb.connect(str(database), read_only=True)
    try:
        for mart in MART_KEYS:
            schema = connection.execute(
                "select schema_name from duckdb_tables() where table_name = ?", [mart]
            ).fetchone()[0]
            connection.execute(f"copy {schema}.{mart} to '{export / mart}.parquet' (format parquet)")
    finally:
        connection.close()
    return check_marts(reference, export)
