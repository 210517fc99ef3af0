"""Tests of the demo-data generator on real files: determinism, the raw contract, the bad rows and the
manifest, and the correlations the metric marts depend on.

The manifest is checked against an independent implementation of the warehouse's quarantine rules (each
int_<table>__checked model's checks, in its order, with the seeds it reads), run in DuckDB with the same casts
as macros/casting.sql, so a bad row that breaks a second rule, a valid row that breaks one, or a rule that
no bad row exercises fails a test.
"""

from __future__ import annotations

import csv
import hashlib
import math
from collections import Counter
from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import duckdb
import pandas as pd
import pyarrow.parquet as pq
import pytest
import yaml

from cx_warehouse.comment_templates import TEMPLATES
from cx_warehouse.generator import generate, main

PROJECT = Path(__file__).resolve().parents[1]
END = date(2026, 9, 30)
MANIFEST = "_expected_quarantine.csv"


def contract_types() -> dict[str, list[tuple[str, str]]]:
    """Table -> [(column, data_type)] in contract order, from the sources YAML."""
    tables = {}
    for path in sorted((PROJECT / "models" / "staging").glob("*/_*__sources.yml")):
        for source in yaml.safe_load(path.read_text())["sources"]:
            for table in source["tables"]:
                tables[table["name"]] = [(column["name"], column["data_type"]) for column in table["columns"]]
    return tables


CONTRACT = contract_types()


def run(out: Path, **options):
    arguments = {"accounts": 60, "seed": 11, "progress": False} | options
    return generate(out_dir=out, **arguments)


def read_table(folder: Path, table: str) -> pd.DataFrame:
    return pd.read_csv(folder / f"{table}.csv", dtype=str, keep_default_na=False, na_values=[""])


def file_hashes(folder: Path) -> dict[str, str]:
    return {path.name: hashlib.sha256(path.read_bytes()).hexdigest() for path in sorted(folder.iterdir())}


def manifest_rows(folder: Path) -> list[tuple[str, str, str]]:
    with (folder / MANIFEST).open(encoding="utf-8", newline="") as lines:
        reader = csv.reader(lines)
        assert next(reader) == ["source_table", "record_key", "reason_code"]
        return [tuple(row) for row in reader]


@pytest.fixture(scope="session")
def faulty(tmp_path_factory) -> Path:
    """A small run with many bad rows, so every fault kind occurs."""
    out = tmp_path_factory.mktemp("faulty")
    run(out, accounts=150, seed=5, bad_rate=0.05)
    return out


@pytest.fixture(scope="session")
def demo(tmp_path_factory) -> Path:
    """A demo-sized run at the default bad rate, where most tables get only a few bad rows."""
    out = tmp_path_factory.mktemp("demo")
    run(out, accounts=200, seed=3, bad_rate=0.01)
    return out


@pytest.fixture(scope="session")
def clean(tmp_path_factory) -> Path:
    """A run without bad rows, large enough for the correlations to show."""
    out = tmp_path_factory.mktemp("clean")
    run(out, accounts=800, seed=3, bad_rate=0.0)
    return out


@pytest.fixture(scope="session")
def clean_frames(clean) -> dict[str, pd.DataFrame]:
    return {table: read_table(clean, table) for table in CONTRACT}


# --- determinism and format ---------------------------------------------------------------------------------


@pytest.mark.parametrize("file_format", ["csv", "parquet"])
def test_same_arguments_give_the_same_bytes(tmp_path, file_format):
    run(tmp_path / "a", file_format=file_format)
    run(tmp_path / "b", file_format=file_format)
    assert file_hashes(tmp_path / "a") == file_hashes(tmp_path / "b")
    assert len(file_hashes(tmp_path / "a")) == 14


@pytest.mark.parametrize("file_format", ["csv", "parquet"])
def test_chunk_size_does_not_change_the_bytes(tmp_path, file_format):
    run(tmp_path / "one", file_format=file_format, chunk_accounts=1000)
    run(tmp_path / "many", file_format=file_format, chunk_accounts=7)
    assert file_hashes(tmp_path / "one") == file_hashes(tmp_path / "many")


def test_another_seed_gives_other_data(tmp_path):
    run(tmp_path / "a", seed=1)
    run(tmp_path / "b", seed=2)
    first, second = file_hashes(tmp_path / "a"), file_hashes(tmp_path / "b")
    changed = {name for name in first if first[name] != second[name]}
    assert changed >= {f"{table}.csv" for table in CONTRACT if table not in ("surveys", "survey_questions")}


