"""Churn risk of the warehouse: a scikit-learn logistic regression on account snapshots
(prep_churn_risk_snapshots: features as of a month end, label = churned within the horizon), validated out of
time and refitted to score every active account with its top reasons. The dbt Python models
prep_churn_risk_validation and prep_churn_risk_scores are thin calls into validate_out_of_time and
score_latest_snapshots.

Why a standardised logistic regression without class weights (DECISIONLOG "Churn risk"): the marts publish
probabilities (a risk band, ARR at risk, a Brier score and a calibration table), and balanced class weights
would inflate every probability by about the inverse base rate; the linear model also gives exact, additive
reasons."""

from __future__ import annotations

import numpy as np
import pandas as pd
from sklearn.impute import SimpleImputer
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import roc_auc_score
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import StandardScaler

from cx_warehouse.analytics.frames import typed_for_warehouse

KEY_COLUMNS = ("account_id", "snapshot_date")
LABEL_COLUMNS = ("label_window_end", "is_labelled", "is_churned_in_window", "is_latest_snapshot")
FEATURE_LIST_COLUMNS = ("feature", "reason_when_high", "reason_when_low")
TOP_REASONS = 3
# The precision, in log-odds, at which the reasons' contributions are compared and published.
REASON_DECIMALS = 9
RANDOM_STATE = 0

STATUS_OK = "ok"
STATUS_TOO_FEW_CHURNED = "too_few_churned_snapshots"
STATUS_NO_TEST_SNAPSHOTS = "no_test_snapshots"

CALIBRATION_COLUMNS = (
    "bin_number",
    "probability_from",
    "probability_to",
    "snapshots",
    "churned_snapshots",
    "predicted_probability_sum",
    "squared_error_sum",
    "status",
    "auc",
    "train_snapshot_from",
    "train_snapshot_to",
    "train_snapshots",
    "train_churned_snapshots",
    "test_snapshot_from",
    "test_snapshot_to",
)


def _reason_columns() -> list[str]:
    return [
        f"reason_{rank}_{part}"
        for rank in range(1, TOP_REASONS + 1)
        for part in ("feature", "text", "log_odds")
    ]


#: Nullable pandas types, so that a column of nulls (no model fitted, no test) still reaches the warehouse as
#: a typed column, which the marts and their unit tests cast.
SCORE_TYPES = {
    "churn_probability": "Float64",
    "model_status": "string",
    "train_snapshots": "Int64",
    "train_churned_snapshots": "Int64",
    **{column: "Float64" if column.endswith("_log_odds") else "string" for column in _reason_columns()},
}
SCORE_COLUMNS = tuple(SCORE_TYPES)
RUN_TYPES = {
    "status": "string",
    "auc": "Float64",
    "train_snapshot_from": "datetime64[ns]",
    "train_snapshot_to": "datetime64[ns]",
    "train_snapshots": "Int64",
    "train_churned_snapshots": "Int64",
    "test_snapshot_from": "datetime64[ns]",
    "test_snapshot_to": "datetime64[ns]",
}


def feature_columns(feature_list: pd.DataFrame) -> list[str]:
    """The feature names of seed churn_risk_features, sorted so that the fit does not depend on row order."""
    missing = [column for column in FEATURE_LIST_COLUMNS if column not in feature_list.columns]
    if missing:
        raise ValueError(f"the feature list lacks the columns {missing}")
    return sorted(feature_list["feature"])


def _checked(snapshots: pd.DataFrame, features: list[str]) -> pd.DataFrame:
    """The snapshots sorted by key (a deterministic fit whatever order the warehouse returns), checked."""
    missing = [
        column for column in (*KEY_COLUMNS, *LABEL_COLUMNS, *features) if column not in snapshots.columns
    ]
    if missing:
        raise ValueError(f"the snapshots lack the columns {missing}")
    return snapshots.sort_values(list(KEY_COLUMNS), kind="stable").reset_index(drop=True)


def _design_matrix(snapshots: pd.DataFrame, features: list[str]) -> np.ndarray:
    return snapshots[features].astype("float64").to_numpy()


def _labels(snapshots: pd.DataFrame) -> np.ndarray:
    return snapshots["is_churned_in_window"].astype(bool).to_numpy().astype(int)


