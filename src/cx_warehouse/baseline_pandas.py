"""The core marts in plain pandas: what an analyst would otherwise write, as the benchmark's second baseline.

    python -m cx_warehouse.baseline_pandas baseline --raw-dir RAW --out DIR --as-of 2026-09-30

It reads the raw CSVs (every column as text), applies the warehouse's validation rules that change these
marts' figures (docs/architecture.md, DECISIONLOG.md: trimmed text and casts, required values, accepted codes,
future timestamps, scales and whole points, references to *valid* parents, duplicates decided among the rows
that passed the other checks with the checked models' order) and writes mart_nps_by_segment,
mart_csat_by_touchpoint, mart_ces_by_touchpoint and mart_churn as <mart>.parquet. The benchmark checks that
they equal the dbt marts, row by row. It is deliberately straightforward (DataFrames, merges, group-bys, one
table in memory at a time), not tuned: it shows what the warehouse saves an analyst, in time and in rules.

Money is kept in integer cents so that sums are exact like the warehouse's decimals; answers are read
without their free text (no mart here uses it), the one economy any analyst would make.
"""

from __future__ import annotations

import argparse
import sys
from datetime import date
from decimal import Decimal
from pathlib import Path

import numpy as np
import pandas as pd

from cx_warehouse.project import project_dir

GRAINS = ("month", "quarter", "year")
SEGMENTS = ("industry", "tier", "region", "employee_band")
SCALED_METRICS = ("nps", "csat", "ces", "csi_item", "driver")
TRUE_TEXT = {"true", "t", "1", "yes", "y"}  # what DuckDB's boolean cast accepts
FALSE_TEXT = {"false", "f", "0", "no", "n"}


# ----------------------------------------------------------------------------------------------- reading


def read_raw(raw_dir: Path, table: str, columns: list[str] | None = None) -> pd.DataFrame:
    """A raw table as text: only an empty field is missing ('n/a' is a value that must fail its cast)."""
    return pd.read_csv(
        raw_dir / f"{table}.csv", dtype=str, keep_default_na=False, na_values=[""], usecols=columns
    )


def text(values: pd.Series) -> pd.Series:
    """Staging's text rule: trimmed, and empty means missing."""
    stripped = values.str.strip()
    return stripped.mask(stripped == "")


def timestamps(values: pd.Series) -> tuple[pd.Series, pd.Series]:
    """UTC timestamps without zone (no offset = UTC) and whether the text was present but did not parse."""
    raw = text(values)
    parsed = pd.to_datetime(raw, utc=True, errors="coerce", format="ISO8601").dt.tz_localize(None)
    return parsed, raw.notna() & parsed.isna()


def dates(values: pd.Series) -> tuple[pd.Series, pd.Series]:
    raw = text(values)
    parsed = pd.to_datetime(raw, errors="coerce", format="%Y-%m-%d")
    return parsed, raw.notna() & parsed.isna()


def numbers(values: pd.Series) -> tuple[pd.Series, pd.Series]:
    raw = text(values)
    parsed = pd.to_numeric(raw, errors="coerce")
    return parsed, raw.notna() & parsed.isna()


def booleans(values: pd.Series) -> tuple[pd.Series, pd.Series]:
    raw = text(values).str.lower()
    parsed = raw.map(lambda value: True if value in TRUE_TEXT else False if value in FALSE_TEXT else None)
    return parsed, raw.notna() & parsed.isna()


def first_copies(frame: pd.DataFrame, key: list[str], order: list[str]) -> pd.DataFrame:
    """One row per key among rows that passed every other check: the first in the checked model's order."""
    ordered = frame.sort_values(order, na_position="last", kind="stable")
    return ordered.drop_duplicates(key, keep="first")


