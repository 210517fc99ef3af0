"""The per-account probabilistic CLV of the warehouse: fits BG/NBD and Gamma-Gamma on prep_account_rfm and
scores every account. The dbt Python model prep_account_clv_scores is a thin call into score_accounts."""

from __future__ import annotations

import numpy as np
import pandas as pd

from cx_warehouse.analytics import clv
from cx_warehouse.analytics.frames import typed_for_warehouse

DAYS_PER_WEEK = 7.0
# The models' time unit is the week; a month is a twelfth of an average year.
WEEKS_PER_MONTH = 365.25 / 12 / DAYS_PER_WEEK
MONTHS_PER_YEAR = 12

RFM_COLUMNS = (
    "account_id",
    "invoice_days",
    "repeat_invoice_days",
    "recency_days",
    "age_days",
    "avg_repeat_invoice_eur",
    "is_revenue_incomplete",
)

SCORE_COLUMNS = (
    "account_id",
    "is_scored",
    "expected_invoice_days_12m",
    "probability_alive",
    "expected_avg_invoice_eur",
    "clv_12m_eur",
    "clv_horizon_eur",
    "horizon_months",
    "annual_discount_rate",
    "bg_nbd_status",
    "gamma_gamma_status",
    "bg_nbd_r",
    "bg_nbd_alpha_weeks",
    "bg_nbd_a",
    "bg_nbd_b",
    "bg_nbd_accounts",
    "gamma_gamma_p",
    "gamma_gamma_q",
    "gamma_gamma_gamma_eur",
    "gamma_gamma_accounts",
)


