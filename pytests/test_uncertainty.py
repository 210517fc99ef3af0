"""The score marts' intervals and change tests, checked against SciPy on the built warehouse (no build of its
own): the Wilson bounds of every CSAT and CES row against scipy's binomtest, and the two-proportion z of every
change against Pearson's chi-squared of the 2 x 2 table (z^2 = chi^2 without continuity correction)."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from cx_warehouse.runtime.project import BuildSettings, project_vars
from cx_warehouse.runtime.warehouse import connect

stats = pytest.importorskip("scipy.stats")

SHARES = {"mart_csat_by_touchpoint": ("csat", "satisfied"), "mart_ces_by_touchpoint": ("ces", "positive")}


def _confidence_z() -> float:
    """The build's var confidence_z (the fixture does not override it)."""
    return float(project_vars()["confidence_z"])


def _read(settings: BuildSettings, sql: str) -> pd.DataFrame:
    with connect(settings.database) as connection:
        return connection.execute(sql).df()


@pytest.mark.parametrize("mart", SHARES)
def test_wilson_bounds_agree_with_scipy(warehouse: BuildSettings, mart: str) -> None:
    share, positives = SHARES[mart]
    rows = _read(warehouse, f"select responses, {positives} as x, {share}_lower, {share}_upper from {mart}")
    assert len(rows) > 50
    # The confidence level whose two-sided normal quantile is exactly confidence_z.
    level = 2 * stats.norm.cdf(_confidence_z()) - 1
    for row in rows.itertuples():
        bounds = stats.binomtest(int(row.x), int(row.responses)).proportion_ci(level, method="wilson")
        assert getattr(row, f"{share}_lower") == pytest.approx(bounds.low * 100, abs=1e-6)
        assert getattr(row, f"{share}_upper") == pytest.approx(bounds.high * 100, abs=1e-6)


@pytest.mark.parametrize("mart", SHARES)
def test_change_z_agrees_with_pearson_chi_squared(warehouse: BuildSettings, mart: str) -> None:
    share, positives = SHARES[mart]
    rows = _read(
        warehouse,
        f"select c.responses, c.{positives} as x, p.responses as n0, p.{positives} as x0,"
        f" c.{share}_change_z as z, c.is_{share}_change_significant as significant"
        f" from {mart} as c inner join {mart} as p on c.period_grain = p.period_grain"
        f" and c.touchpoint = p.touchpoint and c.previous_responses = p.responses"
        f" and p.period_start = case c.period_grain when 'month' then c.period_start - interval 1 month"
        f" when 'quarter' then c.period_start - interval 3 month else c.period_start - interval 1 year end",
    )
    assert len(rows) > 20
    assert rows["significant"].any() and not rows["significant"].all()
    for row in rows.itertuples():
        table = np.array([[row.x, row.responses - row.x], [row.x0, row.n0 - row.x0]])
        if table[:, 0].sum() in (0, table.sum()):
            assert pd.isna(row.z) and not row.significant
            continue
        chi2 = stats.chi2_contingency(table, correction=False).statistic
        assert row.z**2 == pytest.approx(chi2, rel=1e-9)
        if row.x * row.n0 != row.x0 * row.responses:
            assert math.copysign(1, row.z) == math.copysign(1, row.x / row.responses - row.x0 / row.n0)
        assert bool(row.significant) == (abs(row.z) >= _confidence_z())