class Seeds:
    """The project's reference data, read from the same CSVs dbt seeds."""

    def __init__(self, seeds_dir: Path) -> None:
        accepted = pd.read_csv(seeds_dir / "accepted_categories.csv", dtype=str)
        self.accepted = {
            (table, column): set(group["accepted_value"])
            for (table, column), group in accepted.groupby(["table_name", "column_name"])
        }
        cutoffs = pd.read_csv(seeds_dir / "scale_cutoffs.csv")
        cutoffs["higher_is_better"] = cutoffs["higher_is_better"].astype(str).str.lower() == "true"
        keys = ["metric", "scale_min", "scale_max", "higher_is_better"]
        positive = cutoffs[cutoffs["category"] == "positive"].groupby(keys)[["score_from", "score_to"]].min()
        passive = cutoffs[cutoffs["category"] == "passive"].groupby(keys)[["score_from", "score_to"]].min()
        self.cutoffs = (
            positive.rename(columns={"score_from": "positive_from", "score_to": "positive_to"})
            .join(
                passive.rename(columns={"score_from": "passive_from", "score_to": "passive_to"}), how="left"
            )
            .reset_index()
        )
        fx = pd.read_csv(seeds_dir / "fx_rates.csv", dtype=str)
        self.rate_micro = {
            row.currency_code: int(Decimal(row.rate_to_eur).quantize(Decimal("0.000001")) * 1_000_000)
            for row in fx.itertuples()
        }
        self.bands = pd.read_csv(seeds_dir / "nps_bands.csv")

    def is_accepted(self, values: pd.Series, table: str, column: str) -> pd.Series:
        return values.isna() | values.isin(self.accepted.get((table, column), set()))


# ------------------------------------------------------------------------------------------- checked tables


def valid_accounts(raw_dir: Path, seeds: Seeds, as_of_end: pd.Timestamp) -> pd.DataFrame:
    raw = read_raw(raw_dir, "accounts")
    frame = pd.DataFrame(
        {
            "account_id": text(raw["account_id"]),
            "account_name": text(raw["account_name"]),
            "industry": text(raw["industry"]).str.lower(),
            "employee_band": text(raw["employee_band"]),
            "region": text(raw["region"]),
            "country_code": text(raw["country_code"]).str.upper(),
            "tier": text(raw["tier"]).str.lower(),
            "account_manager": text(raw["account_manager"]),
        }
    )
    frame["created_at"], bad_created = timestamps(raw["created_at"])
    passed = frame[
        frame["account_id"].notna()
        & ~bad_created
        & frame["created_at"].notna()
        & frame["tier"].notna()
        & (frame["created_at"] < as_of_end)
        & seeds.is_accepted(frame["tier"], "accounts", "tier")
    ]
    order = [
        "created_at",
        "account_name",
        "industry",
        "employee_band",
        "region",
        "country_code",
        "tier",
        "account_manager",
    ]
    accounts = first_copies(passed, ["account_id"], order)
    for column in SEGMENTS:
        accounts[column] = accounts[column].fillna("unknown")
    return accounts[["account_id", *SEGMENTS]]


def valid_contacts(raw_dir: Path, accounts: pd.DataFrame, as_of_end: pd.Timestamp) -> pd.DataFrame:
    raw = read_raw(raw_dir, "contacts")
    frame = pd.DataFrame(
        {
            column: text(raw[column])
            for column in ["contact_id", "account_id", "full_name", "email", "job_role"]
        }
    )
    frame["is_decision_maker"], bad_flag = booleans(raw["is_decision_maker"])
    frame["created_at"], bad_created = timestamps(raw["created_at"])
    passed = frame[
        frame["contact_id"].notna()
        & ~bad_flag
        & ~bad_created
        & frame["created_at"].notna()
        & (frame["created_at"] < as_of_end)
        & frame["account_id"].isin(accounts["account_id"])
    ]
    order = ["account_id", "created_at", "full_name", "email", "job_role", "is_decision_maker"]
    return first_copies(passed, ["contact_id"], order)[["contact_id", "account_id"]]


def valid_surveys(raw_dir: Path, seeds: Seeds, as_of_end: pd.Timestamp) -> pd.DataFrame:
    raw = read_raw(raw_dir, "surveys")
    frame = pd.DataFrame(
        {
            "survey_id": text(raw["survey_id"]),
            "survey_name": text(raw["survey_name"]),
            "touchpoint": text(raw["touchpoint"]).str.lower(),
        }
    )
    frame["created_at"], bad_created = timestamps(raw["created_at"])
    passed = frame[
        frame["survey_id"].notna()
        & ~bad_created
        & frame["touchpoint"].notna()
        & frame["created_at"].notna()
        & (frame["created_at"] < as_of_end)
        & seeds.is_accepted(frame["touchpoint"], "surveys", "touchpoint")
    ]
    surveys = first_copies(passed, ["survey_id"], ["created_at", "survey_name", "touchpoint"])
    return surveys[["survey_id", "touchpoint"]]