def test_more_accounts_keep_the_smaller_runs_accounts(tmp_path):
    run(tmp_path / "small", accounts=20, bad_rate=0)
    run(tmp_path / "large", accounts=40, bad_rate=0)
    small, large = read_table(tmp_path / "small", "accounts"), read_table(tmp_path / "large", "accounts")
    pd.testing.assert_frame_equal(small, large.head(20))


@pytest.mark.parametrize("file_format", ["csv", "parquet"])
def test_columns_are_exactly_the_contract(tmp_path, file_format):
    run(tmp_path, file_format=file_format)
    for table, columns in CONTRACT.items():
        path = tmp_path / f"{table}.{file_format}"
        if file_format == "csv":
            with path.open(encoding="utf-8", newline="") as lines:
                header = next(csv.reader(lines))
            assert header == [name for name, _ in columns], table
        else:
            schema = pq.read_schema(path)
            assert schema.names == [name for name, _ in columns], table
            assert {str(field.type) for field in schema} == {"string"}, table


def test_parquet_holds_the_same_values_as_csv(tmp_path):
    run(tmp_path / "csv", file_format="csv", bad_rate=0.05)
    run(tmp_path / "parquet", file_format="parquet", bad_rate=0.05)
    for table in CONTRACT:
        from_csv = read_table(tmp_path / "csv", table)
        from_parquet = pq.read_table(tmp_path / "parquet" / f"{table}.parquet").to_pandas()
        pd.testing.assert_frame_equal(
            from_csv.fillna("<null>"), from_parquet.fillna("<null>"), check_dtype=False
        )
    assert (tmp_path / "csv" / MANIFEST).read_bytes() == (tmp_path / "parquet" / MANIFEST).read_bytes()


def test_value_formats(clean_frames):
    frames = clean_frames
    patterns = {
        "date": r"^\d{4}-\d{2}-\d{2}$",
        "timestamp": r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(Z|[+-]\d{2}:\d{2})?$",
        "boolean": r"^(true|false)$",
        "integer": r"^-?\d+$",
        "double": r"^-?\d+(\.\d+)?$",
    }
    for table, columns in CONTRACT.items():
        for column, data_type in columns:
            values = frames[table][column].dropna()
            if data_type in patterns:
                assert values.str.match(patterns[data_type]).all(), (table, column)
    assert frames["contracts"].arr.str.match(r"^\d+\.\d{2}$").all()
    assert frames["invoices"].amount.str.match(r"^\d+\.\d{2}$").all()


def test_timestamps_mix_naive_zulu_and_correct_local_offsets(clean_frames):
    """Offsets are those of Central European time at that instant, so local time + offset is the instant."""
    copenhagen = ZoneInfo("Europe/Copenhagen")
    texts = pd.concat(
        [
            clean_frames[table][column].dropna()
            for table, columns in CONTRACT.items()
            for column, kind in columns
            if kind == "timestamp"
        ]
    )
    styles = texts.str.extract(r"(Z|\+\d{2}:\d{2})$")[0].fillna("naive").value_counts()
    assert set(styles.index) == {"naive", "Z", "+01:00", "+02:00"}
    assert (styles / styles.sum()).min() > 0.05
    for text in texts[texts.str.contains(r"\+\d{2}:\d{2}$")].sample(2000, random_state=1):
        moment = datetime.fromisoformat(text)
        assert moment.utcoffset() == moment.astimezone(copenhagen).utcoffset(), text


# --- bad rows and the manifest ------------------------------------------------------------------------------


def test_manifest_share_is_the_bad_rate_and_keys_are_in_the_files(faulty):
    manifest = pd.DataFrame(manifest_rows(faulty), columns=["source_table", "record_key", "reason_code"])
    per_table = manifest.source_table.value_counts()
    for table, columns in CONTRACT.items():
        rows = read_table(faulty, table)
        bad = per_table.get(table, 0)
        # round-half-up of the valid rows' share, at least 1; extra bad rows make the file longer than that
        # round-half-up of the valid rows' share, at least one row per reason the table's rules can give;
        # extra bad rows make the file longer than the valid rows
        least = len(applicable_reasons(table))
        assert any(
            bad == max(least, math.floor(valid * 0.05 + 0.5))
            for valid in range(len(rows) - bad, len(rows) + 1)
        ), table
        keys = {"survey_answers": ["response_id", "question_id"]}.get(table) or (
            ["account_id"] if table in ("churn_events", "onboarding_projects") else [columns[0][0]]
        )
        in_file = set(rows[keys].fillna("<null>").astype(str).agg("|".join, axis=1))
        assert set(manifest.record_key[manifest.source_table == table]) <= in_file, table
    assert abs(per_table["survey_answers"] / len(read_table(faulty, "survey_answers")) - 0.05) < 0.005


