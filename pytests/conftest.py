"""Shared fixtures: one generated raw data set (1 % bad rows) and one real load + dbt build of it per
session."""

from __future__ import annotations

import math
from datetime import date
from pathlib import Path

import pytest

from cx_warehouse.generator.dataset import generate
from cx_warehouse.runtime.project import BuildSettings, load_raw, run_dbt

ACCOUNTS = 300
SEED = 7
BAD_RATE = 0.01
END_DATE = date(2026, 9, 30)
#: The generator plants every fault kind in every table, however small: in a data set of a few hundred
#: accounts a small table (churn events, survey questions) then holds more than the default 10 % of bad rows,
#: which a real export should not. Builds of generated test data raise the error threshold instead.
GENERATED_DATA_VARS = {"quarantine_error_pct": 30, "orphan_error_pct": 30}


def float_tolerant_key(row: tuple) -> str:
    """A sort key for rows whose floats vary in their last digits: floats to 6 significant digits."""
    return repr(tuple(f"{value:.6g}" if isinstance(value, float) else value for value in row))


def same_rows(left: list[tuple], right: list[tuple]) -> bool:
    """Equal rows (each list sorted by float_tolerant_key), floats equal to 1e-9 relative: DuckDB sums
    floats in parallel, in no fixed order, and a model fitted on such sums moves in the same last digits."""
    return len(left) == len(right) and all(
        len(a) == len(b)
        and all(
            math.isclose(x, y, rel_tol=1e-9, abs_tol=1e-12)
            if isinstance(x, float) and isinstance(y, float)
            else x == y
            for x, y in zip(a, b, strict=True)
        )
        for a, b in zip(left, right, strict=True)
    )


def _generate(out: Path, file_format: str) -> Path:
    generate(accounts=ACCOUNTS, seed=SEED, out_dir=out, file_format=file_format, bad_rate=BAD_RATE,
             end_date=END_DATE, progress=False)  # fmt: skip
    return out


def build(settings: BuildSettings, *build_args: str) -> BuildSettings:
    """Load the export, `dbt seed` and `dbt build` (every model, data test and unit test) into the settings'
    database. run_dbt raises when any model or test fails, so a caller also asserts that the build passed."""
    load_raw(settings)
    run_dbt(["seed"], settings)
    run_dbt(["build", *build_args], settings)
    return settings


@pytest.fixture(scope="session")
def raw_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return _generate(tmp_path_factory.mktemp("raw"), "csv")


@pytest.fixture(scope="session")
def parquet_raw_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The same data set as raw_dir, written as Parquet."""
    return _generate(tmp_path_factory.mktemp("raw_parquet"), "parquet")


@pytest.fixture(scope="session")
def warehouse(raw_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> BuildSettings:
    """A DuckDB file built from raw_dir by the loader, `dbt seed` and `dbt build`."""
    settings = BuildSettings(
        raw_dir, tmp_path_factory.mktemp("db") / "cx.duckdb", "csv", END_DATE, dict(GENERATED_DATA_VARS)
    )
    return build(settings)