def valid_questions(raw_dir: Path, seeds: Seeds, surveys: pd.DataFrame) -> pd.DataFrame:
    raw = read_raw(raw_dir, "survey_questions")
    frame = pd.DataFrame(
        {column: text(raw[column]) for column in ["question_id", "survey_id", "question_code", "driver_name"]}
    )
    frame["metric"] = text(raw["metric"]).str.lower()
    scale_min, bad_min = numbers(raw["scale_min"])
    scale_max, bad_max = numbers(raw["scale_max"])
    # Integers are read through a number and must be whole ('3.5' is unparseable, not rounded).
    bad_min |= scale_min.notna() & (scale_min != np.floor(scale_min))
    bad_max |= scale_max.notna() & (scale_max != np.floor(scale_max))
    frame["scale_min"] = scale_min.where(~bad_min)
    frame["scale_max"] = scale_max.where(~bad_max)
    frame["higher_is_better"], bad_better = booleans(raw["higher_is_better"])
    frame["weight"], bad_weight = numbers(raw["weight"])
    frame = frame.merge(
        seeds.cutoffs,
        how="left",
        on=["metric", "scale_min", "scale_max", "higher_is_better"],
        indicator="cutoff",
    )
    scaled = frame["metric"].isin(SCALED_METRICS)
    bad_scale = scaled & (
        frame["scale_min"].isna()
        | frame["scale_max"].isna()
        | frame["higher_is_better"].isna()
        | (frame["scale_min"] >= frame["scale_max"])
    )
    bad_weight_value = (frame["metric"] == "csi_item") & ~(frame["weight"] > 0)
    no_cutoffs = frame["metric"].isin(["nps", "csat", "ces"]) & (frame["cutoff"] != "both")
    passed = frame[
        frame["question_id"].notna()
        & ~bad_min
        & ~bad_max
        & ~bad_better
        & ~bad_weight
        & frame["question_code"].notna()
        & frame["metric"].notna()
        & seeds.is_accepted(frame["metric"], "survey_questions", "metric")
        & ~bad_scale
        & ~bad_weight_value
        & ~no_cutoffs
        & frame["survey_id"].isin(surveys["survey_id"])
    ]
    order = [
        "survey_id",
        "question_code",
        "metric",
        "scale_min",
        "scale_max",
        "higher_is_better",
        "weight",
        "driver_name",
    ]
    questions = first_copies(passed, ["question_id"], order)
    return questions[
        [
            "question_id",
            "survey_id",
            "metric",
            "scale_min",
            "scale_max",
            "higher_is_better",
            "positive_from",
            "positive_to",
            "passive_from",
            "passive_to",
        ]
    ]


def valid_invitation_ids(
    raw_dir: Path, seeds: Seeds, surveys: pd.DataFrame, contacts: pd.DataFrame, as_of_end: pd.Timestamp
) -> pd.Series:
    raw = read_raw(raw_dir, "survey_invitations")
    frame = pd.DataFrame(
        {column: text(raw[column]) for column in ["invitation_id", "survey_id", "contact_id"]}
    )
    frame["channel"] = text(raw["channel"]).str.lower()
    frame["sent_at"], bad_sent = timestamps(raw["sent_at"])
    passed = frame[
        frame["invitation_id"].notna()
        & ~bad_sent
        & frame["sent_at"].notna()
        & frame["channel"].notna()
        & (frame["sent_at"] < as_of_end)
        & seeds.is_accepted(frame["channel"], "survey_invitations", "channel")
        & frame["survey_id"].isin(surveys["survey_id"])
        & frame["contact_id"].isin(contacts["contact_id"])
    ]
    # Every copy that passed shares the key, so which one survives does not matter for the ids.
    return passed["invitation_id"].drop_duplicates()


