"""The raw contract as the sources YAML defines it: one place for the table and column lists."""

from __future__ import annotations

import csv
from functools import cache
from pathlib import Path

import yaml

from cx_warehouse.project import project_dir

RAW_FORMATS = ("csv", "parquet")


@cache
def raw_contract() -> dict[str, list[str]]:
    """Raw table name -> its columns in contract order, read from models/staging/*/_*__sources.yml."""
    tables: dict[str, list[str]] = {}
    for path in sorted(Path(project_dir(), "models", "staging").glob("*/_*__sources.yml")):
        for source in yaml.safe_load(path.read_text())["sources"]:
            for table in source["tables"]:
                tables[table["name"]] = [column["name"] for column in table["columns"]]
    return tables


def raw_table_names() -> list[str]:
    return list(raw_contract())


def raw_file_columns(path: Path) -> list[str]:
    """The column names of one raw file: the CSV header or the Parquet schema."""
    if path.suffix == ".parquet":
        import pyarrow.parquet as pq

        return list(pq.read_schema(path).names)
    with path.open(newline="", encoding="utf-8-sig") as handle:
        return next(csv.reader(handle), [])


def check_raw_dir(raw_dir: Path, raw_format: str) -> None:
    """Stop before dbt starts when the raw files cannot be read as the contract says, naming the folder, the
    table and the missing files or columns, instead of letting a model fail halfway through a build.
    Extra columns are allowed (ignored); bad values are not checked here: they are quarantined row by row."""
    if raw_format not in RAW_FORMATS:
        raise SystemExit(f"Raw format '{raw_format}' is not one of {', '.join(RAW_FORMATS)}.")
    missing = [name for name in raw_table_names() if not (raw_dir / f"{name}.{raw_format}").is_file()]
    if missing:
        raise SystemExit(
            f"{raw_dir} lacks the raw table file(s) {', '.join(f'{m}.{raw_format}' for m in missing)}. "
            "Export every table of the raw contract (README, 'The raw contract') or generate demo data "
            "with `cxw generate`."
        )
    for table, columns in raw_contract().items():
        path = raw_dir / f"{table}.{raw_format}"
        present = set(raw_file_columns(path))
        absent = [column for column in columns if column not in present]
        if absent:
            raise SystemExit(
                f"{path} lacks the column(s) {', '.join(absent)} of table {table}. Add them to the "
                "export (empty values are allowed where the contract says nullable); see the raw contract "
                "in the README."
            )
