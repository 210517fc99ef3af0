"""BG/NBD and Gamma-Gamma (cx_warehouse.analytics.clv) against the published CDNOW estimates, and their edge
cases.

The CDNOW sample (2,357 customers of the 1/10 cohort, 39-week calibration period) is read from the `lifetimes`
wheel (MIT licence), a dev dependency, as a data file: nothing is imported from it (its `datasets` module
does not import with current setuptools) and nothing is downloaded.

Published figures:
- BG/NBD r=0.243, alpha=4.414, a=0.793, b=2.426, log-likelihood -9582.4: Fader, Hardie & Lee (2005),
  "Counting your customers the easy way", Marketing Science 24(2); also CLVTools' correctness test
  (tests/testthat/test_correctness_bgnbd.R). E[Y(39) | x=2, t_x=30.43, T=38.86] = 1.226 is the paper's
  example.
- Gamma-Gamma p=6.25, q=3.74, gamma=15.44, log-likelihood -4055.9: Fader & Hardie (2013), "The Gamma-Gamma
  model
  of monetary value" (on 946 CDNOW customers with a repeat purchase); CLVTools' test_correctness_gg.R uses
  these, lifetimes' documentation prints p 6.25, q 3.74, v 15.45 (the mean spends in its file are rounded to
  cents).
"""

from __future__ import annotations

import importlib.metadata

import numpy as np
import pandas as pd
import pytest

from cx_warehouse.analytics import clv
from cx_warehouse.analytics.clv_scores import SCORE_COLUMNS, score_accounts

BG_NBD_PUBLISHED = {"r": 0.243, "alpha": 4.414, "a": 0.793, "b": 2.426}
GAMMA_GAMMA_PUBLISHED = {"p": 6.25, "q": 3.74, "gamma": 15.44}


def cdnow(name: str) -> pd.DataFrame:
    try:
        wheel = importlib.metadata.distribution("lifetimes")
    except importlib.metadata.PackageNotFoundError:
        pytest.skip("the CDNOW sample ships in the lifetimes wheel: pip install -e '.[dev]'")
    return pd.read_csv(wheel.locate_file(f"lifetimes/datasets/{name}"))


@pytest.fixture(scope="module")
def cdnow_summary() -> pd.DataFrame:
    """ID, x, t_x, T (weeks), zbar (mean repeat spend, USD)."""
    return cdnow("cdnow_customers_summary_with_transactions.csv")


@pytest.fixture(scope="module")
def bg_nbd(cdnow_summary: pd.DataFrame) -> clv.BgNbdParams:
    return clv.fit_bg_nbd(cdnow_summary["x"], cdnow_summary["t_x"], cdnow_summary["T"])


@pytest.fixture(scope="module")
def gamma_gamma(cdnow_summary: pd.DataFrame) -> clv.GammaGammaParams:
    return clv.fit_gamma_gamma(cdnow_summary["x"], cdnow_summary["zbar"])


def test_cdnow_sample_is_the_papers(cdnow_summary: pd.DataFrame) -> None:
    assert len(cdnow_summary) == 2357
    assert int((cdnow_summary["x"] > 0).sum()) == 946
    assert int(cdnow_summary["x"].sum()) == 2457


def test_bg_nbd_reproduces_fader_hardie_lee_2005(bg_nbd: clv.BgNbdParams) -> None:
    for name, published in BG_NBD_PUBLISHED.items():
        assert getattr(bg_nbd, name) == pytest.approx(published, rel=0.01), name
    assert bg_nbd.log_likelihood == pytest.approx(-9582.4, abs=0.1)
    assert bg_nbd.customers == 2357


def test_bg_nbd_fit_agrees_with_the_other_cdnow_file(bg_nbd: clv.BgNbdParams) -> None:
    summary = cdnow("cdnow_customers_summary.csv")
    other = clv.fit_bg_nbd(summary["frequency"], summary["recency"], summary["T"])
    assert other.r == pytest.approx(bg_nbd.r, rel=1e-3)
    assert other.b == pytest.approx(bg_nbd.b, rel=1e-3)


def test_gamma_gamma_reproduces_fader_hardie_2013(gamma_gamma: clv.GammaGammaParams) -> None:
    for name, published in GAMMA_GAMMA_PUBLISHED.items():
        assert getattr(gamma_gamma, name) == pytest.approx(published, rel=0.01), name
    assert gamma_gamma.log_likelihood == pytest.approx(-4055.9, abs=0.1)
    assert gamma_gamma.customers == 946