def valid_responses(
    raw_dir: Path,
    seeds: Seeds,
    surveys: pd.DataFrame,
    contacts: pd.DataFrame,
    invitation_ids: pd.Series,
    accounts: pd.DataFrame,
    as_of_end: pd.Timestamp,
) -> pd.DataFrame:
    """Valid responses with what their answers are counted by: survey, touchpoint, month and segments."""
    raw = read_raw(raw_dir, "survey_responses")
    frame = pd.DataFrame(
        {column: text(raw[column]) for column in ["response_id", "survey_id", "invitation_id", "contact_id"]}
    )
    frame["language"] = text(raw["language"]).str.lower()
    frame["submitted_at"], bad_submitted = timestamps(raw["submitted_at"])
    passed = frame[
        frame["response_id"].notna()
        & ~bad_submitted
        & frame["submitted_at"].notna()
        & frame["language"].notna()
        & (frame["submitted_at"] < as_of_end)
        & seeds.is_accepted(frame["language"], "survey_responses", "language")
        & frame["survey_id"].isin(surveys["survey_id"])
        & frame["contact_id"].isin(contacts["contact_id"])
        & (frame["invitation_id"].isna() | frame["invitation_id"].isin(invitation_ids))
    ]
    order = ["survey_id", "invitation_id", "contact_id", "submitted_at", "language"]
    responses = first_copies(passed, ["response_id"], order)
    responses = responses.merge(surveys, on="survey_id").merge(contacts, on="contact_id")
    responses = responses.merge(accounts, on="account_id")
    responses["submitted_month"] = responses["submitted_at"].dt.to_period("M").dt.start_time
    return responses[["response_id", "survey_id", "touchpoint", "submitted_month", *SEGMENTS]]


def scored_answers(raw_dir: Path, responses: pd.DataFrame, questions: pd.DataFrame) -> pd.DataFrame:
    """Valid answers with a score on an nps, csat or ces question, one per (response, question), scored."""
    raw = read_raw(raw_dir, "survey_answers", ["response_id", "question_id", "score"])
    answers = pd.DataFrame({"response_id": text(raw["response_id"]), "question_id": text(raw["question_id"])})
    answers["score"], bad_score = numbers(raw["score"])
    del raw
    answers = answers[
        answers["response_id"].notna()
        & answers["question_id"].notna()
        & ~bad_score
        & answers["score"].notna()
    ]
    scored_questions = questions[questions["metric"].isin(["nps", "csat", "ces"])]
    answers = answers.merge(responses, on="response_id").merge(
        scored_questions, on="question_id", suffixes=("", "_question")
    )
    answers = answers[
        (answers["survey_id"] == answers["survey_id_question"])
        & (answers["score"] >= answers["scale_min"])
        & (answers["score"] <= answers["scale_max"])
        & (answers["score"] == np.floor(answers["score"]))
    ]
    # A duplicated key keeps its lowest score (the checked model orders copies by score asc nulls last).
    answers = answers.sort_values("score", kind="stable").drop_duplicates(["response_id", "question_id"])
    score = answers["score"]
    positive = (score >= answers["positive_from"]) & (score <= answers["positive_to"])
    passive = ~positive & (score >= answers["passive_from"]) & (score <= answers["passive_to"])
    answers["positive"] = positive.astype(int)
    answers["passive"] = passive.astype(int)
    answers["negative"] = (~positive & ~passive).astype(int)
    raw_pct = (score - answers["scale_min"]) * 100 / (answers["scale_max"] - answers["scale_min"])
    answers["score_pct"] = raw_pct.where(answers["higher_is_better"].astype(bool), 100 - raw_pct)
    return answers


# ----------------------------------------------------------------------------------------------- periods


def reporting_periods(as_of: date, reporting_start: date) -> pd.DataFrame:
    """int_reporting_periods: month, quarter and year periods from reporting_start's month to as_of's."""
    months = pd.date_range(
        pd.Timestamp(reporting_start).to_period("M").start_time, pd.Timestamp(as_of), freq="MS"
    )
    rows = []
    for grain, code in (("month", "M"), ("quarter", "Q"), ("year", "Y")):
        for period in sorted({month.to_period(code) for month in months}):
            calendar_end = period.end_time.normalize()
            rows.append(
                {
                    "period_grain": grain,
                    "period_start": period.start_time,
                    "opening_date": period.start_time - pd.Timedelta(days=1),
                    "period_end": min(calendar_end, pd.Timestamp(as_of)),
                    "is_complete": calendar_end <= pd.Timestamp(as_of),
                }
            )
    return pd.DataFrame(rows)


def period_start_of(months: pd.Series, grain: str) -> pd.Series:
    code = {"month": "M", "quarter": "Q", "year": "Y"}[grain]
    return months.dt.to_period(code).dt.start_time


def rollup_segments(
    frame: pd.DataFrame, keys: list[str], dimensions: list[str], measures: list[str]
) -> pd.DataFrame:
    """Sums per keys for 'all' and per value of each dimension (segment_dimension, segment_value)."""
    parts = []
    for dimension in ["all", *dimensions]:
        grouped = frame.assign(
            segment_value="all" if dimension == "all" else frame[dimension].fillna("unknown")
        )
        summed = grouped.groupby([*keys, "segment_value"], as_index=False)[measures].sum()
        parts.append(summed.assign(segment_dimension=dimension))
    return pd.concat(parts, ignore_index=True)