def reasons_per_table(folder: Path) -> dict[str, set[str]]:
    reasons: dict[str, set[str]] = {table: set() for table in CONTRACT}
    for table, _, reason in manifest_rows(folder):
        reasons[table].add(reason)
    return reasons


@pytest.mark.parametrize("data_set", ["faulty", "demo"])
def test_every_rule_of_every_table_is_exercised(data_set, request):
    """Each table holds a bad row for every reason its rules can give, and for no other reason."""
    folder = request.getfixturevalue(data_set)
    assert reasons_per_table(folder) == {table: applicable_reasons(table) for table in CONTRACT}
    assert {reason for reasons in reasons_per_table(folder).values() for reason in reasons} == set(
        pd.read_csv(PROJECT / "seeds" / "quarantine_reasons.csv").reason_code
    )


def test_manifest_is_exactly_what_the_quarantine_rules_flag(faulty):
    assert reference_quarantine(faulty, END) == Counter(manifest_rows(faulty))


@pytest.mark.parametrize("data_set", ["faulty", "demo"])
def test_each_bad_row_breaks_exactly_one_rule(data_set, request):
    """One fault per bad row: the checks of exactly one reason fire on it (none on a duplicate), so its
    reason does not depend on the order of the checks, and no valid row is quarantined with it."""
    folder = request.getfixturevalue(data_set)
    fired: Counter = Counter()
    assert reference_quarantine(folder, END, fired) == Counter(manifest_rows(folder))
    wrong = {key: count for key, count in fired.items() if key[2] != (0 if key[1] == "duplicate_key" else 1)}
    assert wrong == {}


def test_no_bad_rows_when_the_rate_is_zero(clean):
    assert manifest_rows(clean) == []
    assert reference_quarantine(clean, END) == Counter()


def test_a_tiny_run_still_gets_one_bad_row_per_reason(tmp_path):
    summary = run(tmp_path, accounts=3, bad_rate=0.001)
    assert summary.bad_rows == {table: len(applicable_reasons(table)) for table in CONTRACT}
    assert reasons_per_table(tmp_path) == {table: applicable_reasons(table) for table in CONTRACT}
    assert reference_quarantine(tmp_path, END) == Counter(manifest_rows(tmp_path))


def test_summary_counts_the_rows_written(faulty, tmp_path):
    summary = run(tmp_path, accounts=30, bad_rate=0.05)
    for table in CONTRACT:
        assert summary.rows[table] == len(read_table(tmp_path, table)), table
    assert sum(summary.bad_rows.values()) == len(manifest_rows(tmp_path))


def test_other_end_date_and_years_stay_inside_the_window(tmp_path):
    run(tmp_path, accounts=80, end_date=date(2025, 3, 31), years=2, bad_rate=0.02)
    assert reference_quarantine(tmp_path, date(2025, 3, 31)) == Counter(manifest_rows(tmp_path))
    responses = read_table(tmp_path, "survey_responses")
    submitted = pd.to_datetime(responses.submitted_at, format="ISO8601", utc=True, errors="coerce").dropna()
    assert submitted[submitted.dt.year < 2090].min() >= pd.Timestamp("2023-04-01", tz="UTC")


# --- realism ------------------------------------------------------------------------------------------------


def instants(values: pd.Series) -> pd.Series:
    return pd.to_datetime(values, format="ISO8601", utc=True)


def scored_answers(frames) -> pd.DataFrame:
    questions = frames["survey_questions"][["question_id", "question_code", "survey_id"]]
    answers = frames["survey_answers"].merge(questions, on="question_id")
    answers["score"] = answers.score.astype(float)
    responses = frames["survey_responses"][["response_id", "contact_id", "invitation_id", "language"]]
    contacts = frames["contacts"][["contact_id", "account_id"]]
    return (
        answers.merge(responses, on="response_id")
        .merge(contacts, on="contact_id")
        .merge(frames["accounts"], on="account_id")
    )