def test_conditional_expectation_matches_the_papers_example(bg_nbd: clv.BgNbdParams) -> None:
    expected = clv.conditional_expected_transactions(bg_nbd, 39, [2], [30.43], [38.86])
    assert expected[0] == pytest.approx(1.226, abs=0.002)


def test_expected_purchases_of_the_cohort(bg_nbd: clv.BgNbdParams, cdnow_summary: pd.DataFrame) -> None:
    """Over the cohort, expectations grow with the horizon and alive probabilities lie in 0..1."""
    x, t_x, age = cdnow_summary["x"], cdnow_summary["t_x"], cdnow_summary["T"]
    half = clv.conditional_expected_transactions(bg_nbd, 19.5, x, t_x, age)
    full = clv.conditional_expected_transactions(bg_nbd, 39, x, t_x, age)
    assert np.all(half >= 0) and np.all(full > half)
    alive = clv.probability_alive(bg_nbd, x, t_x, age)
    assert np.all((alive >= 0) & (alive <= 1))
    assert np.all(alive[x == 0] == 1)


def test_expected_spend_shrinks_towards_the_population_mean(gamma_gamma: clv.GammaGammaParams) -> None:
    spend = clv.conditional_expected_average_spend(gamma_gamma, [0, 1, 8], [0.0, 100.0, 100.0])
    population = gamma_gamma.p * gamma_gamma.gamma / (gamma_gamma.q - 1)
    assert spend[0] == pytest.approx(population)
    assert population < spend[1] < spend[2] < 100


def test_one_invoice_no_repeat() -> None:
    """A customer with one purchase: x = 0, t_x = 0. Alive by the model's rule, a positive but small
    expectation, the population mean spend, and a CLV that grows with the horizon and shrinks with the
    discount rate."""
    params = clv.BgNbdParams(r=0.243, alpha=4.414, a=0.793, b=2.426)
    spend = clv.GammaGammaParams(p=6.25, q=3.74, gamma=15.44)
    assert clv.probability_alive(params, [0], [0], [30])[0] == 1.0
    expected = clv.conditional_expected_transactions(params, 52, [0], [0], [30])[0]
    assert 0 < expected < 1
    assert clv.conditional_expected_transactions(params, 0, [0], [0], [30])[0] == pytest.approx(0)
    one_year = clv.discounted_clv(
        params, spend, [0], [0], [30], [0], months=12, annual_discount_rate=0.1, time_units_per_month=4.348
    )[0]
    three_years = clv.discounted_clv(
        params, spend, [0], [0], [30], [0], months=36, annual_discount_rate=0.1, time_units_per_month=4.348
    )[0]
    undiscounted = clv.discounted_clv(
        params, spend, [0], [0], [30], [0], months=12, annual_discount_rate=0.0, time_units_per_month=4.348
    )[0]
    assert 0 < one_year < three_years
    assert one_year < undiscounted
    mean_spend = 6.25 * 15.44 / 2.74
    year = clv.conditional_expected_transactions(params, 12 * 4.348, [0], [0], [30])[0]
    assert undiscounted == pytest.approx(year * mean_spend)


def test_a_long_silence_lowers_p_alive() -> None:
    params = clv.BgNbdParams(r=0.243, alpha=4.414, a=0.793, b=2.426)
    recent, silent = clv.probability_alive(params, [5, 5], [38, 5], [39, 39])
    assert silent < recent <= 1


