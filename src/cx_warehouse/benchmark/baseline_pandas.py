"""The core marts in plain pandas: what an analyst would otherwise write, as the benchmark's second baseline.

    python -m cx_warehouse.benchmark.baseline_pandas baseline --landing-dir DIR --out DIR --as-of 2026-09-30

It reads the loader's landing files (cx_warehouse.runtime.load, shared with dbt: every raw column as canonical
text, trimmed, empty = missing, numbers with '.', ISO dates, UTC timestamps with 'Z', plus _row_number in file
order and _load_error), applies the warehouse's rules that change these marts' figures and writes
mart_nps_by_segment, mart_csat_by_touchpoint, mart_ces_by_touchpoint and mart_churn as <mart>.parquet. The
benchmark checks that they equal the dbt marts, row by row.

What the raw contract declares (models/staging/*/_*__sources.yml, read through
cx_warehouse.runtime.raw_contract.raw_tables) is taken from it, not repeated: each column's type, the key,
required values, codes and their vocabularies, not_after_as_of and version_by (`checked`), and which columns
share a label vocabulary (`label_values`). The rest is written out here: labels shown through seed
label_synonyms (else the most frequent spelling), the tables' own rules (questions' scales, answers' scores,
contracts' order and sign), valid parents only where a row cannot be counted without one (an answer's response
and question), orphans under 'unknown', the newest copy of a key, double submissions, and account-periods that
a quarantined contract or churn event concerns counted apart in mart_churn.

It is deliberately straightforward (DataFrames, merges, group-bys, one table in memory at a time), not tuned:
it shows what the warehouse saves an analyst, in time and in rules. Money is kept in integer cents so that
sums are exact like the warehouse's decimals; answers are read without their free text beyond whether there
is one, the one economy any analyst would make.
"""

from __future__ import annotations

import argparse
import sys
from datetime import date
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from cx_warehouse.benchmark.baseline_duckdb import INTEGER_TEXT, NUMBER_TEXT
from cx_warehouse.runtime.project import project_dir, project_vars
from cx_warehouse.runtime.raw_contract import RawColumn, RawTable, raw_tables

GRAINS = ("month", "quarter", "year")
SEGMENTS = ("industry", "tier", "region", "employee_band")  # columns of accounts, shown as labels
SCALED_METRICS = ("nps", "csat", "ces", "csi_item", "driver")
SCORED_METRICS = ("nps", "csat", "ces")  # the metrics with cut-offs, the ones these marts count
MONEY_LIMIT = Decimal(10) ** 16  # decimal(18, 2) holds 16 digits before the point


# ----------------------------------------------------------------------------------------------- reading


def label_key(values: pd.Series) -> pd.Series:
    """The key spellings of one value share: runs of spaces made one, trimmed, lower case."""
    return values.str.replace(" +", " ", regex=True).str.strip(" ").str.lower()