def test_volume_is_about_100_answers_per_account(clean_frames):
    per_account = len(clean_frames["survey_answers"]) / len(clean_frames["accounts"])
    assert 85 <= per_account <= 115
    contacts = clean_frames["contacts"].groupby("account_id").size()
    assert contacts.between(2, 8).all() and contacts.nunique() >= 5


def test_response_rate_and_open_links(clean_frames):
    responses, invitations = clean_frames["survey_responses"], clean_frames["survey_invitations"]
    rate = responses.invitation_id.notna().sum() / len(invitations)
    assert 0.30 <= rate <= 0.40
    assert 0 < responses.invitation_id.isna().mean() < 0.05
    assert set(invitations.channel) == {"email", "sms", "in_app", "link"}


def test_churned_accounts_scored_lower(clean_frames):
    answers = scored_answers(clean_frames)
    nps = answers[answers.question_code == "nps"]
    churned = nps.account_id.isin(clean_frames["churn_events"].account_id)
    assert nps.score[churned].mean() < nps.score[~churned].mean() - 0.4
    by_account = nps.groupby("account_id").score.mean()
    left = by_account.index.isin(clean_frames["churn_events"].account_id)
    assert left[by_account <= 6].mean() > 2 * left[by_account >= 9].mean()


def test_churned_accounts_end_all_contracts_at_churn(clean_frames):
    contracts = clean_frames["contracts"].merge(clean_frames["churn_events"], on="account_id")
    churn_day = instants(contracts.churned_at).dt.strftime("%Y-%m-%d")
    assert (contracts.end_date.notna() & (contracts.end_date <= churn_day)).all()
    assert (contracts.end_date == churn_day).groupby(contracts.account_id).any().all()
    running = clean_frames["contracts"][
        ~clean_frames["contracts"].account_id.isin(clean_frames["churn_events"].account_id)
    ]
    assert running.groupby("account_id").end_date.apply(lambda ends: ends.isna().any()).all()


def test_segments_differ(clean_frames):
    answers = scored_answers(clean_frames)
    nps = answers[answers.question_code == "nps"]
    by_industry = nps.groupby("industry").score.mean()
    assert max(by_industry["public_sector"], by_industry["logistics"]) < min(
        by_industry["it_services"], by_industry["finance"]
    )
    by_tier = nps.groupby("tier").score.mean()
    assert by_tier["strategic"] > by_tier["standard"]


def test_slow_onboarding_scores_worse(clean_frames):
    projects = clean_frames["onboarding_projects"].dropna(subset=["go_live_at"])
    days = (instants(projects.go_live_at) - instants(projects.kickoff_at)).dt.days
    assert days.between(20, 150).all()
    answers = scored_answers(clean_frames).merge(
        projects.assign(days=days)[["account_id", "days"]], on="account_id"
    )
    onboarding = answers[answers.survey_id == "SRV-ONB"]
    for code in ("csat", "ces"):
        scores = onboarding[onboarding.question_code == code]
        assert scores.score[scores.days > 100].mean() < scores.score[scores.days < 50].mean() - 0.8, code


def test_support_effort_grows_with_agent_replies(clean_frames):
    """A support survey follows its ticket within hours: the contact's last solved ticket is the one rated."""
    tickets = clean_frames["support_tickets"].dropna(subset=["contact_id", "solved_at"]).copy()
    tickets["solved"] = instants(tickets.solved_at)
    tickets["replies"] = tickets.agent_replies.astype(int)
    invitations = clean_frames["survey_invitations"]
    invitations = invitations[invitations.survey_id == "SRV-SUP"].assign(sent=lambda df: instants(df.sent_at))
    rated = pd.merge_asof(
        invitations.sort_values("sent"),
        tickets.sort_values("solved")[["contact_id", "solved", "replies"]],
        left_on="sent",
        right_on="solved",
        by="contact_id",
    )
    assert ((rated.sent - rated.solved) <= pd.Timedelta(hours=6)).all()
    answers = scored_answers(clean_frames).merge(rated[["invitation_id", "replies"]], on="invitation_id")
    effort = answers[answers.question_code == "ces"]
    assert effort.score[effort.replies >= 4].mean() > effort.score[effort.replies <= 2].mean() + 1.0


