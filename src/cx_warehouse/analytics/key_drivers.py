"""Key driver analysis from co-moments: how much of the variance of an outcome (the NPS score) each driver
explains, without ever seeing a response row.

An OLS R squared of any subset S of standardised predictors is a function of the correlations alone,
R2(S) = r_yS' R_SS^-1 r_yS, so the Shapley decomposition of R2 (LMG: Lindeman, Merenda & Gold 1980; Grömping
2007, "Estimators of relative importance in linear regression based on variance decomposition") is computed
exactly over the 2^k subsets of the k drivers from the correlation matrix that prep_key_driver_moments' sums
give. The dbt Python model prep_key_driver_importance is a thin call into driver_importance."""

from __future__ import annotations

from collections import namedtuple
from itertools import combinations, groupby
from math import factorial

import numpy as np
import pandas as pd

from cx_warehouse.analytics.frames import typed_for_warehouse

OUTCOME = "nps"

MOMENT_COLUMNS = (
    "variable_a",
    "variable_b",
    "pair_count",
    "good_count_a",
    "sum_a",
    "sum_b",
    "sum_aa",
    "sum_bb",
    "sum_ab",
)

MomentRow = namedtuple("MomentRow", MOMENT_COLUMNS)

IMPORTANCE_COLUMNS = (
    "driver_key",
    "nps_responses",
    "driver_responses",
    "driver_values_meeting_target",
    "driver_value_sum",
    "correlation",
    "importance_r2",
    "importance_share",
    "model_r2",
    "model_drivers",
    "model_responses",
    "importance_status",
)


def pairwise_correlation(
    pair_count: float, sum_a: float, sum_b: float, sum_aa: float, sum_bb: float, sum_ab: float
) -> float:
    """Pearson's r of two variables from the sums over the rows where both are present; NaN when either does
    not vary (or there are fewer than two rows)."""
    if pair_count < 2:
        return float("nan")
    covariance = sum_ab - sum_a * sum_b / pair_count
    variance_a = sum_aa - sum_a * sum_a / pair_count
    variance_b = sum_bb - sum_b * sum_b / pair_count
    # Sums of squares below a relative 1e-12 are rounding noise of a constant variable.
    if variance_a <= 1e-12 * max(sum_aa, 1.0) or variance_b <= 1e-12 * max(sum_bb, 1.0):
        return float("nan")
    return float(np.clip(covariance / np.sqrt(variance_a * variance_b), -1.0, 1.0))


def subset_r2(correlations: np.ndarray, outcome_correlations: np.ndarray) -> np.ndarray:
    """R2 of the OLS regression of the outcome on every subset of the k drivers, indexed by the subset's bit
    mask (bit j set: driver j is in it; R2 of the empty set 0), from the drivers' correlation matrix and their
    correlations with the outcome: r_yS' R_SS^-1 r_yS. The subsets of one size are solved in one batched call.
    A pseudo-inverse keeps collinear drivers finite; R2 is clipped to [0, 1] because a pairwise complete
    matrix need not be positive semi-definite."""
    k = len(outcome_correlations)
    r2 = np.zeros(2**k)
    for size in range(1, k + 1):
        subsets = np.array(list(combinations(range(k), size)))
        r_ys = outcome_correlations[subsets]
        inverses = np.linalg.pinv(correlations[subsets[:, :, None], subsets[:, None, :]])
        masks = (1 << subsets).sum(axis=1)
        r2[masks] = np.einsum("ni,nij,nj->n", r_ys, inverses, r_ys)
    return np.clip(r2, 0.0, 1.0)


def shapley_r2(correlations: np.ndarray, outcome_correlations: np.ndarray) -> np.ndarray:
    """The LMG / Shapley share of R2 of each of the k drivers: the mean over all orders of entry of the R2 a
    driver adds, i.e. sum over subsets S without j of |S|! (k - |S| - 1)! / k! x (R2(S + j) - R2(S)). The
    shares add up to the R2 of all k drivers. Exact over the 2^k subsets (k is small: one R2 per subset)."""
    k = len(outcome_correlations)
    r2 = subset_r2(correlations, outcome_correlations)
    masks = np.arange(2**k)
    sizes = np.array([bin(mask).count("1") for mask in masks])
    weights = np.array([factorial(size) * factorial(k - size - 1) / factorial(k) for size in range(k)])
    shares = np.zeros(k)
    for driver in range(k):
        without = masks[(masks >> driver) & 1 == 0]
        shares[driver] = weights[sizes[without]] @ (r2[without | (1 << driver)] - r2[without])
    return shares


