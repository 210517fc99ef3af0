"""The churn-risk model (cx_warehouse.analytics.churn_risk) on hand-made snapshots whose figures are worked
out below, and its out-of-time quality on the generated warehouse (the session fixture `warehouse`)."""

from __future__ import annotations

from datetime import date, timedelta

import numpy as np
import pandas as pd
import pytest

from cx_warehouse.analytics.churn_risk import (
    STATUS_OK,
    STATUS_TOO_FEW_CHURNED,
    calibration_table,
    fit_model,
    out_of_time_split,
    score_latest_snapshots,
    top_reasons,
    validate_out_of_time,
)
from cx_warehouse.runtime.project import BuildSettings
from cx_warehouse.runtime.warehouse import connect

HORIZON = timedelta(days=90)
MONTH_ENDS = [date(2026, month + 1, 1) - timedelta(days=1) for month in range(1, 10)]  # 31 Jan ... 30 Sep
FEATURE_LIST = pd.DataFrame(
    {
        "feature": ["nps_mean_pct", "tickets_recent"],
        "reason_when_high": ["high NPS answers", "many support tickets"],
        "reason_when_low": ["low NPS answers", "few support tickets"],
    }
)


def snapshots(accounts: int = 20) -> pd.DataFrame:
    """Accounts A00..A19 at every month end of 2026 up to 30 September (the as-of day). Odd accounts answer
    NPS with 20 % and churn within the horizon, even ones answer 90 % and stay: NPS separates them perfectly,
    and tickets (account number mod 3) carry no signal. Labelled while snapshot + 90 days <= 30 September (the
    snapshots up to 30 June); the 30 September one is the latest, the one scored."""
    rows = []
    for number in range(accounts):
        for snapshot_date in MONTH_ENDS:
            labelled = snapshot_date + HORIZON <= MONTH_ENDS[-1]
            rows.append(
                {
                    "account_id": f"A{number:02d}",
                    "snapshot_date": pd.Timestamp(snapshot_date),
                    "label_window_end": pd.Timestamp(snapshot_date + HORIZON),
                    "is_labelled": labelled,
                    "is_churned_in_window": bool(number % 2) if labelled else None,
                    "is_latest_snapshot": snapshot_date == MONTH_ENDS[-1],
                    "nps_mean_pct": 20.0 if number % 2 else 90.0,
                    "tickets_recent": float(number % 3),
                }
            )
    return pd.DataFrame(rows)


def test_out_of_time_split_keeps_training_labels_before_the_test() -> None:
    # Labelled days: 31 Jan ... 30 Jun. The test is the last two (31 May, 30 Jun); training labels must be
    # known by 31 May: 31 Jan + 90 = 1 May and 28 Feb + 90 = 29 May are, 31 Mar + 90 = 29 Jun is not.
    train, test = out_of_time_split(snapshots(), test_months=2)
    assert sorted(test["snapshot_date"].dt.date.unique()) == [date(2026, 5, 31), date(2026, 6, 30)]
    assert sorted(train["snapshot_date"].dt.date.unique()) == [date(2026, 1, 31), date(2026, 2, 28)]
    assert len(train) == 40 and len(test) == 40


def test_a_perfectly_separable_case_ranks_every_churner_first() -> None:
    table = validate_out_of_time(
        snapshots(), FEATURE_LIST, test_months=2, bins=10, min_churned=5, inverse_regularisation=1.0
    )
    assert list(table["bin_number"]) == list(range(1, 11))
    assert (table["status"] == STATUS_OK).all()
    assert table["auc"].iloc[0] == 1.0
    assert table["snapshots"].sum() == 40 and table["churned_snapshots"].sum() == 20
    assert table["train_snapshots"].iloc[0] == 40 and table["train_churned_snapshots"].iloc[0] == 20
    assert table["test_snapshot_from"].iloc[0] == pd.Timestamp(2026, 5, 31)
    # Separable: every churner is predicted above 0.5, every stayer below, so the Brier score is under 0.25.
    assert table["squared_error_sum"].sum() / 40 < 0.25
    assert table.loc[table["probability_from"] >= 0.5, "churned_snapshots"].sum() == 20


def test_scores_name_low_nps_as_the_churners_first_reason() -> None:
    scored = score_latest_snapshots(snapshots(), FEATURE_LIST, min_churned=5, inverse_regularisation=1.0)
    assert list(scored["account_id"]) == [f"A{number:02d}" for number in range(20)]
    assert (scored["model_status"] == STATUS_OK).all()
    assert scored["train_snapshots"].iloc[0] == 120 and scored["train_churned_snapshots"].iloc[0] == 60
    churners = scored[scored["nps_mean_pct"] == 20.0]
    stayers = scored[scored["nps_mean_pct"] == 90.0]
    assert churners["churn_probability"].min() > 0.5 > stayers["churn_probability"].max()
    assert (churners["reason_1_feature"] == "nps_mean_pct").all()
    assert (churners["reason_1_text"] == "low NPS answers").all()
    assert stayers["reason_1_feature"].ne("nps_mean_pct").all()


def test_scores_do_not_depend_on_row_order() -> None:
    data = snapshots()
    shuffled = data.sample(frac=1.0, random_state=3)
    first = score_latest_snapshots(data, FEATURE_LIST, min_churned=5, inverse_regularisation=1.0)
    second = score_latest_snapshots(shuffled, FEATURE_LIST, min_churned=5, inverse_regularisation=1.0)
    pd.testing.assert_frame_equal(first, second)


