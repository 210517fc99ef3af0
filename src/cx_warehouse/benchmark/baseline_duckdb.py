"""The hand-written DuckDB baseline of the benchmark: benchmarks/baseline_duckdb.sql with its placeholders
filled in from the raw contract, run on the loader's landing files.

    python -m cx_warehouse.benchmark.baseline_duckdb baseline --landing-dir DIR --out DIR --as-of 2026-09-30

The script computes the same four marts as the dbt project (mart_nps_by_segment, mart_csat_by_touchpoint,
mart_ces_by_touchpoint, mart_churn) and writes each as <mart>.parquet; cx_warehouse.benchmark.compare checks
them against the warehouse. Each raw table reaches the script as a subquery written from its declaration
(contract_table_sql), so the script repeats only the rules the contract does not declare.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import string
import sys
from datetime import date
from pathlib import Path
from typing import Any

from cx_warehouse.runtime.project import project_dir, project_vars
from cx_warehouse.runtime.raw_contract import RawColumn, RawTable, raw_tables

MEMORY_LIMIT = "3GB"  # the profile's default memory_limit (env CXW_MEMORY_LIMIT overrides it)

NUMBER_TEXT = "[+-]?([0-9]+([.][0-9]*)?|[.][0-9]+)([eE][+-]?[0-9]+)?"
#: A whole number as an integer column accepts it ('8' or '8.0', at most 18 digits).
INTEGER_TEXT = "[+-]?[0-9]{1,18}([.]0*)?"


def _sql_text(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def _typed_sql(column: RawColumn, raw: str) -> str:
    """The typed value of a contract column from its canonical landing text (null when it does not parse)."""
    kind = column.kind
    if column.role == "code" or kind == "text":
        return raw
    if kind == "timestamp":  # the loader writes UTC with a 'Z'; the session's TimeZone is UTC
        return f"cast(timezone('UTC', try_cast({raw} as timestamptz)) as timestamp)"
    if kind == "date":
        return f"try_cast({raw} as date)"
    if kind == "integer":
        return (
            f"case when regexp_full_match({raw}, '{INTEGER_TEXT}') "
            f"then cast(try_cast({raw} as decimal(20, 2)) as bigint) end"
        )
    number_type = "double" if kind == "number" else "decimal(18, 2)"
    return f"case when regexp_full_match({raw}, '{NUMBER_TEXT}') then try_cast({raw} as {number_type}) end"


def contract_table_sql(table: RawTable, landing_dir: Path) -> str:
    """One raw table as a subquery for the DuckDB baseline, written from its declaration in the raw contract:
    every column typed by its data_type (a code matched to its vocabulary in the script's table `codes`,
    unknown -> the column's unknown_code), _row_number, version_at (the latest of the table's version_by
    timestamps), passes_contract: no load error, the key present, every typed value parsed, every required
    value present, no timestamp after the as-of day where declared not_after_as_of, every code known; and
    is_scheduled: the first check the row fails is the one on the as-of day. The table's own rules,
    references and copies are the script's."""
    path = _sql_text(str((landing_dir / f"{table.name}.parquet").resolve()))
    typed, joins = [], []
    for column in table.columns:
        raw = f"raw.{column.name}"
        if column.role == "code":
            match = f"{column.name}__code"
            joins.append(
                f"left join codes as {match} on {match}.vocabulary = {_sql_text(column.vocabulary)} "
                f"and {match}.value_key = label_key({raw})"
            )
            code = f"{match}.code"
            if column.unknown_code is not None:
                code = f"coalesce({code}, {_sql_text(column.unknown_code)})"
            if column.kind == "boolean":
                code = f"cast({code} as boolean)"
            typed.append(f"case when {raw} is not null then {code} end as {column.name}")
        else:
            typed.append(f"{_typed_sql(column, raw)} as {column.name}")
        if column.role == "code" or column.kind != "text":
            typed.append(f"{raw} as {column.name}__text")
    # The warehouse's checks in its order: readable (load, key, parse, required), then dated, then known.
    readable, dated, known = ["_load_error is null"], ["true"], ["true"]
    for column in table.columns:
        name = column.name
        if column.role == "key":
            readable.append(f"{name} is not null")
        elif column.required:
            readable.append(
                f"{name}{'__text' if column.role == 'code' or column.kind != 'text' else ''} is not null"
            )
        if column.role != "code" and column.kind != "text":
            readable.append(f"({name}__text is null or {name} is not null)")
        if column.not_after_as_of:
            end = "getvariable('as_of_end')" if column.kind == "timestamp" else "getvariable('as_of') + 1"
            dated.append(f"coalesce({name} < {end}, true)")
        if column.quarantines_unknown_code:
            known.append(f"({name}__text is null or {name} is not null)")
    version = table.version_by
    if not version:
        version_at = "cast(null as timestamp)"
    elif len(version) == 1:
        version_at = version[0]
    else:
        version_at = "greatest(" + ", ".join(f"coalesce({name}, {version[0]})" for name in version) + ")"
    selected = ",\n            ".join([*typed, "raw._row_number", "raw._load_error"])
    joined = "".join(f"\n        {join}" for join in joins)
    is_readable, is_dated, is_known = ("\n        and ".join(checks) for checks in (readable, dated, known))
    return (
        f"(\n    select\n        typed.*,\n        {version_at} as version_at,\n"
        f"        ({is_readable}) and ({is_dated}) and ({is_known}) as passes_contract,\n"
        f"        ({is_readable}) and not ({is_dated}) as is_scheduled\n"
        f"    from (\n        select\n            {selected}\n"
        f"        from read_parquet({path}) as raw{joined}\n    ) as typed\n)"
    )