def _group_importance(moments: list[MomentRow], min_responses: int) -> list[dict]:
    """One row per driver of one group's co-moments (a dict of IMPORTANCE_COLUMNS): drivers with at least
    ``min_responses`` responses beside an NPS score and a correlation (both vary) enter the decomposition;
    if a pair of them has fewer responses together, the one with fewer responses leaves, until every pair has
    enough."""
    pairs = {(row.variable_a, row.variable_b): row for row in moments}

    def pair(a: str, b: str):
        return pairs.get((a, b)) or pairs.get((b, a))

    def correlation(a: str, b: str) -> float:
        row = pair(a, b)
        if row is None:
            return float("nan")
        # r is symmetric: the order of the pair does not matter.
        return pairwise_correlation(row.pair_count, row.sum_a, row.sum_b, row.sum_aa, row.sum_bb, row.sum_ab)

    def together(a: str, b: str) -> int:
        row = pair(a, b)
        return 0 if row is None else int(row.pair_count)

    drivers = sorted({name for key in pairs for name in key} - {OUTCOME})
    responses = {driver: together(OUTCOME, driver) for driver in drivers}
    # A variable's row with itself holds its own count of values meeting the target and its sum.
    own = {driver: pair(driver, driver) for driver in drivers}
    outcome_r = {driver: correlation(OUTCOME, driver) for driver in drivers}
    status = {
        driver: "too_few_responses"
        if responses[driver] < min_responses
        else ("no_variance" if np.isnan(outcome_r[driver]) else "fitted")
        for driver in drivers
    }
    kept = [driver for driver in drivers if status[driver] == "fitted"]
    while True:
        short = [(a, b) for a, b in combinations(kept, 2) if together(a, b) < min_responses]
        if not short:
            break
        leaving = min(short[0], key=lambda driver: (responses[driver], driver))
        status[leaving] = "too_few_responses_with_other_drivers"
        kept.remove(leaving)
    shares = np.zeros(0)
    if kept:
        matrix = np.array([[1.0 if a == b else correlation(a, b) for b in kept] for a in kept])
        if np.isnan(matrix).any():
            # A driver constant where it meets another: the decomposition is undefined for the group.
            kept, shares = [], np.zeros(0)
            status.update({driver: "no_variance" for driver in drivers if status[driver] == "fitted"})
        else:
            shares = shapley_r2(matrix, np.array([outcome_r[driver] for driver in kept]))
    model_r2 = float(shares.sum()) if kept else float("nan")
    model_responses = min(together(a, b) for a in [OUTCOME, *kept] for b in [OUTCOME, *kept]) if kept else 0
    share_of = dict(zip(kept, shares, strict=True))
    return [
        {
            "driver_key": driver,
            "nps_responses": together(OUTCOME, OUTCOME),
            "driver_responses": responses[driver],
            "driver_values_meeting_target": np.nan if own[driver] is None else own[driver].good_count_a,
            "driver_value_sum": np.nan if own[driver] is None else own[driver].sum_a,
            "correlation": outcome_r[driver],
            "importance_r2": share_of.get(driver, np.nan),
            "importance_share": share_of[driver] / model_r2
            if driver in share_of and model_r2 > 0
            else np.nan,
            "model_r2": model_r2 if driver in share_of else np.nan,
            "model_drivers": len(kept) if driver in share_of else 0,
            "model_responses": model_responses if driver in share_of else 0,
            "importance_status": status[driver],
        }
        for driver in drivers
    ]


def driver_importance(moments: pd.DataFrame, group_columns: list[str], min_responses: int) -> pd.DataFrame:
    """Per group (``group_columns``, e.g. period, survey and segment) and driver: the driver's correlation
    with the NPS score and its LMG share of R2 (importance_r2, adding up to model_r2 over the group's fitted
    drivers; importance_share = importance_r2 / model_r2, adding up to 1).

    ``moments`` has ``group_columns`` and MOMENT_COLUMNS: one row per unordered pair of variables (the outcome
    'nps' and the drivers, each variable also paired with itself) with the count and sums over the responses
    where both are present (pairwise complete). Returns ``group_columns`` + IMPORTANCE_COLUMNS, one row per
    driver paired with the outcome in the group; importance_status says why a driver was left out. The
    group's NPS responses and, from the driver's row with itself, its values meeting the target and their sum
    come along, so that the mart reads this one relation.
    Raises ValueError when a column is missing or min_responses < 2."""
    missing = [column for column in [*group_columns, *MOMENT_COLUMNS] if column not in moments.columns]
    if missing:
        raise ValueError(f"the co-moments lack the columns {missing}")
    if int(min_responses) < 2:
        raise ValueError(f"min_responses must be at least 2, got {min_responses!r}")
    # Plain tuples grouped in Python: pandas' per-group frames cost more than the fits.
    width = len(group_columns)
    columns = [moments[column].tolist() for column in [*group_columns, *MOMENT_COLUMNS]]
    records = sorted(zip(*columns, strict=True))
    rows = [
        {**dict(zip(group_columns, key, strict=True)), **row}
        for key, group in groupby(records, key=lambda record: record[:width])
        for row in _group_importance([MomentRow(*record[width:]) for record in group], int(min_responses))
    ]
    return typed_for_warehouse(pd.DataFrame(rows, columns=[*group_columns, *IMPORTANCE_COLUMNS]))
