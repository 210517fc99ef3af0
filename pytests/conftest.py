"""Shared fixtures: one generated raw data set (1 % bad rows) and one real dbt build of it per session."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from cx_warehouse.generator import generate
from cx_warehouse.project import BuildSettings, run_dbt

ACCOUNTS = 300
SEED = 7
BAD_RATE = 0.01
END_DATE = date(2026, 9, 30)


def _generate(out: Path, file_format: str) -> Path:
    generate(accounts=ACCOUNTS, seed=SEED, out_dir=out, file_format=file_format, bad_rate=BAD_RATE,
             end_date=END_DATE, progress=False)  # fmt: skip
    return out


@pytest.fixture(scope="session")
def raw_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return _generate(tmp_path_factory.mktemp("raw"), "csv")


@pytest.fixture(scope="session")
def parquet_raw_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The same data set as raw_dir, written as Parquet."""
    return _generate(tmp_path_factory.mktemp("raw_parquet"), "parquet")


@pytest.fixture(scope="session")
def warehouse(raw_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> BuildSettings:
    """A DuckDB file built by `dbt seed` + `dbt build` (every model, data test and unit test) on raw_dir.

    run_dbt raises when any model or test fails, so every test using this fixture also asserts that the
    build passed.
    """
    settings = BuildSettings(raw_dir, tmp_path_factory.mktemp("db") / "cx.duckdb", "csv", END_DATE)
    run_dbt(["seed"], settings)
    run_dbt(["build"], settings)
    return settings