class Seeds:
    """The project's reference data, read from the same CSVs dbt seeds."""

    def __init__(self, seeds_dir: Path) -> None:
        def read(name: str) -> pd.DataFrame:
            return pd.read_csv(seeds_dir / f"{name}.csv", dtype=str, keep_default_na=False)

        synonyms = read("label_synonyms")
        self.synonyms = pd.DataFrame(
            {
                "vocabulary": synonyms["vocabulary"],
                "value_key": label_key(synonyms["spelling"]),
                "display_value": synonyms["display_value"],
            }
        ).drop_duplicates()
        fx = read("fx_rates")
        # The codes the warehouse acts on: (vocabulary, key) -> code; every currency with a rate is one.
        self.codes = {
            (row.vocabulary, row.value_key): row.display_value for row in self.synonyms.itertuples()
        }
        self.codes.update({("currency", code.strip().lower()): code for code in fx["currency_code"]})
        self.rate_micro = {
            row.currency_code: int(Decimal(row.rate_to_eur).quantize(Decimal("0.000001")) * 1_000_000)
            for row in fx.itertuples()
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
        self.bands = pd.read_csv(seeds_dir / "nps_bands.csv")
        self.journey = pd.read_csv(seeds_dir / "touchpoint_journey.csv")


class Settings:
    """The build's day and the dbt vars the marts depend on (dbt_project.yml's unless given)."""

    def __init__(self, as_of: date, variables: dict[str, Any] | None = None) -> None:
        values = {**project_vars(), **(variables or {})}
        self.as_of = pd.Timestamp(as_of)
        self.reporting_start = date.fromisoformat(str(values["reporting_start_date"]))
        self.time_zone = str(values["reporting_time_zone"])
        self.double_submission_seconds = 60 * float(values["double_submission_window_minutes"])
        self.confidence_z = float(values["confidence_z"])
        self.min_sample_responses = int(values["min_sample_responses"])
        # The first instant after the as-of day of the reporting calendar, in UTC.
        self.as_of_end = self.utc(pd.Series([self.as_of + pd.Timedelta(days=1)])).iloc[0]

    def local(self, utc: pd.Series) -> pd.Series:
        """UTC timestamps as local time of the reporting calendar."""
        if self.time_zone.upper() == "UTC":
            return utc
        return utc.dt.tz_localize("UTC").dt.tz_convert(self.time_zone).dt.tz_localize(None)

    def utc(self, local: pd.Series) -> pd.Series:
        """Reporting-zone local times (naive) to naive UTC times; unchanged when the zone is UTC."""
        if self.time_zone.upper() == "UTC":
            return local
        return local.dt.tz_localize(self.time_zone).dt.tz_convert("UTC").dt.tz_localize(None)

    def reporting_date(self, utc: pd.Series) -> pd.Series:
        """The reporting-calendar day (midnight, naive, reporting zone) of naive UTC times."""
        return self.local(utc).dt.normalize()


def read_landing(landing_dir: Path, table: str, columns: list[str]) -> pd.DataFrame:
    """The given columns of one landing file (<landing_dir>/<table>.parquet), all as text."""
    return pd.read_parquet(landing_dir / f"{table}.parquet", columns=columns)


def _money_cents(text: str) -> float:
    """A decimal(18, 2) as the warehouse casts it (half away from zero), in cents; NaN if it does not fit."""
    try:
        value = Decimal(text).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    except InvalidOperation:
        return np.nan
    return float(int(value * 100)) if abs(value) < MONEY_LIMIT else np.nan


def _typed(column: RawColumn, text: pd.Series, seeds: Seeds) -> pd.Series:
    """A column's values by its contract type (NaN/NaT where the text does not parse); codes matched to their
    vocabulary (unknown -> the column's unknown_code, else missing)."""
    if column.role == "code":
        keys = label_key(text)
        codes = pd.Series(
            [seeds.codes.get((column.vocabulary, key)) if isinstance(key, str) else None for key in keys],
            index=text.index,
            dtype=object,
        )
        if column.unknown_code is not None:
            codes = codes.where(codes.notna() | text.isna(), column.unknown_code)
        return codes.map({"true": True, "false": False}) if column.kind == "boolean" else codes
    kind = column.kind
    if kind == "text":
        return text
    if kind == "timestamp":
        return pd.to_datetime(text, format="ISO8601", utc=True, errors="coerce").dt.tz_localize(None)
    if kind == "date":
        return pd.to_datetime(text, format="%Y-%m-%d", errors="coerce")
    pattern = INTEGER_TEXT if kind == "integer" else NUMBER_TEXT
    matched = text.where(text.str.fullmatch(pattern).fillna(False).astype(bool))
    if kind == "money":
        return matched.map(_money_cents, na_action="ignore").astype(float)
    return pd.to_numeric(matched, errors="coerce").astype(float)


def checked(
    landing_dir: Path, name: str, seeds: Seeds, settings: Settings, keep: tuple[str, ...] = ()
) -> pd.DataFrame:
    """One raw table typed and checked by its declaration in the raw contract: its key, the columns in `keep`
    and every column a check needs, typed; _row_number; version_at (the latest of the table's version_by
    timestamps), passes_contract (no load error, key present, values parsed, required values present, no
    timestamp after the as-of day where declared, codes known) and is_scheduled (the first check the row fails
    is the one on a timestamp after the as-of day). A money column is in cents."""
    table: RawTable = raw_tables()[name]
    columns = [
        column
        for column in table.columns
        if column.name in keep
        or column.is_required
        or column.kind != "text"
        or column.role == "code"
        or column.not_after_as_of
        or column.name in table.version_by
    ]
    raw = read_landing(
        landing_dir, name, [column.name for column in columns] + ["_row_number", "_load_error"]
    )
    frame = pd.DataFrame({"_row_number": raw["_row_number"]})
    # The warehouse's checks in its order: readable (load, key, parse, required), then dated, then known.
    readable = raw["_load_error"].isna()
    dated = pd.Series(True, index=raw.index)
    known = pd.Series(True, index=raw.index)
    for column in columns:
        text, value = raw[column.name], _typed(column, raw[column.name], seeds)
        frame[column.name] = value
        if column.is_required:
            readable &= text.notna()
        if column.role != "code" and column.kind != "text":  # a value that does not parse
            readable &= text.isna() | value.notna()
        if column.quarantines_unknown_code:  # a code its vocabulary does not know
            known &= text.isna() | value.notna()
        if column.not_after_as_of:
            end = settings.as_of_end if column.kind == "timestamp" else settings.as_of + pd.Timedelta(days=1)
            dated &= ~(value >= end)
    version = list(table.version_by)
    if version:
        first = frame[version[0]]
        frame["version_at"] = pd.concat([frame[name].fillna(first) for name in version], axis=1).max(axis=1)
    else:
        frame["version_at"] = pd.NaT
    frame["passes_contract"] = readable & dated & known
    frame["is_scheduled"] = readable & ~dated
    return frame


def newest(frame: pd.DataFrame, key: list[str]) -> pd.DataFrame:
    """One row per key among rows that passed every check: the newest copy (latest version_at, then the last
    in the file)."""
    ordered = frame.sort_values(["version_at", "_row_number"], na_position="first", kind="stable")
    return ordered.drop_duplicates(key, keep="last")


# ----------------------------------------------------------------------------------------------- labels


def label_values(landing_dir: Path, seeds: Seeds, vocabulary: str) -> pd.DataFrame:
    """A vocabulary's values (value_key) and the label each is shown with (display_value): the seed's, else
    the most frequent spelling (ties: the first in sort order) over every row of every raw column that uses
    the vocabulary (raw contract: role label or code; a label without one is its own)."""
    counts = []
    for table in raw_tables().values():
        for column in table.columns:
            if column.role in ("label", "code") and (column.vocabulary or column.name) == vocabulary:
                values = read_landing(landing_dir, table.name, [column.name])[column.name]
                counts.append(values.dropna().value_counts())
    spellings = pd.concat(counts).groupby(level=0).sum() if counts else pd.Series(dtype="int64")
    observed = pd.DataFrame({"spelling": spellings.index.astype(str), "row_count": spellings.to_numpy()})
    observed["value_key"] = label_key(observed["spelling"])
    observed = observed.sort_values(["row_count", "spelling"], ascending=[False, True], kind="stable")
    most_frequent = observed.drop_duplicates("value_key")[["value_key", "spelling"]]
    seeded = seeds.synonyms[seeds.synonyms["vocabulary"] == vocabulary][["value_key", "display_value"]]
    values = most_frequent.merge(seeded, how="outer", on="value_key")
    values["display_value"] = values["display_value"].fillna(values["spelling"])
    return values[["value_key", "display_value"]]


def shown_as(values: pd.Series, labels: pd.DataFrame) -> pd.Series:
    """Each value's display label; an empty value is 'unknown'."""
    display = dict(zip(labels["value_key"], labels["display_value"], strict=True))
    return label_key(values).map(display).fillna("unknown")


def journey_positions(labels: pd.DataFrame, seeds: Seeds) -> dict[str, int]:
    """Each touchpoint's place in the journey (dim_touchpoints): seed touchpoint_journey's stages, then every
    other touchpoint shown (the vocabulary's display values and 'unknown') in name order."""
    journey = seeds.journey.assign(value_key=label_key(seeds.journey["touchpoint"].astype(str)))
    position_of_key = dict(zip(journey["value_key"], journey["journey_position"], strict=True))
    shown = set(labels["display_value"]) | {"unknown"}
    shown_keys = set(label_key(pd.Series(sorted(shown))))
    listed = shown | {row.touchpoint for row in journey.itertuples() if row.value_key not in shown_keys}
    positions = {}
    unplaced = []
    for touchpoint in sorted(listed):
        key = label_key(pd.Series([touchpoint])).iloc[0]
        if key in position_of_key:
            positions[touchpoint] = int(position_of_key[key])
        else:
            unplaced.append(touchpoint)
    last = int(journey["journey_position"].max())
    positions.update({touchpoint: last + rank for rank, touchpoint in enumerate(unplaced, start=1)})
    return positions


# ------------------------------------------------------------------------------------------- checked tables


def valid_accounts(landing_dir: Path, seeds: Seeds, settings: Settings) -> pd.DataFrame:
    """Valid accounts (the newest copy of each) with their segments as labels."""
    accounts = checked(landing_dir, "accounts", seeds, settings, keep=SEGMENTS)
    accounts = newest(accounts[accounts["passes_contract"]], ["account_id"])
    vocabularies = raw_tables()["accounts"]
    for segment in SEGMENTS:
        vocabulary = vocabularies.column(segment).vocabulary or segment
        accounts[segment] = shown_as(accounts[segment], label_values(landing_dir, seeds, vocabulary))
    return accounts[["account_id", *SEGMENTS]]


def valid_contacts(landing_dir: Path, seeds: Seeds, settings: Settings) -> pd.DataFrame:
    """Valid contacts and their account (a contact whose account is missing stays valid)."""
    contacts = checked(landing_dir, "contacts", seeds, settings, keep=("account_id",))
    return newest(contacts[contacts["passes_contract"]], ["contact_id"])[["contact_id", "account_id"]]


def valid_surveys(
    landing_dir: Path, seeds: Seeds, settings: Settings, touchpoints: pd.DataFrame
) -> pd.DataFrame:
    """Surveys that pass the raw contract, newest copy per survey_id; columns survey_id and
    touchpoint (as shown through the touchpoint labels)."""
    surveys = checked(landing_dir, "surveys", seeds, settings, keep=("touchpoint",))
    surveys = newest(surveys[surveys["passes_contract"]], ["survey_id"])
    surveys["touchpoint"] = shown_as(surveys["touchpoint"], touchpoints)
    return surveys[["survey_id", "touchpoint"]]


def valid_questions(
    landing_dir: Path, seeds: Seeds, settings: Settings, surveys: pd.DataFrame
) -> pd.DataFrame:
    """Valid questions of the scored metrics with their scale, cut-offs and their survey's touchpoint
    ('unknown' when the survey is missing or invalid)."""
    questions = checked(landing_dir, "survey_questions", seeds, settings)
    questions["higher_is_better"] = questions["higher_is_better"].astype("boolean")
    known = seeds.cutoffs[["metric", "scale_min", "scale_max", "higher_is_better"]].drop_duplicates()
    known = known.astype({"scale_min": float, "scale_max": float, "higher_is_better": "boolean"})
    questions = questions.merge(
        known, how="left", on=["metric", "scale_min", "scale_max", "higher_is_better"], indicator="cutoffs"
    )
    metric = questions["metric"]
    incomplete_scale = metric.isin(SCALED_METRICS) & (
        questions["scale_min"].isna()
        | questions["scale_max"].isna()
        | questions["higher_is_better"].isna()
        | (questions["scale_min"] >= questions["scale_max"])
    )
    bad_weight = (metric == "csi_item") & ~(questions["weight"] > 0)
    no_cutoffs = metric.isin(SCORED_METRICS) & (questions["cutoffs"] != "both")
    questions = questions[questions["passes_contract"] & ~incomplete_scale & ~bad_weight & ~no_cutoffs]
    questions = newest(questions, ["question_id"])
    questions = questions[questions["metric"].isin(SCORED_METRICS)]
    questions = questions.merge(surveys, how="left", on="survey_id")
    questions["touchpoint"] = questions["touchpoint"].fillna("unknown")
    questions["higher_is_better"] = questions["higher_is_better"].astype(bool)
    cutoffs = seeds.cutoffs.astype({"scale_min": float, "scale_max": float})
    questions = questions.merge(cutoffs, on=["metric", "scale_min", "scale_max", "higher_is_better"])
    return questions[
        [
            "question_id",
            "survey_id",
            "metric",
            "scale_min",
            "scale_max",
            "higher_is_better",
            "touchpoint",
            "positive_from",
            "positive_to",
            "passive_from",
            "passive_to",
        ]
    ]


def valid_responses(
    landing_dir: Path,
    seeds: Seeds,
    settings: Settings,
    contacts: pd.DataFrame,
    accounts: pd.DataFrame,
) -> pd.DataFrame:
    """Valid responses (the newest copy of each; of two by one contact to one survey within the window the
    earlier is dropped) with what their answers are counted by: survey, month and the account's segments (a
    contact missing from the CRM, or without an account, counts under the unknown account)."""
    responses = checked(landing_dir, "survey_responses", seeds, settings, keep=("contact_id",))
    responses = newest(responses[responses["passes_contract"]], ["response_id"])
    responses = responses.sort_values(
        ["contact_id", "survey_id", "submitted_at", "_row_number"], kind="stable"
    )
    following = responses.groupby(["contact_id", "survey_id"])["submitted_at"].shift(-1)
    gap = (following.dt.floor("s") - responses["submitted_at"].dt.floor("s")).dt.total_seconds()
    double = responses["contact_id"].notna() & responses["survey_id"].notna()
    responses = responses[~(double & (gap <= settings.double_submission_seconds))]
    responses = responses.merge(contacts, how="left", on="contact_id").merge(
        accounts, how="left", on="account_id"
    )
    responses[list(SEGMENTS)] = responses[list(SEGMENTS)].fillna("unknown")
    responses["submitted_month"] = settings.local(responses["submitted_at"]).dt.to_period("M").dt.start_time
    return responses[["response_id", "survey_id", "submitted_month", *SEGMENTS]]


def scored_answers(
    landing_dir: Path, seeds: Seeds, settings: Settings, responses: pd.DataFrame, questions: pd.DataFrame
) -> pd.DataFrame:
    """Valid answers with a score on an nps, csat or ces question, scored. A valid answer needs a valid
    response and question of one survey, a score or a text, and a score on a whole point of the scale; of the
    valid copies of a key (response, question) the last in the file is kept, whose score may be empty."""
    answers = checked(landing_dir, "survey_answers", seeds, settings, keep=("answer_text",))
    answers = answers[
        answers["passes_contract"] & (answers["score"].notna() | answers["answer_text"].notna())
    ]
    answers = answers.drop(columns="answer_text")
    answers = answers.merge(responses, on="response_id").merge(
        questions, on="question_id", suffixes=("", "_question")
    )
    score = answers["score"]
    off_scale = (score < answers["scale_min"]) | (score > answers["scale_max"]) | (score != np.floor(score))
    answers = answers[(answers["survey_id"] == answers["survey_id_question"]) & ~(score.notna() & off_scale)]
    answers = newest(answers, ["response_id", "question_id"])
    answers = answers[answers["score"].notna()].copy()
    score = answers["score"]
    positive = (score >= answers["positive_from"]) & (score <= answers["positive_to"])
    passive = ~positive & (score >= answers["passive_from"]) & (score <= answers["passive_to"])
    answers["positive"] = positive.astype(int)
    answers["passive"] = passive.astype(int)
    answers["negative"] = (~positive & ~passive).astype(int)
    raw_pct = (score - answers["scale_min"]) * 100 / (answers["scale_max"] - answers["scale_min"])
    answers["score_pct"] = raw_pct.where(answers["higher_is_better"], 100 - raw_pct)
    return answers


# ----------------------------------------------------------------------------------------------- periods


def reporting_periods(as_of: date, reporting_start: date) -> pd.DataFrame:
    """dim_reporting_periods: month, quarter and year periods from reporting_start's month to as_of's."""
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
    """The first day (Timestamp) of the month, quarter or year (`grain`) holding each month start."""
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


def previous_period(mart: pd.DataFrame, keys: list[str], columns: list[str]) -> pd.DataFrame:
    """`columns` of the row of the same `keys` one period earlier at the row's grain, as previous_<column>
    (NaN when there is none)."""
    start = pd.to_datetime(mart["period_start"])
    months = mart["period_grain"].map({"month": 1, "quarter": 3, "year": 12})
    following = [day + pd.DateOffset(months=int(n)) for day, n in zip(start, months, strict=True)]
    earlier = mart[["period_grain", *keys, *columns]].assign(_start=following)
    earlier = earlier.rename(columns={c: f"previous_{c}" for c in columns})
    merged = mart.assign(_start=start).merge(earlier, on=["period_grain", "_start", *keys], how="left")
    return merged.drop(columns="_start")


def significance(z: pd.Series, previous_responses: pd.Series, z_crit: float) -> pd.Series:
    """True when |z| >= z_crit; null without a previous period; false when z is undefined (no variance)."""
    verdict = (z.abs() >= z_crit).astype(object)
    verdict[previous_responses.isna()] = None
    return verdict


def nps_mart(scores: pd.DataFrame, seeds: Seeds, settings: Settings) -> pd.DataFrame:
    """mart_nps_by_segment: per period and segment (all, industry, tier, region, employee_band,
    touchpoint) responses, promoters (9-10), passives (7-8), detractors (0-6) and nps = % promoters -
    % detractors (-100..100; Reichheld, "The One Number You Need to Grow", HBR 2003) with its band."""
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
    # Adjusted-Wald interval (Rocks 2016): n + 3 answers, 3/4 promoter and 3/4 detractor added.
    z = settings.confidence_z
    n_adj = mart["responses"] + 3.0
    p_adj, d_adj = (mart["promoters"] + 0.75) / n_adj, (mart["detractors"] + 0.75) / n_adj
    mart["nps_adj"] = 100 * (p_adj - d_adj)
    mart["se"] = 100 * np.sqrt((p_adj + d_adj - (p_adj - d_adj) ** 2) / n_adj)
    mart["nps_margin_of_error"] = z * mart["se"]
    mart["nps_lower"] = (mart["nps_adj"] - mart["nps_margin_of_error"]).clip(lower=-100)
    mart["nps_upper"] = (mart["nps_adj"] + mart["nps_margin_of_error"]).clip(upper=100)
    mart["is_low_sample"] = mart["responses"] < settings.min_sample_responses
    mart = previous_period(
        mart, ["segment_dimension", "segment_value"], ["responses", "nps", "nps_adj", "se"]
    )
    mart["nps_change"] = mart["nps"] - mart["previous_nps"]
    mart["nps_change_z"] = (mart["nps_adj"] - mart["previous_nps_adj"]) / np.sqrt(
        mart["se"] ** 2 + mart["previous_se"] ** 2
    )
    mart["is_nps_change_significant"] = significance(mart["nps_change_z"], mart["previous_responses"], z)
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
            "nps_margin_of_error",
            "nps_lower",
            "nps_upper",
            "is_low_sample",
            "previous_responses",
            "previous_nps",
            "nps_change",
            "nps_change_z",
            "is_nps_change_significant",
        ]
    ]