def score_accounts(
    rfm: pd.DataFrame,
    *,
    horizon_months: int,
    annual_discount_rate: float,
    min_fit_accounts: int,
) -> pd.DataFrame:
    """Fits both models on the complete histories of ``rfm`` and returns one row per account of it.

    ``rfm`` has the columns RFM_COLUMNS of prep_account_rfm (days as whole numbers, EUR). The fit uses the
    accounts with a purchase, a first one before the as-of day (age > 0) and no quarantined revenue; those
    with a purchase and a complete history are scored (is_scored), the others get nulls. BG/NBD needs at least
    ``min_fit_accounts`` such accounts, Gamma-Gamma as many with a repeat purchase; otherwise, or when a fit
    fails, the status column says why and the figures that depend on it are null (the build goes on). When
    Gamma-Gamma's q <= 1 (a heavy-tailed spread of spend across accounts: no finite population mean), the
    accounts without a repeat purchase get no expected spend and no CLV.

    Returned columns SCORE_COLUMNS: expected invoice days in the next 12 months, P(alive), the expected EUR
    per future invoice day, the discounted CLV over 12 months and over ``horizon_months`` (EUR), the horizon
    and the annual discount rate used, each model's status and parameters (alpha in weeks, gamma in EUR)
    repeated on every row. Raises ValueError when a column is missing, a horizon is not a whole number >= 1,
    the discount rate is not > -1, or min_fit_accounts < 2.
    """
    missing = [column for column in RFM_COLUMNS if column not in rfm.columns]
    if missing:
        raise ValueError(f"the RFM summary lacks the columns {missing}")
    if isinstance(horizon_months, bool) or int(horizon_months) != horizon_months or horizon_months < 1:
        raise ValueError(f"horizon_months must be a whole number >= 1, got {horizon_months!r}")
    horizon_months = int(horizon_months)
    clv.monthly_discount_rate(annual_discount_rate)
    if int(min_fit_accounts) < 2:
        raise ValueError(f"min_fit_accounts must be at least 2, got {min_fit_accounts!r}")

    # In account order: the likelihood sums over the accounts, and a database hands rows over in no fixed
    # order, which would move the fitted parameters in their last digits from one build to the next.
    frame = rfm.loc[:, list(RFM_COLUMNS)].sort_values("account_id", kind="stable").reset_index(drop=True)
    has_purchase = frame["invoice_days"].fillna(0).to_numpy() > 0
    complete = ~frame["is_revenue_incomplete"].fillna(True).astype(bool).to_numpy()
    scored = has_purchase & complete
    x = frame["repeat_invoice_days"].fillna(0).to_numpy(dtype=np.float64)
    t_x = frame["recency_days"].fillna(0).to_numpy(dtype=np.float64) / DAYS_PER_WEEK
    age = frame["age_days"].fillna(0).to_numpy(dtype=np.float64) / DAYS_PER_WEEK
    m_x = frame["avg_repeat_invoice_eur"].fillna(0).to_numpy(dtype=np.float64)
    fitted = scored & (age > 0)

    out = pd.DataFrame({"account_id": frame["account_id"], "is_scored": scored})
    for column in SCORE_COLUMNS[2:]:
        out[column] = np.nan
    out["horizon_months"] = horizon_months
    out["annual_discount_rate"] = float(annual_discount_rate)

    bg_nbd, bg_status = _fit(
        lambda: clv.fit_bg_nbd(x[fitted], t_x[fitted], age[fitted]), int(fitted.sum()), min_fit_accounts
    )
    repeat = fitted & (x > 0)
    gamma_gamma, gg_status = _fit(
        lambda: clv.fit_gamma_gamma(x[repeat], m_x[repeat]), int(repeat.sum()), min_fit_accounts
    )
    out["bg_nbd_status"] = bg_status
    out["gamma_gamma_status"] = gg_status
    out["bg_nbd_accounts"] = int(fitted.sum())
    out["gamma_gamma_accounts"] = int(repeat.sum())

    rows = np.flatnonzero(scored)
    # With q <= 1 the population mean spend is infinite: an account without a repeat purchase, whose expected
    # spend is that mean, gets no spend and no CLV; the others are scored from their own spend.
    spend_rows = rows if gamma_gamma is None or gamma_gamma.q > 1 else rows[x[rows] > 0]
    if bg_nbd is not None:
        out[["bg_nbd_r", "bg_nbd_alpha_weeks", "bg_nbd_a", "bg_nbd_b"]] = [
            bg_nbd.r,
            bg_nbd.alpha,
            bg_nbd.a,
            bg_nbd.b,
        ]
        out.loc[rows, "expected_invoice_days_12m"] = clv.conditional_expected_transactions(
            bg_nbd, MONTHS_PER_YEAR * WEEKS_PER_MONTH, x[rows], t_x[rows], age[rows]
        )
        out.loc[rows, "probability_alive"] = clv.probability_alive(bg_nbd, x[rows], t_x[rows], age[rows])
    if gamma_gamma is not None:
        out[["gamma_gamma_p", "gamma_gamma_q", "gamma_gamma_gamma_eur"]] = [
            gamma_gamma.p,
            gamma_gamma.q,
            gamma_gamma.gamma,
        ]
        out.loc[spend_rows, "expected_avg_invoice_eur"] = clv.conditional_expected_average_spend(
            gamma_gamma, x[spend_rows], m_x[spend_rows]
        )
    if bg_nbd is not None and gamma_gamma is not None:
        for column, months in (("clv_12m_eur", MONTHS_PER_YEAR), ("clv_horizon_eur", horizon_months)):
            out.loc[spend_rows, column] = clv.discounted_clv(
                bg_nbd,
                gamma_gamma,
                x[spend_rows],
                t_x[spend_rows],
                age[spend_rows],
                m_x[spend_rows],
                months=months,
                annual_discount_rate=annual_discount_rate,
                time_units_per_month=WEEKS_PER_MONTH,
            )
    return out.loc[:, list(SCORE_COLUMNS)]


def summary_with_scores(rfm: pd.DataFrame, **settings) -> pd.DataFrame:
    """``rfm`` (every column of prep_account_rfm) with score_accounts' columns beside it, one row per
    account: the one relation mart_clv_probabilistic reads. ``settings`` and errors are score_accounts'."""
    scores = score_accounts(rfm, **settings)
    return typed_for_warehouse(
        rfm.reset_index(drop=True).merge(scores, on="account_id", how="left", validate="one_to_one")
    )


def _fit(fit, accounts: int, min_accounts: int):
    """Runs one fit; returns (params, status) with params None and the reason when it cannot be trusted."""
    if accounts < min_accounts:
        return None, f"too few accounts to fit: {accounts} < {min_accounts}"
    try:
        return fit(), "fitted"
    except ValueError as error:
        return None, f"not fitted: {error}"