def test_comments_fit_language_and_score(clean_frames):
    answers = scored_answers(clean_frames)
    relationship = answers[answers.survey_id == "SRV-REL"]
    nps = relationship[relationship.question_code == "nps"].set_index("response_id").score
    comments = relationship[relationship.question_code == "comment"].set_index("response_id")
    assert 0.6 < len(comments) / len(nps) < 0.9
    starts = {
        (language, tone): tuple(
            template.split("{")[0] for template in templates[tone] if not template.startswith("{")
        )
        for language, templates in TEMPLATES.items()
        for tone in ("positive", "neutral", "negative")
    }
    own_tone = 0
    for response_id, comment in comments.answer_text.items():
        score = nps[response_id]
        tone = "positive" if score >= 9 else "neutral" if score >= 7 else "negative"
        language = comments.language[response_id]
        other_tones = {other for other in ("positive", "neutral", "negative") if other != tone}
        assert not any(
            comment.startswith(start) for other in other_tones for start in starts[(language, other)] if start
        )
        own_tone += any(comment.startswith(start) for start in starts[(language, tone)] if start)
    assert own_tone > 0.5 * len(comments)
    languages = comments.groupby("country_code").language.agg(lambda values: set(values))
    assert languages["DK"] == {"da", "en"} and languages["NO"] == {"no", "en"} and languages["DE"] == {"en"}


def test_detractors_get_feedback_cases_within_48_hours_mostly(clean_frames):
    answers = scored_answers(clean_frames)
    nps = answers[answers.question_code == "nps"]
    cases = clean_frames["feedback_cases"]
    detractor_responses = set(nps.response_id[nps.score <= 6])
    assert set(cases.response_id) <= detractor_responses
    assert len(cases) / len(detractor_responses) > 0.7
    responses = clean_frames["survey_responses"].set_index("response_id")
    opened = instants(cases.opened_at).reset_index(drop=True)
    submitted = instants(responses.submitted_at[cases.response_id]).reset_index(drop=True)
    assert ((opened >= submitted) & (opened - submitted <= pd.Timedelta(days=1))).all()
    contacted = instants(cases.first_contact_at).reset_index(drop=True) - opened
    contacted = contacted.dropna()
    assert 0.6 < (contacted <= pd.Timedelta(hours=48)).mean() < 0.95
    assert (cases.closed_at.isna() == (cases.outcome == "open")).all()


def test_valid_timestamps_are_inside_the_account_lifetime(clean_frames):
    """Nothing happens before its account was created or after the end date (23:59:59 UTC)."""
    end = pd.Timestamp(END.isoformat(), tz="UTC") + pd.Timedelta(days=1)
    created = instants(clean_frames["accounts"].set_index("account_id").created_at)
    contact_account = clean_frames["contacts"].set_index("contact_id").account_id
    for table, columns in CONTRACT.items():
        frame = clean_frames[table]
        for column, kind in columns:
            if kind not in ("timestamp", "date") or frame[column].isna().all():
                continue
            moments = instants(frame[column].dropna())
            assert (moments < end).all(), (table, column)
            if "account_id" in frame:
                owner = frame.account_id[frame[column].notna()]
            elif "contact_id" in frame:
                owner = contact_account[frame.contact_id[frame[column].notna()]]
            else:
                continue
            floor = created[owner.values].dt.floor("D" if kind == "date" else "s").values
            assert (moments.values >= floor).all(), (table, column)


def test_contracts_invoices_and_tickets_are_consistent(clean_frames):
    contracts, invoices = clean_frames["contracts"], clean_frames["invoices"]
    assert contracts.groupby("account_id").size().between(1, 3).all()
    currency = contracts.groupby("account_id").currency.first()
    assert (invoices.currency.values == currency[invoices.account_id].values).all()
    country_currency = (
        clean_frames["accounts"]
        .set_index("account_id")
        .country_code.map({"DK": "DKK", "NO": "NOK", "SE": "SEK", "GB": "GBP"})
        .fillna("EUR")
    )
    assert (currency == country_currency[currency.index]).all()
    tickets = clean_frames["support_tickets"]
    created = instants(tickets.created_at)
    for later in ("first_response_at", "solved_at"):
        known = tickets[later].notna()
        assert (instants(tickets[later][known]).values >= created[known].values).all()
    assert tickets.solved_at.isna().mean() < 0.05