def touchpoint_mart(
    scores: pd.DataFrame, metric: str, positive_name: str, positions: dict[str, int], settings: Settings
) -> pd.DataFrame:
    """mart_csat_by_touchpoint or mart_ces_by_touchpoint (`metric` csat or ces): per period and
    touchpoint (plus all) journey_position, responses, the positive count (named `positive_name`), the metric
    as percent positive, score_pct_sum and mean_score_pct."""
    rows = scores[scores["metric"] == metric]
    mart = rollup_segments(
        rows, ["period_grain", "period_start"], ["touchpoint"], ["responses", "positive", "score_pct_sum"]
    )
    mart = mart.rename(columns={"segment_value": "touchpoint", "positive": positive_name})
    mart["journey_position"] = mart["touchpoint"].map({**positions, "all": 0})
    responses = mart["responses"].replace(0, np.nan)
    mart[metric] = mart[positive_name] * 100.0 / responses
    mart["mean_score_pct"] = mart["score_pct_sum"] / responses
    # Wilson (1927) score interval of the share.
    z, n, x = settings.confidence_z, mart["responses"].astype(float), mart[positive_name].astype(float)
    share = x / n
    centre = (share + z**2 / (2 * n)) / (1 + z**2 / n)
    half = z / (1 + z**2 / n) * np.sqrt(share * (1 - share) / n + z**2 / (4 * n**2))
    mart[f"{metric}_margin_of_error"] = 100 * half
    mart[f"{metric}_lower"] = (100 * (centre - half)).clip(lower=0)
    mart[f"{metric}_upper"] = (100 * (centre + half)).clip(upper=100)
    mart["is_low_sample"] = mart["responses"] < settings.min_sample_responses
    mart = previous_period(mart, ["touchpoint"], ["responses", positive_name, metric])
    mart[f"{metric}_change"] = mart[metric] - mart[f"previous_{metric}"]
    # Two-proportion z-test with the pooled share.
    n0, x0 = mart["previous_responses"], mart[f"previous_{positive_name}"]
    n1, x1 = mart["responses"].astype(float), mart[positive_name].astype(float)
    pooled = (x1 + x0) / (n1 + n0)
    spread = np.sqrt(pooled * (1 - pooled) * (1 / n1 + 1 / n0)).replace(0, np.nan)
    mart[f"{metric}_change_z"] = (x1 / n1 - x0 / n0) / spread
    mart[f"is_{metric}_change_significant"] = significance(
        mart[f"{metric}_change_z"], mart["previous_responses"], z
    )
    return mart[
        [
            "period_grain",
            "period_start",
            "touchpoint",
            "journey_position",
            "responses",
            positive_name,
            metric,
            "score_pct_sum",
            "mean_score_pct",
            f"{metric}_margin_of_error",
            f"{metric}_lower",
            f"{metric}_upper",
            "is_low_sample",
            "previous_responses",
            f"previous_{metric}",
            f"{metric}_change",
            f"{metric}_change_z",
            f"is_{metric}_change_significant",
        ]
    ]