def test_too_few_churned_snapshots_give_no_probability() -> None:
    scored = score_latest_snapshots(snapshots(), FEATURE_LIST, min_churned=61, inverse_regularisation=1.0)
    assert (scored["model_status"] == STATUS_TOO_FEW_CHURNED).all()
    assert scored["churn_probability"].isna().all() and scored["reason_1_feature"].isna().all()
    table = validate_out_of_time(
        snapshots(), FEATURE_LIST, test_months=2, bins=4, min_churned=21, inverse_regularisation=1.0
    )
    assert (table["status"] == STATUS_TOO_FEW_CHURNED).all()
    assert table["auc"].isna().all() and table["snapshots"].sum() == 0 and len(table) == 4
    # Columns of nulls keep their types: the warehouse gets a double and a string, not a column of type NULL.
    assert str(scored["churn_probability"].dtype) == "Float64"
    assert str(scored["reason_1_text"].dtype) == "string"
    assert str(table["auc"].dtype) == "Float64"


def test_reasons_are_the_largest_positive_contributions_in_order() -> None:
    # Features (sorted) a, b, c, d, fitted on [-1, 1] each: mean 0, sd 1, so a value is its own standardised
    # deviation. Coefficients set to 2, -1, 0.5, 1. Row [1, -1, 1, -1]: contributions 2, 1, 0.5, -1 ->
    # a (high), b (low), c (high). Row [0.5, -1, 0, 0]: a 1 and b 1 tie, broken by name; c and d add 0, so
    # only two. Row [0, 0, 0, 0]: nothing pushes the risk up. Row [0.5, -1 - 1e-13, 1e-17, 0]: b's
    # 1.0000000000001 ties a's 1 at 9 decimals (broken by name: a first), and c's 5e-18, a value at the mean
    # but for rounding, is no reason.
    names = ["a", "b", "c", "d"]
    feature_list = pd.DataFrame(
        {
            "feature": names,
            "reason_when_high": [f"{name} high" for name in names],
            "reason_when_low": [f"{name} low" for name in names],
        }
    )
    pipeline = fit_model(np.array([[-1.0] * 4, [1.0] * 4]), np.array([0, 1]), inverse_regularisation=1.0)
    pipeline.named_steps["classify"].coef_ = np.array([[2.0, -1.0, 0.5, 1.0]])
    rows = np.array(
        [[1.0, -1.0, 1.0, -1.0], [0.5, -1.0, 0.0, 0.0], [0.0, 0.0, 0.0, 0.0], [0.5, -1.0 - 1e-13, 1e-17, 0.0]]
    )
    reasons = top_reasons(pipeline, rows, feature_list)
    first = reasons.loc[0]
    assert [first[f"reason_{rank}_feature"] for rank in (1, 2, 3)] == ["a", "b", "c"]
    assert [first[f"reason_{rank}_text"] for rank in (1, 2, 3)] == ["a high", "b low", "c high"]
    assert [first[f"reason_{rank}_log_odds"] for rank in (1, 2, 3)] == [2.0, 1.0, 0.5]
    assert list(reasons.loc[1, ["reason_1_feature", "reason_2_feature"]]) == ["a", "b"]
    assert pd.isna(reasons.loc[1, "reason_3_feature"])
    assert reasons.loc[2].isna().all()
    assert list(reasons.loc[3, ["reason_1_feature", "reason_2_feature"]]) == ["a", "b"]
    assert list(reasons.loc[3, ["reason_1_log_odds", "reason_2_log_odds"]]) == [1.0, 1.0]
    assert pd.isna(reasons.loc[3, "reason_3_feature"])


def test_calibration_table_counts_by_hand() -> None:
    # Probabilities 0.05, 0.15, 0.95, 1.0 with outcomes 0, 1, 1, 1 in 10 bins: bin 1 holds 0.05 (squared
    # error 0.0025), bin 2 holds 0.15 (0.85^2 = 0.7225), bin 10 holds 0.95 and 1.0 (0.0025 + 0); the others
    # are empty.
    table = calibration_table(np.array([0.05, 0.15, 0.95, 1.0]), np.array([0, 1, 1, 1]), bins=10)
    assert list(table["snapshots"]) == [1, 1, 0, 0, 0, 0, 0, 0, 0, 2]
    assert list(table["churned_snapshots"]) == [0, 1, 0, 0, 0, 0, 0, 0, 0, 2]
    empty = [0.0] * 7
    assert table["predicted_probability_sum"].tolist() == pytest.approx([0.05, 0.15, *empty, 1.95])
    assert table["squared_error_sum"].tolist() == pytest.approx([0.0025, 0.7225, *empty, 0.0025])
    assert table["probability_to"].iloc[-1] == 1.0


def test_out_of_time_quality_on_generated_data(warehouse: BuildSettings) -> None:
    """The model must rank churners clearly better than chance and beat the base rate's Brier score."""
    with connect(warehouse.database) as connection:
        status, auc, brier, base_brier, tests, churned = connection.execute(
            "select model_status, auc, brier_score, base_rate_brier_score, test_snapshots,"
            " test_churned_snapshots from mart_churn_risk_validation"
        ).fetchone()
        accounts, scored = connection.execute(
            "select count(*), count(churn_probability) from mart_churn_risk"
        ).fetchone()
    assert status == STATUS_OK and tests > 500 and churned >= 10
    assert auc > 0.75
    assert brier < base_brier
    assert accounts == scored > 100