def fit_model(features: np.ndarray, churned: np.ndarray, *, inverse_regularisation: float) -> Pipeline:
    """Mean imputation (a missing feature, e.g. no NPS answer in the window, then adds nothing to the
    log-odds), standardisation and an L2 logistic regression (lbfgs: deterministic) fitted to 0/1 ``churned``.
    """
    pipeline = Pipeline(
        [
            ("impute", SimpleImputer(strategy="mean", keep_empty_features=True)),
            ("scale", StandardScaler()),
            (
                "classify",
                LogisticRegression(C=inverse_regularisation, max_iter=1000, random_state=RANDOM_STATE),
            ),
        ]
    )
    return pipeline.fit(features, churned)


def top_reasons(pipeline: Pipeline, features: np.ndarray, feature_list: pd.DataFrame) -> pd.DataFrame:
    """The TOP_REASONS features that push each row's risk up most, as reason_<rank>_feature, _text and
    _log_odds. A feature's contribution to a row's log-odds, relative to an account at the training mean, is
    coefficient x standardised deviation from the mean, (x - mean) / sd (a missing value counts as the mean:
    0); the contributions plus the intercept sum to the row's log-odds. Reasons are the contributions
    positive when rounded to REASON_DECIMALS, largest first (ties by feature name), in the words of seed
    churn_risk_features for a value above or below the mean; null where fewer features push the risk up. The
    columns of ``features`` are feature_columns(feature_list)."""
    names = feature_columns(feature_list)
    # (feature, is the value above the mean) -> the reason's words; a dict, as it is read for every row.
    texts = {
        (feature, above): text
        for feature, high, low in feature_list[["feature", "reason_when_high", "reason_when_low"]].itertuples(
            index=False
        )
        for above, text in ((True, high), (False, low))
    }
    standardised = pipeline[:-1].transform(features)
    # Rounded to REASON_DECIMALS: a feature at the training mean deviates from it only by rounding (1e-17),
    # which is no reason, and two features' contributions that agree to that precision are a tie (broken by
    # name), not an order set by the last bits of a fit on parallel float sums.
    contributions = np.round(standardised * pipeline.named_steps["classify"].coef_[0], REASON_DECIMALS)
    rows = []
    for row_contributions, row_standardised in zip(contributions, standardised, strict=True):
        ranked = sorted(
            (-contribution, feature, deviation)
            for feature, contribution, deviation in zip(
                names, row_contributions, row_standardised, strict=True
            )
            if contribution > 0
        )[:TOP_REASONS]
        row: dict[str, object] = dict.fromkeys(_reason_columns())
        for rank, (negative_contribution, feature, deviation) in enumerate(ranked, start=1):
            row[f"reason_{rank}_feature"] = feature
            row[f"reason_{rank}_text"] = texts[feature, deviation > 0]
            row[f"reason_{rank}_log_odds"] = -negative_contribution
        rows.append(row)
    return pd.DataFrame(rows, columns=_reason_columns())


def _has_both_classes(churned: np.ndarray, min_churned: int) -> bool:
    return int(churned.sum()) >= min_churned and int(len(churned) - churned.sum()) >= min_churned