def test_command_line(tmp_path, capsys):
    assert main(["--accounts", "5", "--seed", "2", "--out", str(tmp_path), "--quiet", "--bad-rate", "0"]) == 0
    printed = capsys.readouterr().out
    assert "survey_answers" in printed and "total" in printed
    assert manifest_rows(tmp_path) == []
    with pytest.raises(SystemExit):
        main(["--accounts", "0", "--out", str(tmp_path), "--quiet"])


# --- the warehouse's quarantine rules, re-implemented -------------------------------------------------------

CODE_COLUMNS = {
    "industry",
    "tier",
    "touchpoint",
    "metric",
    "channel",
    "priority",
    "category",
    "language",
    "reason_category",
    "outcome",
}
KEYS = {
    "survey_answers": ["response_id", "question_id"],
    "churn_events": ["account_id"],
    "onboarding_projects": ["account_id"],
}
SCORED_METRICS = "('nps', 'csat', 'ces', 'csi_item', 'driver')"  # metrics answered on a scale
METRICS_WITH_CUTOFFS = "('nps', 'csat', 'ces')"  # scored through seed scale_cutoffs (DECISIONLOG.md)
INVALID_SCALE = (
    f"t.metric in {SCORED_METRICS} and (t.scale_min is null or t.scale_max is null"
    " or t.higher_is_better is null or t.scale_min >= t.scale_max)"
    " or t.metric = 'csi_item' and (t.weight is null or t.weight <= 0)"
    f" or t.metric in {METRICS_WITH_CUTOFFS} and not exists (select 1 from cutoffs as c"
    " where c.metric = t.metric and c.scale_min = t.scale_min and c.scale_max = t.scale_max"
    " and c.higher_is_better = t.higher_is_better)"
)
UNKNOWN_CURRENCY = "t.currency not in (select currency_code from fx)"
# An answer must belong to a valid question of its valid response's survey.
ANSWER_REFERENCE = (
    "t.response_id is not null and t.question_id is not null"
    " and not exists (select 1 from checked_survey_responses r"
    " join checked_survey_questions q on q.survey_id = r.survey_id"
    " where r.reason is null and q.reason is null"
    " and r.response_id = t.response_id and q.question_id = t.question_id)"
)
OUT_OF_SCALE = (
    "exists (select 1 from checked_survey_questions q where q.reason is null"
    " and q.question_id = t.question_id"
    " and t.score is not null"
    " and (t.score < q.scale_min or t.score > q.scale_max or t.score <> floor(t.score)))"
)
# Per table, the checks after missing_key and unparseable_value, in the order the warehouse applies them
# (first match wins): ("required", column) = missing_value; ("future", column) = future_timestamp;
# ("order", later, earlier) = invalid_order; ("category", column) = invalid_category;
# ("reference", column, parent table, parent key) = unknown_reference (a null column is not checked);
# ("sql", condition on t, reason). duplicate_key is decided last, among rows no check flags.
RULES: dict[str, list[tuple[str, ...]]] = {
    "accounts": [
        ("required", "created_at"),
        ("required", "tier"),
        ("future", "created_at"),
        ("category", "tier"),
    ],
    "surveys": [
        ("required", "touchpoint"),
        ("required", "created_at"),
        ("future", "created_at"),
        ("category", "touchpoint"),
    ],
    "contacts": [
        ("required", "account_id"),
        ("required", "created_at"),
        ("future", "created_at"),
        ("reference", "account_id", "accounts", "account_id"),
    ],
    "contracts": [
        ("required", "account_id"),
        ("required", "start_date"),
        ("required", "arr"),
        ("required", "currency"),
        ("order", "end_date", "start_date"),
        ("sql", UNKNOWN_CURRENCY, "unknown_currency"),
        ("sql", "t.arr < 0", "negative_amount"),
        ("reference", "account_id", "accounts", "account_id"),
    ],
    "invoices": [
        ("required", "account_id"),
        ("required", "invoice_date"),
        ("required", "amount"),
        ("required", "currency"),
        ("future", "invoice_date"),
        ("sql", UNKNOWN_CURRENCY, "unknown_currency"),
        ("reference", "account_id", "accounts", "account_id"),
    ],
    "churn_events": [
        ("required", "churned_at"),
        ("required", "reason_category"),
        ("future", "churned_at"),
        ("category", "reason_category"),
        ("reference", "account_id", "accounts", "account_id"),
    ],
    "onboarding_projects": [
        ("required", "kickoff_at"),
        ("future", "kickoff_at"),
        ("future", "go_live_at"),
        ("order", "go_live_at", "kickoff_at"),
        ("reference", "account_id", "accounts", "account_id"),
    ],
    "survey_questions": [
        ("required", "survey_id"),
        ("required", "question_code"),
        ("required", "metric"),
        ("category", "metric"),
        ("sql", INVALID_SCALE, "invalid_scale"),
        ("reference", "survey_id", "surveys", "survey_id"),
    ],
    "support_tickets": [
        ("required", "account_id"),
        ("required", "created_at"),
        ("required", "channel"),
        ("required", "priority"),
        ("future", "created_at"),
        ("future", "first_response_at"),
        ("future", "solved_at"),
        ("order", "first_response_at", "created_at"),
        ("order", "solved_at", "created_at"),
        ("category", "channel"),
        ("category", "priority"),
        ("sql", "t.agent_replies < 0 or t.reopened_count < 0", "negative_amount"),
        ("reference", "account_id", "accounts", "account_id"),
        ("reference", "contact_id", "contacts", "contact_id"),
    ],
    "survey_invitations": [
        ("required", "survey_id"),
        ("required", "contact_id"),
        ("required", "sent_at"),
        ("required", "channel"),
        ("future", "sent_at"),
        ("category", "channel"),
        ("reference", "survey_id", "surveys", "survey_id"),
        ("reference", "contact_id", "contacts", "contact_id"),
    ],
    "survey_responses": [
        ("required", "survey_id"),
        ("required", "contact_id"),
        ("required", "submitted_at"),
        ("required", "language"),
        ("future", "submitted_at"),
        ("category", "language"),
        ("reference", "survey_id", "surveys", "survey_id"),
        ("reference", "contact_id", "contacts", "contact_id"),
        ("reference", "invitation_id", "survey_invitations", "invitation_id"),
    ],
    "survey_answers": [
        ("sql", "t.score__empty and t.answer_text__empty", "empty_answer"),
        ("sql", ANSWER_REFERENCE, "unknown_reference"),
        ("sql", OUT_OF_SCALE, "out_of_scale"),
    ],
    "feedback_cases": [
        ("required", "response_id"),
        ("required", "opened_at"),
        ("future", "opened_at"),
        ("future", "first_contact_at"),
        ("future", "closed_at"),
        ("order", "first_contact_at", "opened_at"),
        ("order", "closed_at", "opened_at"),
        ("category", "outcome"),
        ("reference", "response_id", "survey_responses", "response_id"),
    ],
}


