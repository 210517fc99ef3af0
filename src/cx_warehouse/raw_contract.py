"""The raw contract as the sources YAML defines it: one place for the table and column lists."""

from __future__ import annotations

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


def check_raw_dir(raw_dir: Path, raw_format: str) -> None:
    """Stop early, naming the folder and the missing files, instead of letting dbt fail on a file read."""
    if raw_format not in RAW_FORMATS:
        raise SystemExit(f"Raw format '{raw_format}' is not one of {', '.join(RAW_FORMATS)}.")
    missing = [name for name in raw_table_names() if not (raw_dir / f"{name}.{raw_format}").is_file()]
    if missing:
        raise SystemExit(
            f"{raw_dir} lacks the raw table file(s) {', '.join(f'{m}.{raw_format}' for m in missing)}. "
            "Export every table of the raw contract (README, 'The raw contract') or generate demo data "
            "with `cxw generate`."
        )
