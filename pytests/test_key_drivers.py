"""Key driver analysis: the LMG / Shapley decomposition of R2 from correlations
(cx_warehouse.analytics.key_drivers) on a case worked out by hand and against brute-force OLS fits; the SQL
co-moments against numpy and mart_key_drivers on the generated warehouse: the planted drivers come out on
top."""

from __future__ import annotations

from itertools import combinations, permutations

import numpy as np
import pandas as pd
import pytest

from cx_warehouse.analytics.key_drivers import driver_importance, pairwise_correlation, shapley_r2
from cx_warehouse.generator.catalog import DRIVERS
from cx_warehouse.runtime.project import BuildSettings
from cx_warehouse.runtime.warehouse import connect

MOMENT_SUMS = ["pair_count", "sum_a", "sum_b", "sum_aa", "sum_bb", "sum_ab"]


def co_moments(data: pd.DataFrame) -> pd.DataFrame:
    """The rows prep_key_driver_moments holds for one group: every unordered pair of columns (each column with
    itself too) with the count and sums over the rows where both are present (a positive value counts as
    meeting the target)."""
    pairs = [*combinations(sorted(data.columns), 2), *((column, column) for column in data.columns)]
    moments = []
    for a, b in pairs:
        present = data[a].notna() & data[b].notna()
        x, y = data.loc[present, a].to_numpy(float), data.loc[present, b].to_numpy(float)
        moments.append(
            (a, b, len(x), (x > 0).sum(), x.sum(), y.sum(), (x * x).sum(), (y * y).sum(), (x * y).sum())
        )
    return pd.DataFrame(
        moments, columns=["variable_a", "variable_b", "pair_count", "good_count_a", *MOMENT_SUMS[1:]]
    ).assign(survey_id="S1")


def ols_r2(y: np.ndarray, x: np.ndarray) -> float:
    """R2 of an OLS fit with an intercept (numpy least squares)."""
    design = np.column_stack([np.ones(len(y)), x])
    residuals = y - design @ np.linalg.lstsq(design, y, rcond=None)[0]
    return 1.0 - residuals @ residuals / ((y - y.mean()) @ (y - y.mean()))


def test_two_drivers_by_hand():
    # r(y, x1) = 0.6, r(y, x2) = 0.4, r(x1, x2) = 0.5.
    # R2(x1) = 0.36, R2(x2) = 0.16, R2(x1, x2) = (0.36 + 0.16 - 2 x 0.6 x 0.4 x 0.5) / (1 - 0.25)
    # = 0.28 / 0.75 = 0.373333. Shapley: x1 = (0.36 + (0.373333 - 0.16)) / 2 = 0.286667,
    # x2 = (0.16 + (0.373333 - 0.36)) / 2 = 0.086667; together 0.373333 = R2(x1, x2).
    shares = shapley_r2(np.array([[1.0, 0.5], [0.5, 1.0]]), np.array([0.6, 0.4]))
    assert shares == pytest.approx([0.286667, 0.086667], abs=1e-6)
    assert shares.sum() == pytest.approx(0.28 / 0.75)


def test_uncorrelated_drivers_get_their_squared_correlation():
    # With orthogonal drivers every order adds the same R2: each driver's share is r^2.
    shares = shapley_r2(np.eye(3), np.array([0.5, -0.3, 0.1]))
    assert shares == pytest.approx([0.25, 0.09, 0.01])


def test_pairwise_correlation_matches_numpy():
    rng = np.random.default_rng(3)
    x = rng.normal(size=50)
    y = 0.4 * x + rng.normal(size=50)
    r = pairwise_correlation(50, x.sum(), y.sum(), x @ x, y @ y, x @ y)
    assert r == pytest.approx(np.corrcoef(x, y)[0, 1], abs=1e-12)
    assert np.isnan(pairwise_correlation(3, 3.0, 6.0, 3.0, 14.0, 6.0))  # x constant at 1


def test_decomposition_matches_brute_force_ols():
    # Four correlated drivers; the Shapley value computed independently: over all 24 orders of entry, the mean
    # R2 a driver adds, each R2 an OLS fit of the rows themselves.
    rng = np.random.default_rng(11)
    common = rng.normal(size=400)
    x = np.column_stack([common * w + rng.normal(size=400) for w in (0.2, 0.8, 0.5, 0.0)])
    y = x @ np.array([0.9, 0.5, 0.3, 0.2]) + rng.normal(size=400)
    r2 = {
        subset: ols_r2(y, x[:, list(subset)]) if subset else 0.0
        for size in range(5)
        for subset in combinations(range(4), size)
    }
    expected = np.zeros(4)
    for order in permutations(range(4)):
        for place, driver in enumerate(order):
            expected[driver] += r2[tuple(sorted(order[: place + 1]))] - r2[tuple(sorted(order[:place]))]
    expected /= 24
    data = pd.DataFrame({"nps": y, **{f"d{j}": x[:, j] for j in range(4)}})
    result = driver_importance(co_moments(data), ["survey_id"], min_responses=30)
    assert result["importance_r2"].to_numpy() == pytest.approx(expected, abs=1e-9)
    assert result["model_r2"].iloc[0] == pytest.approx(r2[(0, 1, 2, 3)], abs=1e-9)
    assert result["importance_share"].sum() == pytest.approx(1.0)
    assert result["correlation"].to_numpy() == pytest.approx(
        [np.corrcoef(y, x[:, j])[0, 1] for j in range(4)]
    )
    assert list(result["importance_status"].unique()) == ["fitted"]