def period_scores(answers: pd.DataFrame, periods: pd.DataFrame) -> pd.DataFrame:
    """Monthly sums per metric, touchpoint and segment, rolled up to every reported period."""
    measures = ["responses", "positive", "passive", "negative", "score_pct_sum"]
    monthly = answers.groupby(["submitted_month", "metric", "touchpoint", *SEGMENTS], as_index=False).agg(
        responses=("score", "size"),
        positive=("positive", "sum"),
        passive=("passive", "sum"),
        negative=("negative", "sum"),
        score_pct_sum=("score_pct", "sum"),
    )
    parts = []
    for grain in GRAINS:
        rolled = monthly.assign(
            period_grain=grain, period_start=period_start_of(monthly["submitted_month"], grain)
        )
        parts.append(
            rolled.groupby(
                ["period_grain", "period_start", "metric", "touchpoint", *SEGMENTS], as_index=False
            )[measures].sum()
        )
    scores = pd.concat(parts, ignore_index=True)
    return scores.merge(periods[["period_grain", "period_start"]], on=["period_grain", "period_start"])


# ----------------------------------------------------------------------------------------------- marts


def nps_mart(scores: pd.DataFrame, seeds: Seeds) -> pd.DataFrame:
    nps = scores[scores["metric"] == "nps"]
    mart = rollup_segments(
        nps,
        ["period_grain", "period_start"],
        [*SEGMENTS, "touchpoint"],
        ["responses", "positive", "passive", "negative"],
    )
    mart = mart.rename(columns={"positive": "promoters", "passive": "passives", "negative": "detractors"})
    mart["nps"] = (mart["promoters"] - mart["detractors"]) * 100.0 / mart["responses"].replace(0, np.nan)
    band = pd.Series(None, index=mart.index, dtype=object)
    for row in seeds.bands.itertuples():
        band = band.mask((mart["nps"] >= row.nps_from) & (mart["nps"] < row.nps_to), row.nps_band)
    mart["nps_band"] = band
    return mart[
        [
            "period_grain",
            "period_start",
            "segment_dimension",
            "segment_value",
            "responses",
            "promoters",
            "passives",
            "detractors",
            "nps",
            "nps_band",
        ]
    ]


def touchpoint_mart(scores: pd.DataFrame, metric: str, positive_name: str) -> pd.DataFrame:
    rows = scores[scores["metric"] == metric]
    mart = rollup_segments(
        rows, ["period_grain", "period_start"], ["touchpoint"], ["responses", "positive", "score_pct_sum"]
    )
    mart = mart.rename(columns={"segment_value": "touchpoint", "positive": positive_name})
    responses = mart["responses"].replace(0, np.nan)
    mart[metric] = mart[positive_name] * 100.0 / responses
    mart["mean_score_pct"] = mart["score_pct_sum"] / responses
    return mart[
        [
            "period_grain",
            "period_start",
            "touchpoint",
            "responses",
            positive_name,
            metric,
            "score_pct_sum",
            "mean_score_pct",
        ]
    ]


def valid_contracts(raw_dir: Path, seeds: Seeds, accounts: pd.DataFrame, as_of: date) -> pd.DataFrame:
    """Valid contracts with ARR in EUR cents (rounded half up, as the warehouse's decimals)."""
    raw = read_raw(raw_dir, "contracts")
    frame = pd.DataFrame({column: text(raw[column]) for column in ["contract_id", "account_id", "product"]})
    frame["currency"] = text(raw["currency"]).str.upper()
    frame["start_date"], bad_start = dates(raw["start_date"])
    frame["end_date"], bad_end = dates(raw["end_date"])
    arr, bad_arr = numbers(raw["arr"])
    frame["arr_cents"] = np.round(arr * 100)
    passed = frame[
        frame["contract_id"].notna()
        & ~bad_start
        & ~bad_end
        & ~bad_arr
        & frame["start_date"].notna()
        & frame["arr_cents"].notna()
        & ~(frame["end_date"] < frame["start_date"])
        & frame["currency"].isin(list(seeds.rate_micro))
        & (frame["arr_cents"] >= 0)
        & frame["account_id"].isin(accounts["account_id"])
    ]
    order = ["account_id", "start_date", "end_date", "product", "arr_cents", "currency"]
    contracts = first_copies(passed, ["contract_id"], order).copy()
    product = contracts["arr_cents"].astype("int64") * contracts["currency"].map(seeds.rate_micro).astype(
        "int64"
    )
    contracts["arr_eur_cents"] = (product + 500_000) // 1_000_000
    contracts["last_day"] = contracts["end_date"].fillna(pd.Timestamp(as_of))
    return contracts[["account_id", "start_date", "last_day", "arr_eur_cents"]]