def typed(column: str, data_type: str) -> str:
    """The staged value of a raw text column, cast as macros/casting.sql does on DuckDB."""
    text = f"nullif(trim({column}), '')"
    if column in CODE_COLUMNS:
        text = f"lower({text})"
    if column in ("country_code", "currency"):
        text = f"upper({text})"
    number = f"try_cast({text} as double)"
    casts = {
        "text": text,
        "timestamp": f"cast(timezone('UTC', try_cast({text} as timestamptz)) as timestamp)",
        "date": f"try_cast({text} as date)",
        "decimal(18,2)": f"try_cast({text} as decimal(18, 2))",
        "double": number,
        "integer": f"case when {number} = floor({number}) then cast({number} as bigint) end",
        "boolean": f"try_cast(lower({text}) as boolean)",
    }
    return casts[data_type]


def table_checks(table: str, as_of: date) -> list[tuple[str, str]]:
    """(sql condition on the staged row t, reason) in order. Emptiness is that of the raw text, so a value
    that does not parse is unparseable_value only, not also missing_value."""
    keys = KEYS.get(table, [CONTRACT[table][0][0]])
    end = f"timestamp '{as_of.isoformat()}' + interval 1 day"
    checks = [
        (" or ".join(f"t.{key}__empty" for key in keys), "missing_key"),
        ("t.unparseable", "unparseable_value"),
    ]
    for rule, *arguments in RULES[table]:
        if rule == "required":
            checks.append((f"t.{arguments[0]}__empty", "missing_value"))
        elif rule == "future":
            checks.append((f"t.{arguments[0]} >= {end}", "future_timestamp"))
        elif rule == "order":
            checks.append((f"t.{arguments[0]} < t.{arguments[1]}", "invalid_order"))
        elif rule == "category":
            column = arguments[0]
            checks.append(
                (
                    f"t.{column} is not null and t.{column} not in (select accepted_value from accepted"
                    f" where table_name = '{table}' and column_name = '{column}')",
                    "invalid_category",
                )
            )
        elif rule == "reference":
            column, parent, key = arguments
            checks.append(
                (
                    f"t.{column} is not null"
                    f" and t.{column} not in (select {key} from checked_{parent} where reason is null)",
                    "unknown_reference",
                )
            )
        else:
            checks.append((arguments[0], arguments[1]))
    return checks