def out_of_time_split(snapshots: pd.DataFrame, *, test_months: int) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Training and test snapshots: the test holds the labelled snapshots of the latest ``test_months``
    snapshot days; training holds the labelled snapshots whose label window ended by the first test day, so
    every training label was known before the test period starts (no overlap of outcome windows)."""
    if isinstance(test_months, bool) or int(test_months) != test_months or test_months < 1:
        raise ValueError(f"test_months must be a whole number >= 1, got {test_months!r}")
    labelled = snapshots[snapshots["is_labelled"].astype(bool)]
    test_days = sorted(labelled["snapshot_date"].unique())[-int(test_months) :]
    if not test_days:
        return labelled, labelled
    test = labelled[labelled["snapshot_date"] >= test_days[0]]
    train = labelled[labelled["label_window_end"] <= test_days[0]]
    return train, test


def calibration_table(probabilities: np.ndarray, churned: np.ndarray, *, bins: int) -> pd.DataFrame:
    """Additive counts per equal-width probability bin (1 = [0, 1/bins), ..., the last includes 1): snapshots,
    churned snapshots, the sum of predicted probabilities and of squared errors (Brier 1950), so that observed
    and predicted rates and the Brier score are ratios of sums. Every bin has a row, empty ones with zeros."""
    if isinstance(bins, bool) or int(bins) != bins or bins < 1:
        raise ValueError(f"bins must be a whole number >= 1, got {bins!r}")
    bins = int(bins)
    numbers = np.minimum((probabilities * bins).astype(int), bins - 1) + 1
    squared_errors = (probabilities - churned) ** 2
    return pd.DataFrame(
        {
            "bin_number": np.arange(1, bins + 1),
            "probability_from": np.arange(bins) / bins,
            "probability_to": np.arange(1, bins + 1) / bins,
            "snapshots": [int((numbers == number).sum()) for number in range(1, bins + 1)],
            "churned_snapshots": [int(churned[numbers == number].sum()) for number in range(1, bins + 1)],
            "predicted_probability_sum": [
                float(probabilities[numbers == number].sum()) for number in range(1, bins + 1)
            ],
            "squared_error_sum": [
                float(squared_errors[numbers == number].sum()) for number in range(1, bins + 1)
            ],
        }
    )


def _window(snapshots: pd.DataFrame) -> tuple[object, object]:
    if snapshots.empty:
        return None, None
    return snapshots["snapshot_date"].min(), snapshots["snapshot_date"].max()


def validate_out_of_time(
    snapshots: pd.DataFrame,
    feature_list: pd.DataFrame,
    *,
    test_months: int,
    bins: int,
    min_churned: int,
    inverse_regularisation: float,
) -> pd.DataFrame:
    """Fits on the training snapshots of out_of_time_split, predicts the test snapshots, and returns the
    calibration table (CALIBRATION_COLUMNS) with the run's figures repeated on every bin: status, the test's
    ROC AUC (scikit-learn's roc_auc_score), the training and test snapshot days and sizes. With fewer than
    ``min_churned`` churned (or retained) training snapshots the status says so and the bins are empty; the
    AUC is null when the test holds one class only."""
    features = feature_columns(feature_list)
    train, test = out_of_time_split(_checked(snapshots, features), test_months=test_months)
    train_churned = _labels(train)
    probabilities = np.empty(0)
    test_churned = np.empty(0, dtype=int)
    auc = None
    if test.empty:
        status = STATUS_NO_TEST_SNAPSHOTS
    elif not _has_both_classes(train_churned, min_churned):
        status = STATUS_TOO_FEW_CHURNED
    else:
        status = STATUS_OK
        model = fit_model(
            _design_matrix(train, features), train_churned, inverse_regularisation=inverse_regularisation
        )
        probabilities = model.predict_proba(_design_matrix(test, features))[:, 1]
        test_churned = _labels(test)
        if 0 < test_churned.sum() < len(test_churned):
            auc = float(roc_auc_score(test_churned, probabilities))
    table = calibration_table(probabilities, test_churned, bins=bins)
    train_from, train_to = _window(train)
    test_from, test_to = _window(test)
    return table.assign(
        status=status,
        auc=auc,
        train_snapshot_from=train_from,
        train_snapshot_to=train_to,
        train_snapshots=len(train),
        train_churned_snapshots=int(train_churned.sum()),
        test_snapshot_from=test_from,
        test_snapshot_to=test_to,
    ).astype(RUN_TYPES)[list(CALIBRATION_COLUMNS)]


def score_latest_snapshots(
    snapshots: pd.DataFrame,
    feature_list: pd.DataFrame,
    *,
    min_churned: int,
    inverse_regularisation: float,
) -> pd.DataFrame:
    """Refits on every labelled snapshot and scores the latest snapshot of every active account
    (is_latest_snapshot): those rows with SCORE_COLUMNS beside them, the 0-1 probability of churning within
    the horizon and the top reasons (top_reasons). With fewer than ``min_churned`` churned (or retained)
    labelled snapshots the probability and reasons are null and model_status says why."""
    features = feature_columns(feature_list)
    checked = _checked(snapshots, features)
    labelled = checked[checked["is_labelled"].astype(bool)]
    latest = checked[checked["is_latest_snapshot"].astype(bool)].reset_index(drop=True)
    churned = _labels(labelled)
    scores = pd.DataFrame(index=latest.index, columns=list(SCORE_COLUMNS)).astype(SCORE_TYPES)
    scores["train_snapshots"] = len(labelled)
    scores["train_churned_snapshots"] = int(churned.sum())
    if not _has_both_classes(churned, min_churned):
        scores["model_status"] = STATUS_TOO_FEW_CHURNED
        return typed_for_warehouse(pd.concat([latest, scores], axis=1))
    scores["model_status"] = STATUS_OK
    if latest.empty:
        return typed_for_warehouse(pd.concat([latest, scores], axis=1))
    model = fit_model(
        _design_matrix(labelled, features), churned, inverse_regularisation=inverse_regularisation
    )
    design = _design_matrix(latest, features)
    scores["churn_probability"] = model.predict_proba(design)[:, 1]
    scores[_reason_columns()] = top_reasons(model, design, feature_list).to_numpy()
    return typed_for_warehouse(pd.concat([latest, scores], axis=1))