def valid_churn_events(
    raw_dir: Path, seeds: Seeds, accounts: pd.DataFrame, as_of_end: pd.Timestamp
) -> pd.DataFrame:
    raw = read_raw(raw_dir, "churn_events")
    frame = pd.DataFrame({"account_id": text(raw["account_id"]), "reason_text": text(raw["reason_text"])})
    frame["reason_category"] = text(raw["reason_category"]).str.lower()
    frame["churned_at"], bad_churned = timestamps(raw["churned_at"])
    passed = frame[
        ~bad_churned
        & frame["churned_at"].notna()
        & frame["reason_category"].notna()
        & (frame["churned_at"] < as_of_end)
        & seeds.is_accepted(frame["reason_category"], "churn_events", "reason_category")
        & frame["account_id"].isin(accounts["account_id"])
    ]
    events = first_copies(passed, ["account_id"], ["churned_at", "reason_category", "reason_text"])
    return pd.DataFrame(
        {"account_id": events["account_id"], "churned_on": events["churned_at"].dt.normalize()}
    )


def churn_mart(
    contracts: pd.DataFrame, events: pd.DataFrame, accounts: pd.DataFrame, periods: pd.DataFrame
) -> pd.DataFrame:
    pairs = contracts.merge(periods, how="cross")
    pairs = pairs[(pairs["start_date"] <= pairs["period_end"]) & (pairs["last_day"] >= pairs["opening_date"])]
    at_start = (pairs["start_date"] <= pairs["opening_date"]) & (pairs["last_day"] >= pairs["opening_date"])
    at_end = (pairs["start_date"] <= pairs["period_end"]) & (pairs["last_day"] >= pairs["period_end"])
    pairs = pairs.assign(
        active_start=at_start,
        active_end=at_end,
        arr_start=pairs["arr_eur_cents"].where(at_start, 0),
        arr_end=pairs["arr_eur_cents"].where(at_end, 0),
    )
    status = pairs.groupby(["account_id", "period_grain", "period_start"], as_index=False).agg(
        active_start=("active_start", "any"),
        active_end=("active_end", "any"),
        arr_start=("arr_start", "sum"),
        arr_end=("arr_end", "sum"),
    )
    status = status[status["active_start"] | status["active_end"]]
    start, end = status["active_start"], status["active_end"]
    both = start & end
    movements = pd.DataFrame(
        {
            "account_id": status["account_id"],
            "period_grain": status["period_grain"],
            "period_start": status["period_start"],
            "accounts_start": start.astype(int),
            "new_accounts": (end & ~start).astype(int),
            "churned_accounts": (start & ~end).astype(int),
            "accounts_end": end.astype(int),
            "churn_events_recorded": 0,
            "arr_start": status["arr_start"],
            "arr_new": status["arr_end"].where(end & ~start, 0),
            "arr_expansion": (status["arr_end"] - status["arr_start"]).where(
                both & (status["arr_end"] > status["arr_start"]), 0
            ),
            "arr_contraction": (status["arr_start"] - status["arr_end"]).where(
                both & (status["arr_end"] < status["arr_start"]), 0
            ),
            "arr_churned": status["arr_start"].where(start & ~end, 0),
            "arr_end": status["arr_end"],
        }
    )
    recorded = events.merge(periods, how="cross")
    recorded = recorded[
        (recorded["churned_on"] >= recorded["period_start"])
        & (recorded["churned_on"] <= recorded["period_end"])
    ]
    recorded = recorded[["account_id", "period_grain", "period_start"]].assign(churn_events_recorded=1)
    rows = pd.concat([movements, recorded], ignore_index=True).fillna(0).merge(accounts, on="account_id")
    measures = [
        "accounts_start",
        "new_accounts",
        "churned_accounts",
        "accounts_end",
        "churn_events_recorded",
        "arr_start",
        "arr_new",
        "arr_expansion",
        "arr_contraction",
        "arr_churned",
        "arr_end",
    ]
    rolled = rollup_segments(rows, ["period_grain", "period_start"], list(SEGMENTS), measures)
    all_rows = periods[["period_grain", "period_start"]].assign(segment_dimension="all", segment_value="all")
    keys = pd.concat([rolled[all_rows.columns], all_rows]).drop_duplicates()
    mart = keys.merge(periods, on=["period_grain", "period_start"]).merge(
        rolled, how="left", on=list(all_rows.columns)
    )
    mart[measures] = mart[measures].fillna(0).astype("int64")
    start_accounts = mart["accounts_start"].replace(0, np.nan)
    start_arr = mart["arr_start"].where(mart["arr_start"] > 0)
    mart["logo_churn_rate"] = (100.0 * mart["churned_accounts"] / start_accounts).round(6)
    mart["crr"] = (100.0 * (mart["accounts_end"] - mart["new_accounts"]) / start_accounts).round(6)
    mart["grr"] = (
        100.0 * (mart["arr_start"] - mart["arr_contraction"] - mart["arr_churned"]) / start_arr
    ).round(6)
    mart["nrr"] = (
        100.0
        * (mart["arr_start"] + mart["arr_expansion"] - mart["arr_contraction"] - mart["arr_churned"])
        / start_arr
    ).round(6)
    for column in measures[5:]:
        mart[column] = mart[column] / 100  # cents to EUR
    return mart[
        [
            "period_grain",
            "period_start",
            "period_end",
            "is_complete",
            "segment_dimension",
            "segment_value",
            *measures,
            "logo_churn_rate",
            "crr",
            "grr",
            "nrr",
        ]
    ]