def label_spellings_sql(vocabulary: str, landing_dir: Path) -> str:
    """Every spelling of a vocabulary with its number of rows, as a subquery (vocabulary, spelling,
    row_count): from every label or code column of the raw contract that uses it, all rows of the export (a
    label is counted as written, whatever else is wrong with its row)."""
    parts = [
        f"select {column.name} as spelling "
        f"from read_parquet({_sql_text(str((landing_dir / f'{table.name}.parquet').resolve()))}) "
        f"where {column.name} is not null"
        for table in raw_tables().values()
        for column in table.columns
        if column.role in ("label", "code") and (column.vocabulary or column.name) == vocabulary
    ]
    union = "\n        union all\n        ".join(parts)
    return (
        f"(\n    select {_sql_text(vocabulary)} as vocabulary, spelling, count(*) as row_count\n"
        f"    from (\n        {union}\n    )\n    group by spelling\n)"
    )


def baseline_fragments(landing_dir: Path) -> dict[str, str]:
    """The DuckDB baseline's placeholders that come from the raw contract: ${<table>} (contract_table_sql),
    and for every label or code column ${vocabulary__<table>__<column>} (its vocabulary as a SQL literal) and
    ${label_spellings__<table>__<column>} (label_spellings_sql of that vocabulary)."""
    fragments: dict[str, str] = {}
    for table in raw_tables().values():
        fragments[table.name] = contract_table_sql(table, landing_dir)
        for column in table.columns:
            if column.role in ("label", "code"):
                vocabulary = column.vocabulary or column.name
                fragments[f"vocabulary__{table.name}__{column.name}"] = _sql_text(vocabulary)
                fragments[f"label_spellings__{table.name}__{column.name}"] = label_spellings_sql(
                    vocabulary, landing_dir
                )
    return fragments


def _time_zone(name: str) -> str:
    """An IANA zone name, checked to be one before it reaches SQL (the form macros/sql_values.sql checks)."""
    if not re.fullmatch(r"[A-Za-z][A-Za-z0-9_+-]*(/[A-Za-z0-9_+-]+){0,2}", name):
        raise ValueError(f"reporting_time_zone '{name}' is not an IANA time zone such as Europe/Copenhagen")
    return name


def duckdb_baseline_sql(
    landing_dir: Path, out_dir: Path, as_of: date, variables: dict[str, Any] | None = None
) -> str:
    """The hand-written script with its placeholders filled in: the raw contract's fragments
    (baseline_fragments) for landing_dir, and the dbt vars it follows (dbt_project.yml's, unless given)."""
    settings = {**project_vars(), **(variables or {})}
    template = (project_dir() / "benchmarks" / "baseline_duckdb.sql").read_text()
    return string.Template(template).substitute(
        baseline_fragments(landing_dir),
        seeds_dir=str((project_dir() / "seeds").resolve()),
        as_of=as_of.isoformat(),
        reporting_start=date.fromisoformat(str(settings["reporting_start_date"])).isoformat(),
        time_zone=_time_zone(str(settings["reporting_time_zone"])),
        double_submission_minutes=float(settings["double_submission_window_minutes"]),
        confidence_z=float(settings["confidence_z"]),
        min_sample_responses=int(settings["min_sample_responses"]),
        out_dir=str(out_dir.resolve()),
    )


def run_duckdb_baseline(
    landing_dir: Path, out_dir: Path, as_of: date, variables: dict[str, Any] | None = None
) -> None:
    """Run benchmarks/baseline_duckdb.sql on the loader's landing files with the profile's settings (dbt vars
    as in duckdb_baseline_sql), in a scratch database file in out_dir
    (its tables can then leave memory; an in-memory database ran out of its 4GB at 100 M answers), which is
    removed afterwards: only the marts' Parquet files stay."""
    import duckdb

    out_dir.mkdir(parents=True, exist_ok=True)
    scratch = out_dir / "scratch.duckdb"
    scratch.unlink(missing_ok=True)
    connection = duckdb.connect(str(scratch))
    # The profile's settings: UTC for timestamps without an offset, the same memory limit; spill to disk.
    connection.execute("set TimeZone = 'UTC'")
    connection.execute(f"set memory_limit = '{os.environ.get('CXW_MEMORY_LIMIT', MEMORY_LIMIT)}'")
    connection.execute("set preserve_insertion_order = false")
    connection.execute(f"set temp_directory = '{(out_dir / 'spill').resolve()}'")
    try:
        connection.execute(duckdb_baseline_sql(landing_dir, out_dir, as_of, variables))
    finally:
        connection.close()
        scratch.unlink(missing_ok=True)
        Path(f"{scratch}.wal").unlink(missing_ok=True)
        shutil.rmtree(out_dir / "spill", ignore_errors=True)


def main(argv: list[str] | None = None) -> int:
    """`baseline`: run the script once on a landing folder into --out (the harness runs it as a child process,
    so that its time and memory are its own). Returns the exit code, 0."""
    parser = argparse.ArgumentParser(
        prog="python -m cx_warehouse.benchmark.baseline_duckdb", description=__doc__.split("\n\n")[0]
    )
    commands = parser.add_subparsers(dest="command", required=True)
    baseline = commands.add_parser("baseline", help="run the DuckDB baseline script once")
    baseline.add_argument("--landing-dir", type=Path, required=True, help="the loader's landing folder")
    baseline.add_argument("--out", type=Path, required=True, help="folder for the <mart>.parquet files")
    baseline.add_argument("--as-of", type=date.fromisoformat, required=True, help="the build's as-of day")
    args = parser.parse_args(argv)
    run_duckdb_baseline(args.landing_dir, args.out, args.as_of)
    return 0


if __name__ == "__main__":
    sys.exit(main())