def contracts_and_gaps(
    landing_dir: Path, seeds: Seeds, settings: Settings
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Valid contracts (the newest copy of each) with ARR in EUR cents (rounded half up, as the warehouse's
    decimals), and the days each quarantined contract of a known account concerns (start to end; missing: a
    date that did not parse, every day). A row whose key also has a valid row, or dated after the as-of day,
    is no gap."""
    contracts = checked(landing_dir, "contracts", seeds, settings)
    contracts["is_valid"] = (
        contracts["passes_contract"]
        & ~(contracts["end_date"] < contracts["start_date"])
        & ~(contracts["arr"] < 0)
    )
    kept_keys = set(contracts.loc[contracts["is_valid"], "contract_id"])
    gaps = contracts[
        ~contracts["is_valid"]
        & ~contracts["is_scheduled"]
        & contracts["account_id"].notna()
        & ~contracts["contract_id"].isin(kept_keys)
    ]
    gaps = gaps.rename(columns={"start_date": "gap_from", "end_date": "gap_to"})
    valid = newest(contracts[contracts["is_valid"]], ["contract_id"]).copy()
    product = valid["arr"].astype("int64") * valid["currency"].map(seeds.rate_micro).astype("int64")
    valid["arr_eur_cents"] = (product + 500_000) // 1_000_000  # ARR is never negative here
    valid["last_day"] = valid["end_date"].fillna(settings.as_of)
    return valid[["account_id", "start_date", "last_day", "arr_eur_cents"]], gaps[
        ["account_id", "gap_from", "gap_to"]
    ]


def churn_events_and_gaps(
    landing_dir: Path, seeds: Seeds, settings: Settings
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Valid churn events (the newest copy per account) with their day, and the day of each quarantined one of
    a known account (missing when it did not parse: every day); one dated after the as-of day is no gap."""
    events = checked(landing_dir, "churn_events", seeds, settings)
    events["churned_on"] = settings.reporting_date(events["churned_at"])
    kept_accounts = set(events.loc[events["passes_contract"], "account_id"])
    gaps = events[
        ~events["passes_contract"]
        & ~events["is_scheduled"]
        & events["account_id"].notna()
        & ~events["account_id"].isin(kept_accounts)
    ]
    gaps = pd.DataFrame(
        {"account_id": gaps["account_id"], "gap_from": gaps["churned_on"], "gap_to": gaps["churned_on"]}
    )
    valid = newest(events[events["passes_contract"]], ["account_id"])
    return valid[["account_id", "churned_on"]], gaps


def churn_mart(
    contracts: pd.DataFrame,
    events: pd.DataFrame,
    gaps: pd.DataFrame,
    accounts: pd.DataFrame,
    periods: pd.DataFrame,
) -> pd.DataFrame:
    """mart_churn: per period and segment the accounts and ARR (EUR) at start and end, churned,
    contracted and expanded ARR, logo_churn_rate = churned / accounts at start x 100, crr, grr = (start -
    contraction - churn) / start x 100 and nrr = (start + expansion - contraction - churn) / start x 100
    (percent; docs/metrics_revenue.md); account-periods in `gaps` are counted apart as incomplete."""
    movements = _account_movements(_account_period_status(contracts, gaps, periods))
    recorded = _recorded_churn_events(events, periods)
    rows = pd.concat([movements, recorded], ignore_index=True).fillna(0)
    rows = rows.merge(accounts, how="left", on="account_id")
    measures = CHURN_MEASURES
    money = [measure for measure in measures if "arr" in measure]
    rolled = rollup_segments(rows, ["period_grain", "period_start"], list(SEGMENTS), measures)
    all_rows = periods[["period_grain", "period_start"]].assign(segment_dimension="all", segment_value="all")
    row_keys = pd.concat([rolled[all_rows.columns], all_rows]).drop_duplicates()
    mart = row_keys.merge(periods, on=["period_grain", "period_start"]).merge(
        rolled, how="left", on=list(all_rows.columns)
    )
    mart[measures] = mart[measures].fillna(0).astype("int64")
    _add_churn_rates(mart)
    for column in money:
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


#: The additive measures of mart_churn, in its column order (ARR ones in cents until the end).
CHURN_MEASURES = [
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
    "incomplete_accounts",
    "incomplete_accounts_start",
    "incomplete_accounts_end",
    "incomplete_arr_start",
    "incomplete_arr_end",
]


def _account_period_status(
    contracts: pd.DataFrame, gaps: pd.DataFrame, periods: pd.DataFrame
) -> pd.DataFrame:
    """Per account and period that it was active in at the opening or the end: active_start, active_end,
    arr_start and arr_end (cents), and incomplete where a quarantined contract or churn event concerns it."""
    keys = ["account_id", "period_grain", "period_start"]
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
    status = pairs.groupby(keys, as_index=False).agg(
        active_start=("active_start", "any"),
        active_end=("active_end", "any"),
        arr_start=("arr_start", "sum"),
        arr_end=("arr_end", "sum"),
    )
    status = status[status["active_start"] | status["active_end"]]
    # Account-periods that a quarantined contract or churn event concerns: counted apart.
    concerned = gaps.merge(periods, how="cross")
    concerned = concerned[
        (concerned["gap_from"].isna() | (concerned["gap_from"] <= concerned["period_end"]))
        & (concerned["gap_to"].isna() | (concerned["gap_to"] >= concerned["opening_date"]))
    ][keys].drop_duplicates()
    status = status.merge(concerned.assign(incomplete=True), how="outer", on=keys)
    return status


def _account_movements(status: pd.DataFrame) -> pd.DataFrame:
    """Per account-period the counts and ARR movements (cents) mart_churn sums: an account at the start and
    not at the end churned, one at the end only is new, ARR up or down on both is expansion or contraction;
    incomplete account-periods are counted in the incomplete_ measures only."""
    incomplete = status["incomplete"].fillna(False).astype(bool)
    start = status["active_start"].fillna(False).astype(bool)
    end = status["active_end"].fillna(False).astype(bool)
    arr_start = status["arr_start"].fillna(0).astype("int64")
    arr_end = status["arr_end"].fillna(0).astype("int64")
    complete = ~incomplete
    both = complete & start & end
    movements = pd.DataFrame(
        {
            "account_id": status["account_id"],
            "period_grain": status["period_grain"],
            "period_start": status["period_start"],
            "accounts_start": (complete & start).astype(int),
            "new_accounts": (complete & end & ~start).astype(int),
            "churned_accounts": (complete & start & ~end).astype(int),
            "accounts_end": (complete & end).astype(int),
            "churn_events_recorded": 0,
            "arr_start": arr_start.where(complete, 0),
            "arr_new": arr_end.where(complete & end & ~start, 0),
            "arr_expansion": (arr_end - arr_start).where(both & (arr_end > arr_start), 0),
            "arr_contraction": (arr_start - arr_end).where(both & (arr_end < arr_start), 0),
            "arr_churned": arr_start.where(complete & start & ~end, 0),
            "arr_end": arr_end.where(complete, 0),
            "incomplete_accounts": incomplete.astype(int),
            "incomplete_accounts_start": (incomplete & start).astype(int),
            "incomplete_accounts_end": (incomplete & end).astype(int),
            "incomplete_arr_start": arr_start.where(incomplete, 0),
            "incomplete_arr_end": arr_end.where(incomplete, 0),
        }
    )
    return movements


def _recorded_churn_events(events: pd.DataFrame, periods: pd.DataFrame) -> pd.DataFrame:
    """One row (churn_events_recorded = 1) per churn event and period holding its day."""
    keys = ["account_id", "period_grain", "period_start"]
    recorded = events.merge(periods, how="cross")
    recorded = recorded[
        (recorded["churned_on"] >= recorded["period_start"])
        & (recorded["churned_on"] <= recorded["period_end"])
    ]
    recorded = recorded[keys].assign(churn_events_recorded=1)
    return recorded


def _add_churn_rates(mart: pd.DataFrame) -> None:
    """Add logo_churn_rate, crr, grr and nrr (percent, rounded to 6 decimals; empty where there is nothing at
    the start) to the summed mart, by the formulas of docs/metrics_revenue.md."""
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


# ----------------------------------------------------------------------------------------------- entry points


def compute_marts(
    landing_dir: Path,
    as_of: date,
    variables: dict[str, Any] | None = None,
    seeds_dir: Path | None = None,
) -> dict[str, pd.DataFrame]:
    """The four marts from the landing files in landing_dir, as the warehouse would build them at as_of with
    the dbt vars `variables` (dbt_project.yml's where not given: reporting_start_date, reporting_time_zone,
    double_submission_window_minutes)."""
    seeds = Seeds(seeds_dir or project_dir() / "seeds")
    settings = Settings(as_of, variables)
    periods = reporting_periods(as_of, settings.reporting_start)
    accounts = valid_accounts(landing_dir, seeds, settings)
    contacts = valid_contacts(landing_dir, seeds, settings)
    touchpoint_vocabulary = raw_tables()["surveys"].column("touchpoint").vocabulary or "touchpoint"
    touchpoints = label_values(landing_dir, seeds, touchpoint_vocabulary)
    surveys = valid_surveys(landing_dir, seeds, settings, touchpoints)
    questions = valid_questions(landing_dir, seeds, settings, surveys)
    responses = valid_responses(landing_dir, seeds, settings, contacts, accounts)
    scores = period_scores(scored_answers(landing_dir, seeds, settings, responses, questions), periods)
    del responses
    positions = journey_positions(touchpoints, seeds)
    contracts, contract_gaps = contracts_and_gaps(landing_dir, seeds, settings)
    events, event_gaps = churn_events_and_gaps(landing_dir, seeds, settings)
    gaps = pd.concat([contract_gaps, event_gaps], ignore_index=True)
    known = gaps["account_id"].isin(contracts["account_id"]) | gaps["account_id"].isin(accounts["account_id"])
    gaps = gaps[known]
    return {
        "mart_nps_by_segment": nps_mart(scores, seeds, settings),
        "mart_csat_by_touchpoint": touchpoint_mart(scores, "csat", "satisfied", positions, settings),
        "mart_ces_by_touchpoint": touchpoint_mart(scores, "ces", "positive", positions, settings),
        "mart_churn": churn_mart(contracts, events, gaps, accounts, periods),
    }


def write_marts(marts: dict[str, pd.DataFrame], out_dir: Path) -> None:
    """Write each mart as <out_dir>/<mart>.parquet (no index), creating out_dir."""
    out_dir.mkdir(parents=True, exist_ok=True)
    for name, frame in marts.items():
        frame.to_parquet(out_dir / f"{name}.parquet", index=False)


def main(argv: list[str] | None = None) -> int:
    """`baseline`: compute the four marts from --landing-dir at --as-of into --out. Returns 0."""
    parser = argparse.ArgumentParser(
        prog="python -m cx_warehouse.benchmark.baseline_pandas", description=__doc__.split("\n\n")[0]
    )
    commands = parser.add_subparsers(dest="command", required=True)
    baseline = commands.add_parser(
        "baseline", help="compute the four marts from the loader's landing files into Parquet files"
    )
    baseline.add_argument("--landing-dir", type=Path, required=True)
    baseline.add_argument("--out", type=Path, required=True)
    baseline.add_argument("--as-of", type=date.fromisoformat, required=True)
    args = parser.parse_args(argv)
    write_marts(compute_marts(args.landing_dir, args.as_of), args.out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