def applicable_reasons(table: str) -> set[str]:
    """Every reason the rules can give a row of the table."""
    return {reason for _, reason in table_checks(table, END)} | {"duplicate_key"}


def check_table(connection, raw_dir: Path, table: str, as_of: date) -> None:
    """checked_<table>: the staged rows with record_key, reason (the first check that fires, else
    duplicate_key for later copies of a key) and reasons_fired (how many reasons' checks fire on the row)."""
    columns = CONTRACT[table]
    keys = KEYS.get(table, [columns[0][0]])
    unparseable = (
        " or ".join(
            f"(nullif(trim({name}), '') is not null and {typed(name, kind)} is null)"
            for name, kind in columns
            if kind != "text"
        )
        or "false"
    )
    checks = table_checks(table, as_of)
    reason = "case " + " ".join(f"when {condition} then '{code}'" for condition, code in checks) + " end"
    by_reason: dict[str, list[str]] = {}
    for condition, code in checks:
        by_reason.setdefault(code, []).append(f"coalesce(({condition}), false)")
    fired = " + ".join(f"cast(({' or '.join(conditions)}) as integer)" for conditions in by_reason.values())
    record_key = " || '|' || ".join(f"coalesce({key}, '<null>')" for key in keys)
    staged_columns = ", ".join(
        f"{typed(name, kind)} as {name}, nullif(trim({name}), '') is null as {name}__empty"
        for name, kind in columns
    )
    partition = ", ".join([*keys, "failed"])
    connection.execute(
        f"""
        create table checked_{table} as
        with staged as (
            select {staged_columns}, {unparseable} as unparseable
            from read_csv('{raw_dir}/{table}.csv', header = true, all_varchar = true)
        ),
        flagged as (select t.*, {reason} as failed, {fired} as reasons_fired from staged as t),
        ranked as (
            select *, row_number() over (partition by {partition} order by {record_key}) as copy_number
            from flagged
        )
        select *, {record_key} as record_key,
            case when failed is not null then failed when copy_number > 1 then 'duplicate_key' end as reason
        from ranked
        """
    )


ORDER = (
    "accounts",
    "surveys",
    "contacts",
    "contracts",
    "invoices",
    "churn_events",
    "onboarding_projects",
    "survey_questions",
    "support_tickets",
    "survey_invitations",
    "survey_responses",
    "survey_answers",
    "feedback_cases",
)


def reference_quarantine(raw_dir: Path, as_of: date, faults_per_row: Counter | None = None) -> Counter:
    """(table, record_key, reason) of every row the rules quarantine, with multiplicity.

    faults_per_row, when given, receives (table, reason, number of different reasons whose checks fire) per
    quarantined row: 1 for a row with one fault, 0 for a duplicate.
    """
    assert set(ORDER) == set(CONTRACT)
    connection = duckdb.connect()
    connection.execute("set TimeZone = 'UTC'")
    for name, seed in (("accepted", "accepted_categories"), ("fx", "fx_rates")):
        connection.execute(
            f"create table {name} as select * from read_csv('{PROJECT}/seeds/{seed}.csv', all_varchar = true)"
        )
    connection.execute(
        "create table cutoffs as select distinct metric, cast(scale_min as bigint) as scale_min,"
        " cast(scale_max as bigint) as scale_max, cast(higher_is_better as boolean) as higher_is_better"
        f" from read_csv('{PROJECT}/seeds/scale_cutoffs.csv', all_varchar = true)"
    )
    flagged = Counter()
    for table in ORDER:
        check_table(connection, raw_dir, table, as_of)
        rows = connection.execute(
            f"select record_key, reason, reasons_fired from checked_{table} where reason is not null"
        ).fetchall()
        flagged.update((table, key, reason) for key, reason, _ in rows)
        if faults_per_row is not None:
            faults_per_row.update((table, reason, fired) for _, reason, fired in rows)
    connection.close()
    return flagged