def test_drivers_with_too_few_responses_or_no_variance_are_left_out():
    # d_rare is present in 5 of 40 rows (min 10), d_flat never varies: only d_ok is fitted, so it holds the
    # whole R2, which is its squared correlation.
    rng = np.random.default_rng(5)
    y = rng.normal(size=40)
    data = pd.DataFrame(
        {
            "nps": y,
            "d_ok": y + rng.normal(size=40),
            "d_rare": np.where(np.arange(40) < 5, y, np.nan),
            "d_flat": np.ones(40),
        }
    )
    result = driver_importance(co_moments(data), ["survey_id"], min_responses=10).set_index("driver_key")
    assert result["importance_status"].to_dict() == {
        "d_flat": "no_variance",
        "d_ok": "fitted",
        "d_rare": "too_few_responses",
    }
    assert result.loc["d_ok", "importance_r2"] == pytest.approx(result.loc["d_ok", "correlation"] ** 2)
    assert result.loc["d_ok", "importance_share"] == pytest.approx(1.0)
    assert result.loc["d_rare", "driver_responses"] == 5
    assert result.loc["d_rare", "driver_value_sum"] == pytest.approx(y[:5].sum())
    assert result.loc["d_rare", "driver_values_meeting_target"] == (y[:5] > 0).sum()
    assert (result["nps_responses"] == 40).all()
    assert np.isnan(result.loc["d_rare", "importance_r2"])


def test_driver_importance_checks_its_input():
    with pytest.raises(ValueError, match="lack the columns"):
        driver_importance(pd.DataFrame({"survey_id": []}), ["survey_id"], min_responses=30)
    with pytest.raises(ValueError, match="at least 2"):
        driver_importance(co_moments(pd.DataFrame({"nps": [1.0, 2.0]})), ["survey_id"], min_responses=1)


def query(settings: BuildSettings, sql: str) -> pd.DataFrame:
    with connect(settings.database) as connection:
        return connection.execute(sql).df()


def test_sql_co_moments_match_numpy(warehouse: BuildSettings):
    # The relationship survey's whole population in each year: prep_key_driver_moments against the same sums
    # computed by numpy from prep_key_driver_values' rows (one column per variable, pairwise complete).
    values = query(
        warehouse,
        "select response_id, variable_key, variable_value, is_good,"
        " extract(year from submitted_month) as year from prep_key_driver_values where survey_id = 'SRV-REL'",
    )
    moments = query(
        warehouse,
        "select extract(year from period_start) as year, variable_a, variable_b, "
        + ", ".join([*MOMENT_SUMS, "good_count_a"])
        + " from prep_key_driver_moments where survey_id = 'SRV-REL' and segment_dimension = 'all'",
    )
    assert set(moments["year"]) == set(values["year"])
    for year, rows in values.groupby("year"):
        wide = rows.pivot(index="response_id", columns="variable_key", values="variable_value")
        expected = (
            co_moments(wide).drop(columns="survey_id").set_index(["variable_a", "variable_b"]).sort_index()
        )
        actual = moments[moments["year"] == year].set_index(["variable_a", "variable_b"]).sort_index()
        assert list(actual.index) == list(expected.index)
        for column in MOMENT_SUMS:
            assert actual[column].to_numpy(float) == pytest.approx(expected[column].to_numpy(float), rel=1e-9)
        good = rows.groupby("variable_key")["is_good"].sum()
        diagonal = actual[actual.index.get_level_values(0) == actual.index.get_level_values(1)]
        assert (
            dict(zip(diagonal.index.get_level_values(0), diagonal["good_count_a"], strict=True))
            == good.to_dict()
        )


def test_planted_drivers_come_out_on_top(warehouse: BuildSettings):
    # The generator scores every driver question from the response's latent satisfaction, which also drives
    # the NPS score, and makes onboarding longer at less satisfied accounts (generator/responses.py,
    # onboarding.py); it gives ticket timings no link to satisfaction. So in every year of the relationship
    # survey the six driver questions explain the most, each correlated with NPS, and onboarding time is the
    # operational driver that explains the most, correlated negatively.
    mart = query(
        warehouse,
        "select * from mart_key_drivers where survey_id = 'SRV-REL' and segment_dimension = 'all' "
        "and importance_status = 'fitted'",
    )
    assert len(mart["period_start"].unique()) >= 2
    questions = set(DRIVERS)
    for _, year in mart.groupby("period_start"):
        ranked = year.sort_values("importance_r2", ascending=False)
        assert set(ranked["driver_key"].head(len(questions))) == questions
        assert (ranked.head(len(questions))["correlation"] > 0.3).all()
        operational = ranked[ranked["driver_type"] == "operational"]
        assert operational["driver_key"].iloc[0] == "onboarding_days"
        assert operational["correlation"].iloc[0] < -0.1
        assert year["importance_r2"].sum() == pytest.approx(year["model_r2"].iloc[0])
        assert year["importance_share"].sum() == pytest.approx(1.0)
        assert set(year.loc[year["driver_key"].isin(questions), "quadrant"]) <= {"fix_first", "keep_up"}