def test_monthly_discount_rate() -> None:
    assert (1 + clv.monthly_discount_rate(0.1)) ** 12 == pytest.approx(1.1)
    assert clv.monthly_discount_rate(0) == 0


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: clv.fit_bg_nbd([1, 2], [1.0], [2.0, 3.0]), "same length"),
        (lambda: clv.fit_bg_nbd([-1, 2], [0, 1], [2, 3]), "whole numbers >= 0"),
        (lambda: clv.fit_bg_nbd([1.5, 2], [1, 1], [2, 3]), "whole numbers >= 0"),
        (lambda: clv.fit_bg_nbd([1, 2], [5, 1], [2, 3]), "must not exceed T"),
        (lambda: clv.fit_bg_nbd([0, 2], [1, 1], [2, 3]), "must be 0 for a customer without repeat"),
        (lambda: clv.fit_bg_nbd([1, np.nan], [1, 1], [2, 3]), "finite"),
        (lambda: clv.fit_bg_nbd([0, 0, 0], [0, 0, 0], [2, 3, 4]), "no customer has a repeat"),
        (lambda: clv.fit_bg_nbd([1], [1], [2]), "at least 2 customers"),
        (lambda: clv.fit_gamma_gamma([1, 2], [10.0, -5.0]), "m_x .* must be > 0"),
        (lambda: clv.fit_gamma_gamma([0, 2], [0.0, 5.0]), "at least 2 customers with repeat"),
        (lambda: clv.probability_alive(clv.BgNbdParams(0, 1, 1, 1), [1], [1], [2]), "parameter r"),
        (
            lambda: clv.conditional_expected_transactions(clv.BgNbdParams(1, 1, 0.5, 1), -1, [1], [1], [2]),
            "horizon",
        ),
        (
            lambda: clv.conditional_expected_average_spend(clv.GammaGammaParams(2, 0.9, 1), [0], [0]),
            "q > 1",
        ),
        (lambda: clv.monthly_discount_rate(-1.5), "discount rate"),
        (
            lambda: clv.discounted_clv(
                clv.BgNbdParams(1, 1, 0.5, 1),
                clv.GammaGammaParams(2, 2, 1),
                [1],
                [1],
                [2],
                [1.0],
                months=0,
                annual_discount_rate=0.1,
                time_units_per_month=4.3,
            ),
            "months",
        ),
    ],
)
def test_invalid_inputs_raise_value_error(call, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        call()


def rfm_frame(accounts: int, seed: int = 7) -> pd.DataFrame:
    """Accounts buying monthly-ish for a year or two, some stopping, spend varying per account and invoice."""
    rng = np.random.default_rng(seed)
    rows = []
    for number in range(accounts):
        age_days = int(rng.integers(60, 730))
        invoice_days = int(rng.integers(1, 1 + age_days // 30))
        recency_days = 0 if invoice_days == 1 else int(rng.integers(invoice_days, age_days))
        rows.append(
            {
                "account_id": f"A{number}",
                "invoice_days": invoice_days,
                "repeat_invoice_days": invoice_days - 1,
                "recency_days": recency_days,
                "age_days": age_days,
                "avg_repeat_invoice_eur": float(rng.gamma(4, 250)) if invoice_days > 1 else None,
                "is_revenue_incomplete": number % 25 == 0,
            }
        )
    rows.append(
        {
            "account_id": "NONE",
            "invoice_days": 0,
            "repeat_invoice_days": None,
            "recency_days": None,
            "age_days": None,
            "avg_repeat_invoice_eur": None,
            "is_revenue_incomplete": False,
        }
    )
    return pd.DataFrame(rows)


def test_score_accounts_scores_complete_histories_only() -> None:
    rfm = rfm_frame(200)
    scores = score_accounts(rfm, horizon_months=36, annual_discount_rate=0.1, min_fit_accounts=20)
    assert list(scores.columns) == list(SCORE_COLUMNS)
    assert len(scores) == len(rfm)
    assert set(scores["bg_nbd_status"]) == {"fitted"}
    scored = scores["is_scored"]
    assert scores.loc[scored, "clv_12m_eur"].notna().all()
    assert scores.loc[~scored, ["expected_invoice_days_12m", "clv_12m_eur"]].isna().all().all()
    assert not scores.loc[scores["account_id"] == "NONE", "is_scored"].any()
    assert (scores.loc[scored, "clv_horizon_eur"] >= scores.loc[scored, "clv_12m_eur"]).all()
    assert scores["bg_nbd_accounts"].iloc[0] == int(scored.sum())


def test_score_accounts_with_too_few_accounts_says_so() -> None:
    scores = score_accounts(rfm_frame(5), horizon_months=12, annual_discount_rate=0.1, min_fit_accounts=20)
    assert scores["bg_nbd_status"].iloc[0].startswith("too few accounts to fit")
    assert scores["clv_12m_eur"].isna().all()
    assert scores["probability_alive"].isna().all()


def test_score_accounts_rejects_bad_settings() -> None:
    with pytest.raises(ValueError, match="horizon_months"):
        score_accounts(rfm_frame(5), horizon_months=0, annual_discount_rate=0.1, min_fit_accounts=20)
    with pytest.raises(ValueError, match="lacks the columns"):
        score_accounts(
            rfm_frame(5).drop(columns="age_days"),
            horizon_months=12,
            annual_discount_rate=0.1,
            min_fit_accounts=20,
        )
