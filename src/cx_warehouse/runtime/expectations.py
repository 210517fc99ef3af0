"""A great-expectations suite over the BI-facing marts: a second, independent check of what BI tools read.

dbt's data tests guard the models while they build; this suite checks the published tables from the outside
(through a short-lived read-only connection, validated as DataFrames: great-expectations' SQL route through
duckdb-engine is broken on DuckDB 2.0).
"""

from __future__ import annotations

import logging
import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from cx_warehouse.runtime.warehouse import BI_SCHEMA, connect

os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")


PERIOD_GRAINS = ["month", "quarter", "year"]


@contextmanager
def _info_logs_muted() -> Iterator[None]:
    """Mute INFO and lower records while great-expectations works: some of its modules set their loggers to
    INFO, and dbt's tracker gives the root logger a handler, so an ephemeral context's set-up would be printed
    in a night's output, which a scheduler mails when there is any."""
    logging.disable(logging.INFO)
    try:
        yield
    finally:
        logging.disable(logging.NOTSET)


def _suite_specs(gx) -> dict[str, list]:
    """Mart name -> its expectations. Built lazily: importing great-expectations costs seconds."""
    e = gx.expectations
    period = [
        e.ExpectColumnValuesToBeInSet(column="period_grain", value_set=PERIOD_GRAINS),
        e.ExpectColumnValuesToNotBeNull(column="period_start"),
    ]

    def share(column: str):
        return e.ExpectColumnValuesToBeBetween(column=column, min_value=0, max_value=100)

    def uncertainty(figure: str, low: int, high: int) -> list:
        """A score's interval within the scale and its margin, change and flags (DECISIONLOG "Uncertainty and
        change"); the previous period's figures are null where there is none."""
        between = e.ExpectColumnValuesToBeBetween
        return [
            between(column=f"{figure}_margin_of_error", min_value=0, max_value=high - low),
            between(column=f"{figure}_lower", min_value=low, max_value=high),
            between(column=f"{figure}_upper", min_value=low, max_value=high),
            e.ExpectColumnPairValuesAToBeGreaterThanB(
                column_A=f"{figure}_upper", column_B=f"{figure}_lower", or_equal=True
            ),
            between(column=f"previous_{figure}", min_value=low, max_value=high),
            between(column=f"{figure}_change", min_value=low - high, max_value=high - low),
            e.ExpectColumnValuesToNotBeNull(column=f"{figure}_margin_of_error"),
            e.ExpectColumnValuesToNotBeNull(column="is_low_sample"),
            e.ExpectColumnValuesToBeInSet(column=f"is_{figure}_change_significant", value_set=[True, False]),
        ]

    return {
        "mart_nps_by_segment": [
            *period,
            e.ExpectColumnValuesToBeInSet(
                column="segment_dimension",
                value_set=["all", "industry", "tier", "region", "employee_band", "touchpoint"],
            ),
            e.ExpectColumnValuesToBeBetween(column="nps", min_value=-100, max_value=100),
            e.ExpectColumnValuesToBeBetween(column="responses", min_value=1),
            e.ExpectColumnValuesToNotBeNull(column="nps_band"),
            *uncertainty("nps", -100, 100),
            e.ExpectCompoundColumnsToBeUnique(
                column_list=["period_grain", "period_start", "segment_dimension", "segment_value"]
            ),
        ],
        "mart_csat_by_touchpoint": [
            *period,
            share("csat"),
            share("mean_score_pct"),
            *uncertainty("csat", 0, 100),
            e.ExpectColumnValuesToBeBetween(column="responses", min_value=1),
            e.ExpectColumnPairValuesAToBeGreaterThanB(
                column_A="responses", column_B="satisfied", or_equal=True
            ),
        ],
        "mart_ces_by_touchpoint": [
            *period,
            share("ces"),
            share("mean_score_pct"),
            *uncertainty("ces", 0, 100),
            e.ExpectColumnValuesToBeBetween(column="responses", min_value=1),
            e.ExpectColumnPairValuesAToBeGreaterThanB(
                column_A="responses", column_B="positive", or_equal=True
            ),
        ],
        "mart_csi": [*period, share("csi"), e.ExpectColumnValuesToBeBetween(column="responses", min_value=1)],
        "mart_churn": [
            *period,
            share("logo_churn_rate"),
            share("grr"),
            e.ExpectColumnValuesToBeBetween(column="nrr", min_value=0),
            e.ExpectColumnValuesToBeBetween(column="accounts_start", min_value=0),
            e.ExpectColumnValuesToBeBetween(column="arr_end", min_value=0),
        ],
        "mart_clv": [
            e.ExpectColumnValuesToBeUnique(column="account_id"),
            e.ExpectColumnValuesToBeBetween(column="clv_eur", min_value=0),
            e.ExpectColumnValuesToBeBetween(column="tier_annual_churn_rate", min_value=0, max_value=1),
        ],
        "mart_raw_reconciliation": [
            e.ExpectColumnValuesToBeUnique(column="source_table"),
            e.ExpectTableRowCountToEqual(value=13),
            e.ExpectColumnValuesToBeBetween(column="quarantined_rows", min_value=0),
        ],
    }


@dataclass(frozen=True)
class MartResult:
    """The suite's verdict on one mart: success, and the names of the expectations that failed."""

    mart: str
    success: bool
    failed_expectations: list[str]


def validate_frames(frames: dict[str, pd.DataFrame]) -> list[MartResult]:
    """Validate each mart's DataFrame against its suite; a mart missing from `frames` fails."""
    import great_expectations as gx

    context = gx.get_context(mode="ephemeral")
    context.variables.progress_bars = {"globally": False}
    source = context.data_sources.add_pandas("marts")
    results = []
    for mart, expectations in _suite_specs(gx).items():
        if mart not in frames:
            results.append(MartResult(mart, False, ["mart not found"]))
            continue
        batch = (
            source.add_dataframe_asset(mart)
            .add_batch_definition_whole_dataframe("whole")
            .get_batch(batch_parameters={"dataframe": frames[mart]})
        )
        suite = gx.ExpectationSuite(name=f"{mart}_suite", expectations=expectations)
        outcome = batch.validate(suite)
        failed = [
            f"{r.expectation_config.type}({r.expectation_config.kwargs.get('column', '')})"
            for r in outcome.results
            if not r.success
        ]
        results.append(MartResult(mart, outcome.success, failed))
    return results


def read_marts(database: Path, marts: list[str] | None = None) -> dict[str, pd.DataFrame]:
    """Read the marts from the BI schema through a short-lived read-only connection (as a BI tool would)."""
    import great_expectations as gx

    names = marts or list(_suite_specs(gx))
    with connect(database) as connection:
        present = {
            row[0]
            for row in connection.execute(
                "select table_name from information_schema.tables where table_schema = ?", [BI_SCHEMA]
            ).fetchall()
        }
        return {name: connection.execute(f"select * from {name}").df() for name in names if name in present}


def validate_database(database: Path) -> list[MartResult]:
    """Validate the marts of a built DuckDB file (read_marts, then validate_frames); one
    MartResult per mart."""
    with _info_logs_muted():
        return validate_frames(read_marts(database))