# ----------------------------------------------------------------------------------------------- entry points


def compute_marts(
    raw_dir: Path, as_of: date, reporting_start: date = date(2023, 1, 1), seeds_dir: Path | None = None
) -> dict[str, pd.DataFrame]:
    """The four marts from the raw CSVs in raw_dir, as the warehouse would build them at as_of."""
    seeds = Seeds(seeds_dir or project_dir() / "seeds")
    as_of_end = pd.Timestamp(as_of) + pd.Timedelta(days=1)
    periods = reporting_periods(as_of, reporting_start)
    accounts = valid_accounts(raw_dir, seeds, as_of_end)
    contacts = valid_contacts(raw_dir, accounts, as_of_end)
    surveys = valid_surveys(raw_dir, seeds, as_of_end)
    questions = valid_questions(raw_dir, seeds, surveys)
    invitation_ids = valid_invitation_ids(raw_dir, seeds, surveys, contacts, as_of_end)
    responses = valid_responses(raw_dir, seeds, surveys, contacts, invitation_ids, accounts, as_of_end)
    del invitation_ids
    scores = period_scores(scored_answers(raw_dir, responses, questions), periods)
    contracts = valid_contracts(raw_dir, seeds, accounts, as_of)
    events = valid_churn_events(raw_dir, seeds, accounts, as_of_end)
    return {
        "mart_nps_by_segment": nps_mart(scores, seeds),
        "mart_csat_by_touchpoint": touchpoint_mart(scores, "csat", "satisfied"),
        "mart_ces_by_touchpoint": touchpoint_mart(scores, "ces", "positive"),
        "mart_churn": churn_mart(contracts, events, accounts, periods),
    }


def write_marts(marts: dict[str, pd.DataFrame], out_dir: Path) -> None:
    out_dir.mkdir(parents=True, exist_ok=True)
    for name, frame in marts.items():
        frame.to_parquet(out_dir / f"{name}.parquet", index=False)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m cx_warehouse.baseline_pandas", description=__doc__.split("\n\n")[0]
    )
    commands = parser.add_subparsers(dest="command", required=True)
    baseline = commands.add_parser("baseline", help="compute the four marts from raw CSVs into Parquet files")
    baseline.add_argument("--raw-dir", type=Path, required=True)
    baseline.add_argument("--out", type=Path, required=True)
    baseline.add_argument("--as-of", type=date.fromisoformat, required=True)
    baseline.add_argument("--reporting-start", type=date.fromisoformat, default=date(2023, 1, 1))
    args = parser.parse_args(argv)
    write_marts(compute_marts(args.raw_dir, args.as_of, args.reporting_start), args.out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
