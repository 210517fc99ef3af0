"""The metric cascade on the built warehouse (no build of its own): every cascade value is its source mart's
figure, the drill-down mart adds up to the cascade, and every status follows the documented rule, recomputed
here from seed metric_cascade (docs/metric_cascade.md)."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from cx_warehouse.runtime.project import BuildSettings, project_dir, project_vars
from cx_warehouse.runtime.warehouse import connect

#: Each cascade metric with a source mart: the mart, its figure and the filter to the whole company.
SOURCE_FIGURES = {
    "nps": ("mart_nps_by_segment", "nps", "segment_dimension = 'all'"),
    "csat": ("mart_csat_by_touchpoint", "csat", "touchpoint = 'all'"),
    "ces": ("mart_ces_by_touchpoint", "ces", "touchpoint = 'all'"),
    "csi": ("mart_csi", "csi", "true"),
    "grr": ("mart_churn", "grr", "segment_dimension = 'all'"),
    "nrr": ("mart_churn", "nrr", "segment_dimension = 'all'"),
    "logo_retention": ("mart_churn", "crr", "segment_dimension = 'all'"),
}
#: mart_churn stores its rates as decimals with 6 places.
RATE_TOLERANCE = 1e-5


def _read(settings: BuildSettings, sql: str) -> pd.DataFrame:
    with connect(settings.database) as connection:
        return connection.execute(sql).df()


def _cascade(settings: BuildSettings) -> pd.DataFrame:
    return _read(settings, "select * from mart_metric_cascade")


def test_every_seed_metric_is_reported_in_every_period(warehouse: BuildSettings) -> None:
    seed = pd.read_csv(project_dir() / "seeds" / "metric_cascade.csv")
    cascade = _cascade(warehouse)
    periods = _read(warehouse, "select period_grain, period_start from dim_reporting_periods")
    assert len(cascade) == len(seed) * len(periods)
    assert set(cascade["metric_code"]) == set(seed["metric_code"])
    quarter = cascade[(cascade["period_grain"] == "quarter") & cascade["is_complete"]]
    last = quarter[quarter["period_start"] == quarter["period_start"].max()].set_index("metric_code")
    # Every metric has a value in the last complete quarter of the demo data.
    assert not last["metric_value"].isna().any(), last[last["metric_value"].isna()].index.tolist()


def test_cascade_values_are_the_source_marts_figures(warehouse: BuildSettings) -> None:
    cascade = _cascade(warehouse)
    for metric_code, (mart, figure, company) in SOURCE_FIGURES.items():
        source = _read(
            warehouse, f"select period_grain, period_start, {figure} as value from {mart} where {company}"
        )
        mine = cascade[cascade["metric_code"] == metric_code]
        joined = mine.merge(source, on=["period_grain", "period_start"], how="inner")
        assert len(joined) == len(source) > 0, metric_code
        both = joined.dropna(subset=["value"])
        assert joined["value"].isna().equals(joined["metric_value"].isna()), metric_code
        assert (both["metric_value"] - both["value"].astype(float)).abs().max() < RATE_TOLERANCE, metric_code


def test_closed_loop_compliance_is_the_detractor_alerts_contacted_in_time(warehouse: BuildSettings) -> None:
    """Recounted per quarter from the alerts mart: of the NPS detractors' alerts whose SLA is decided, the
    share contacted in time."""
    alerts = _read(
        warehouse,
        """
        select cast(date_trunc('quarter', answered_on) as date) as period_start,
            count(case when alert_status = 'closed_in_time' then 1 end) * 100.0 / count(*) as value
        from mart_feedback_alerts
        where metric = 'nps' and alert_status <> 'open_within_sla'
        group by 1
        """,
    )
    cascade = _cascade(warehouse)
    mine = cascade[
        (cascade["metric_code"] == "closed_loop_compliance") & (cascade["period_grain"] == "quarter")
    ]
    joined = mine.dropna(subset=["metric_value"]).merge(alerts, on="period_start", how="outer")
    assert len(joined) > 0
    assert (joined["metric_value"] - joined["value"]).abs().max() < 1e-9


def test_drill_down_adds_up_to_the_cascade(warehouse: BuildSettings) -> None:
    cascade = _cascade(warehouse).dropna(subset=["numerator"])
    segments = _read(warehouse, "select * from mart_metric_cascade__by_segment")
    totals = segments[(segments["touchpoint"] == "all") & (segments["segment_dimension"] == "all")]
    keys = ["period_grain", "period_start", "metric_code"]
    joined = cascade.merge(totals, on=keys, suffixes=("", "_drill"))
    assert len(joined) == len(cascade) == len(totals)
    # ARR sums are floats, added up in another order in each mart.
    for column in ["numerator", "denominator"]:
        assert np.allclose(joined[column], joined[f"{column}_drill"], rtol=1e-9, atol=1e-9), column
    assert (joined["status"].fillna("none") == joined["status_drill"].fillna("none")).all()
    # Each segment dimension and each touchpoint partition the metric: their rows sum to the 'all' row.
    for dimension in ["industry", "tier", "region", "employee_band"]:
        parts = segments[(segments["touchpoint"] == "all") & (segments["segment_dimension"] == dimension)]
        summed = parts.groupby(keys, as_index=False)[["denominator", "sample_size"]].sum()
        check = summed.merge(totals, on=keys, suffixes=("", "_all"))
        assert len(check) == len(totals), dimension
        assert (check["sample_size"] == check["sample_size_all"]).all(), dimension
    per_touchpoint = segments[(segments["touchpoint"] != "all") & (segments["segment_dimension"] == "all")]
    assert set(per_touchpoint["metric_code"]) >= {"nps", "csat", "first_response_hours", "onboarding_days"}
    assert not set(per_touchpoint["metric_code"]) & {"grr", "nrr", "logo_retention"}


def test_journey_drivers_are_the_cascade_figures(warehouse: BuildSettings) -> None:
    # Both read prep_operational_drivers__monthly: a stage's driver is its metric's cascade value.
    journey = _read(
        warehouse,
        "select period_grain, period_start, stage_driver as metric_code, driver_value from mart_journey "
        "where driver_observations > 0",
    )
    joined = journey.merge(_cascade(warehouse), on=["period_grain", "period_start", "metric_code"])
    assert len(joined) == len(journey) > 0
    assert set(joined["metric_code"]) == {"onboarding_days", "first_response_hours"}
    assert np.allclose(joined["driver_value"], joined["metric_value"], rtol=1e-9)


def _expected_status(row: pd.Series, min_sample: int) -> str | None:
    """The rule of docs/metric_cascade.md, written out again."""
    if pd.isna(row["metric_value"]) or row["sample_size"] < min_sample:
        return None
    better_by = (
        row["metric_value"] - row["target"]
        if row["is_higher_better"]
        else row["target"] - row["metric_value"]
    )
    better_by = round(better_by, 6)
    if better_by >= 0:
        return "on_track"
    return "at_risk" if better_by >= -row["at_risk_tolerance"] else "off_track"


def test_statuses_follow_the_documented_rule(warehouse: BuildSettings) -> None:
    min_sample = int(project_vars()["min_sample_responses"])
    cascade = _cascade(warehouse)
    expected = cascade.apply(_expected_status, axis=1, min_sample=min_sample)
    assert (expected.fillna("none") == cascade["status"].fillna("none")).all()
    assert {"on_track", "at_risk", "off_track"} <= set(cascade["status"].dropna())
    trend_periods = int(project_vars()["cascade_trend_periods"])
    monthly = cascade[(cascade["period_grain"] == "month") & (cascade["metric_code"] == "nps")]
    values = monthly.sort_values("period_start")["metric_value"].to_list()
    bases = monthly.sort_values("period_start")["trend_base_value"].to_list()
    assert all(
        (math.isnan(base) and (index < trend_periods or math.isnan(values[index - trend_periods])))
        or base == values[index - trend_periods]
        for index, base in enumerate(bases)
    )
