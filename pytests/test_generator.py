"""Tests of the demo-data generator on real files: determinism, the raw contract, the bad rows, the findings
and their manifests, and the correlations the metric marts depend on.

The manifests are checked against an independent implementation of the warehouse's rules, run in DuckDB on
what the loader (cx_warehouse.runtime.load) reads from the files: the checks of macros/quarantine.sql in their
order, each table's own rules (models/validation/<source>/int_<table>__checked.sql), the copies, the double
submissions, the orphans and the new values, with the seeds they read. So a bad row that breaks a second rule,
a valid row that breaks one, a finding the warehouse would not report or a rule that no bad row exercises
fails a test; pytests/test_warehouse.py compares the same manifests with a real build.
"""

from __future__ import annotations

import csv
import hashlib
import re
from collections import Counter
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import cache
from pathlib import Path
from zoneinfo import ZoneInfo

import duckdb
import pandas as pd
import pyarrow.parquet as pq
import pytest
import yaml

from cx_warehouse.generator.comment_templates import TEMPLATES
from cx_warehouse.generator.dataset import generate, main
from cx_warehouse.runtime.cli import DEMO_ACCOUNTS, DEMO_SEED
from cx_warehouse.runtime.load import load_raw_dir
from cx_warehouse.runtime.raw_contract import raw_tables

PROJECT = Path(__file__).resolve().parents[1]
END = date(2026, 9, 30)
MANIFESTS = {
    "quarantine": ("_expected_quarantine.csv", ["source_table", "record_key", "reason_code"]),
    "orphans": ("_expected_orphans.csv", ["source_table", "record_key", "reference_column", "missing_key"]),
    "new_values": ("_expected_new_values.csv", ["source_table", "source_column", "spelling"]),
}
TABLES = raw_tables()
CONTRACT = {
    name: [(column.name, column.data_type) for column in table.columns] for name, table in TABLES.items()
}
COPY_REASONS = {"duplicate_row", "conflicting_duplicate"}
LOADER_REASONS = {"malformed_line", "undecodable_value"}
# The reasons each table's bad rows must have: every check that can fire on the table, written out here (not
# derived from the contract as the generator's kinds are), so that a kind lost in the derivation fails.
COMMON_REASONS = {
    "duplicate_row",
    "conflicting_duplicate",
    "missing_key",
    "unparseable_value",
    *LOADER_REASONS,
}
EXPECTED_REASONS = {
    "accounts": COMMON_REASONS,
    "contacts": COMMON_REASONS,
    "contracts": COMMON_REASONS | {"missing_value", "unknown_currency", "invalid_order", "negative_amount"},
    "invoices": COMMON_REASONS | {"missing_value", "future_timestamp", "unknown_currency"},
    "churn_events": COMMON_REASONS | {"missing_value", "future_timestamp"},
    "onboarding_projects": COMMON_REASONS | {"missing_value", "future_timestamp", "invalid_order"},
    "feedback_cases": COMMON_REASONS | {"missing_value", "future_timestamp", "invalid_order"},
    "support_tickets": COMMON_REASONS
    | {"missing_value", "future_timestamp", "invalid_order", "negative_amount"},
    "surveys": COMMON_REASONS,
    "survey_questions": COMMON_REASONS | {"missing_value", "invalid_category", "invalid_scale"},
    "survey_invitations": COMMON_REASONS | {"missing_value", "future_timestamp"},
    "survey_responses": COMMON_REASONS | {"missing_value", "future_timestamp", "double_submission"},
    "survey_answers": COMMON_REASONS | {"empty_answer", "unknown_reference", "out_of_scale"},
}


def run(out: Path, **options):
    arguments = {"accounts": 60, "seed": 11, "progress": False} | options
    return generate(out_dir=out, **arguments)


def read_table(folder: Path, table: str) -> pd.DataFrame:
    """A raw CSV file as text; a data set with bad rows is read through landed() instead."""
    return pd.read_csv(folder / f"{table}.csv", dtype=str, keep_default_na=False, na_values=[""])


def file_hashes(folder: Path) -> dict[str, str]:
    return {path.name: hashlib.sha256(path.read_bytes()).hexdigest() for path in sorted(folder.iterdir())}


def manifest(folder: Path, name: str) -> list[tuple[str, ...]]:
    file_name, columns = MANIFESTS[name]
    with (folder / file_name).open(encoding="utf-8", newline="") as lines:
        reader = csv.reader(lines)
        assert next(reader) == columns
        return [tuple(row) for row in reader]


@cache
def landing(folder: Path) -> Path:
    """The loader's landing folder for a data set (next to it): every row, with its line and load error."""
    out = folder.with_name(folder.name + "_landing")
    load_raw_dir(folder, out)
    return out


def landed(folder: Path, table: str) -> pd.DataFrame:
    return pq.read_table(landing(folder) / f"{table}.parquet").to_pandas()


@pytest.fixture(scope="session")
def faulty(tmp_path_factory) -> Path:
    """A small run with many bad rows, so every kind occurs often."""
    out = tmp_path_factory.mktemp("faulty")
    run(out, accounts=150, seed=5, bad_rate=0.05)
    return out


@pytest.fixture(scope="session")
def demo(tmp_path_factory) -> Path:
    """A run at the default bad rate, where most tables get only a few bad rows."""
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
    assert len(file_hashes(tmp_path / "a")) == len(CONTRACT) + len(MANIFESTS)


@pytest.mark.parametrize("file_format", ["csv", "parquet"])
def test_chunk_size_does_not_change_the_bytes(tmp_path, file_format):
    run(tmp_path / "one", file_format=file_format, chunk_accounts=1000, bad_rate=0.05)
    run(tmp_path / "many", file_format=file_format, chunk_accounts=7, bad_rate=0.05)
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
            with path.open(encoding="utf-8", errors="replace", newline="") as lines:
                header = next(csv.reader(lines))
            assert header == [name for name, _ in columns], table
        else:
            schema = pq.read_schema(path)
            assert schema.names == [name for name, _ in columns], table
            assert {str(field.type) for field in schema} == {"string"}, table


def test_parquet_holds_the_csv_rows_but_the_unreadable_ones(tmp_path):
    """Only a CSV file can hold a malformed line or undecodable bytes: the Parquet data set is the CSV one
    without those rows (as the loader reads both), so both build the same marts."""
    run(tmp_path / "csv", file_format="csv", bad_rate=0.05)
    run(tmp_path / "parquet", file_format="parquet", bad_rate=0.05)
    for table, columns in CONTRACT.items():
        names = [name for name, _ in columns]
        from_csv = landed(tmp_path / "csv", table)
        readable = from_csv[from_csv._load_error.isna()][names].reset_index(drop=True)
        assert len(from_csv) - len(readable) == len(LOADER_REASONS), table
        from_parquet = landed(tmp_path / "parquet", table)[names]
        pd.testing.assert_frame_equal(readable.fillna("<null>"), from_parquet.fillna("<null>"))
    for name in MANIFESTS:
        from_csv, from_parquet = manifest(tmp_path / "csv", name), manifest(tmp_path / "parquet", name)
        unreadable = [line for line in from_csv if name == "quarantine" and line[2] in LOADER_REASONS]
        assert [line for line in from_csv if line not in unreadable] == from_parquet, name


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


def test_some_comments_span_two_lines_and_the_loader_counts_them(clean):
    """A comment with a line break is quoted over two lines: the loader's line of a row counts them."""
    answers = landed(clean, "survey_answers")
    multi_line = answers.answer_text.str.contains("\n", na=False)
    assert 0.05 < multi_line.sum() / answers.answer_text.notna().sum() < 0.3
    lines = answers._line_number.to_numpy()
    assert lines[0] == 2
    assert ((lines[1:] - lines[:-1]) == 1 + multi_line.to_numpy()[:-1]).all()


# --- bad rows, findings and the manifests -------------------------------------------------------------------


def reasons_per_table(folder: Path) -> dict[str, set[str]]:
    reasons: dict[str, set[str]] = {table: set() for table in CONTRACT}
    for table, _, reason in manifest(folder, "quarantine"):
        reasons[table].add(reason)
    return reasons


@pytest.mark.parametrize("data_set", ["faulty", "demo"])
def test_every_table_has_a_bad_row_for_every_reason_it_can_give(data_set, request):
    assert reasons_per_table(request.getfixturevalue(data_set)) == EXPECTED_REASONS
    reasons = set(pd.read_csv(PROJECT / "seeds" / "quarantine_reasons.csv").reason_code)
    assert set().union(*EXPECTED_REASONS.values()) == reasons


@pytest.mark.parametrize("data_set", ["faulty", "demo"])
def test_manifests_are_exactly_what_the_rules_report(data_set, request):
    folder = request.getfixturevalue(data_set)
    found = reference(folder, END)
    assert found.quarantine == Counter(manifest(folder, "quarantine"))
    assert found.orphans == Counter(manifest(folder, "orphans"))
    assert found.new_values == Counter(manifest(folder, "new_values"))


@pytest.mark.parametrize("data_set", ["faulty", "demo"])
def test_each_bad_row_breaks_exactly_one_rule(data_set, request):
    """One fault per bad row: the checks of exactly one reason fire on it (none on a copy or a double
    submission), so its reason does not depend on the order of the checks."""
    found = reference(request.getfixturevalue(data_set), END)
    settled_later = COPY_REASONS | {"double_submission"}
    wrong = {
        key: rows for key, rows in found.fired.items() if key[2] != (0 if key[1] in settled_later else 1)
    }
    assert wrong == {}


def test_share_of_bad_rows_is_the_bad_rate(faulty):
    """survey_answers get no findings: each marked answer is one quarantined row."""
    quarantined = [line for line in manifest(faulty, "quarantine") if line[0] == "survey_answers"]
    assert abs(len(quarantined) / len(landed(faulty, "survey_answers")) - 0.05) < 0.003


def test_every_orphan_reference_of_the_contract_has_orphans(faulty):
    references = {
        (table.name, column.name)
        for table in TABLES.values()
        for column in table.columns
        if column.references and column.missing_parent == "orphan"
    }
    assert {(table, column) for table, _, column, _ in manifest(faulty, "orphans")} == references


def test_contacts_deleted_from_the_crm_leave_their_rows_as_orphans(faulty):
    """Some contacts are not in contacts.csv (deleted for privacy) while their invitations, responses and
    tickets are: every row pointing at them is an orphan (as test_manifests_are_exactly_what_the_rules_report
    checks)."""
    orphans = manifest(faulty, "orphans")
    deleted = {missing for _, _, column, missing in orphans if re.fullmatch(r"CON-0\d{8}", missing)}
    assert deleted and not deleted & set(landed(faulty, "contacts").contact_id)
    pointing = {table for table, _, _, missing in orphans if missing in deleted}
    assert pointing == {"survey_invitations", "survey_responses", "support_tickets"}


def seed_keys() -> dict[str, set[str]]:
    """Vocabulary -> the spellings the seeds know, as keys (lower case, spaces collapsed and trimmed)."""
    synonyms = pd.read_csv(PROJECT / "seeds" / "label_synonyms.csv", dtype=str)
    keys: dict[str, set[str]] = {}
    for vocabulary, spelling in zip(synonyms.vocabulary, synonyms.spelling, strict=True):
        keys.setdefault(vocabulary, set()).add(spelling_key(spelling))
    keys["currency"] |= {
        code.lower() for code in pd.read_csv(PROJECT / "seeds" / "fx_rates.csv").currency_code
    }
    return keys


def spelling_key(spelling: str) -> str:
    return re.sub(" +", " ", spelling).strip(" ").lower()


def raw_values(folder: Path, table: str, column: str) -> list[str]:
    """A column's values as the CSV file writes them (blanks included), on the lines the loader can read."""
    with (folder / f"{table}.csv").open(encoding="utf-8", errors="replace", newline="") as lines:
        rows = csv.DictReader(lines)
        readable = (
            row for row in rows if None not in row and "\ufffd" not in "".join(filter(None, row.values()))
        )
        return [row[column] for row in readable]


def test_new_values_are_new_and_every_label_has_some(faulty):
    known = seed_keys()
    listed = manifest(faulty, "new_values")
    assert all(spelling_key(spelling) not in known[TABLES[table].column(column).vocabulary]
               for table, column, spelling in listed)  # fmt: skip
    with_new = {(table, column) for table, column, _ in listed}
    vocabulary_columns = [
        (table.name, column)
        for table in TABLES.values()
        for column in table.columns
        if column.vocabulary in known
    ]
    kept_as_new = {
        (name, column.name)
        for name, column in vocabulary_columns
        if column.role == "label" or not column.quarantines_unknown_code
    }
    assert kept_as_new <= with_new  # every label and every code with a fallback or kept unknown
    assert {table for table, _ in with_new} == {name for name, _ in vocabulary_columns}  # unknown codes too


def test_known_values_also_come_in_other_spellings(faulty):
    """Seed synonyms and case or spacing variants of known values ('nb', 'E-mail', ' DACH ') are in the files
    for every label and code column with a vocabulary; none of them is a new value."""
    known = seed_keys()
    displays = pd.read_csv(PROJECT / "seeds" / "label_synonyms.csv", dtype=str).display_value
    canonical = set(displays) | {
        code for code in pd.read_csv(PROJECT / "seeds" / "fx_rates.csv").currency_code
    }
    listed = set(manifest(faulty, "new_values"))
    for table in TABLES.values():
        for column in table.columns:
            if column.vocabulary not in known:
                continue
            values = [value for value in raw_values(faulty, table.name, column.name) if value]
            new = [value for value in values if (table.name, column.name, value.strip()) in listed]
            other = [value for value in values if value not in canonical and value not in new]
            assert other, (table.name, column.name)
            assert all(spelling_key(value) in known[column.vocabulary] for value in other), (
                table.name,
                column.name,
            )


def test_no_bad_rows_or_findings_when_the_rate_is_zero(clean):
    for name in MANIFESTS:
        assert manifest(clean, name) == []
    found = reference(clean, END)
    assert found.quarantine == found.orphans == found.new_values == Counter()


def test_a_tiny_run_still_gets_every_reason(tmp_path):
    summary = run(tmp_path, accounts=3, bad_rate=0.001)
    assert all(summary.rows.values())
    assert reasons_per_table(tmp_path) == EXPECTED_REASONS
    assert summary.bad_rows == {table: len(reasons) for table, reasons in EXPECTED_REASONS.items()}
    found = reference(tmp_path, END)
    assert found.quarantine == Counter(manifest(tmp_path, "quarantine"))
    assert found.orphans == Counter(manifest(tmp_path, "orphans"))


def test_summary_counts_the_rows_written(tmp_path):
    summary = run(tmp_path, accounts=30, bad_rate=0.05)
    for table in CONTRACT:
        assert summary.rows[table] == len(landed(tmp_path, table)), table
    for name, counts in (
        ("quarantine", summary.bad_rows),
        ("orphans", summary.orphaned_rows),
        ("new_values", summary.new_values),
    ):
        assert Counter(line[0] for line in manifest(tmp_path, name)) == +Counter(counts), name


def test_other_end_date_and_years_stay_inside_the_window(tmp_path):
    end = date(2025, 3, 31)
    run(tmp_path, accounts=80, end_date=end, years=2, bad_rate=0.02)
    found = reference(tmp_path, end)
    assert found.quarantine == Counter(manifest(tmp_path, "quarantine"))
    assert found.orphans == Counter(manifest(tmp_path, "orphans"))
    responses = landed(tmp_path, "survey_responses")
    submitted = pd.to_datetime(responses.submitted_at, format="ISO8601", utc=True, errors="coerce").dropna()
    assert submitted[submitted.dt.year < 2090].min() >= pd.Timestamp("2023-04-01", tz="UTC")


def test_the_demo_stays_under_the_error_thresholds(tmp_path):
    """`cxw demo` builds at the default data-quality thresholds: with every fault kind in every table, no
    table of its data set has more than quarantine_error_pct % of its rows quarantined or orphan_error_pct %
    orphaned (the archived surveys keep the small survey tables there)."""
    summary = generate(accounts=DEMO_ACCOUNTS, seed=DEMO_SEED, out_dir=tmp_path, progress=False)
    limits = yaml.safe_load((PROJECT / "dbt_project.yml").read_text())["vars"]
    assert reasons_per_table(tmp_path) == EXPECTED_REASONS
    for table, rows in summary.rows.items():
        assert summary.bad_rows[table] * 100 / rows < limits["quarantine_error_pct"], table
        assert summary.orphaned_rows[table] * 100 / rows < limits["orphan_error_pct"], table


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


def test_a_contact_answers_a_survey_once_within_the_double_submission_window(clean_frames):
    """The warehouse quarantines the earlier of two such responses: only planted ones may be that close."""
    responses = clean_frames["survey_responses"].dropna(subset=["contact_id"])
    responses = responses.assign(at=instants(responses.submitted_at)).sort_values("at")
    gaps = responses.groupby(["contact_id", "survey_id"]).at.diff().dropna()
    assert gaps.min() > pd.Timedelta(minutes=DOUBLE_SUBMISSION_WINDOW)


def test_archived_surveys_have_questions_but_no_responses(clean_frames):
    surveys, questions = clean_frames["surveys"], clean_frames["survey_questions"]
    answered = set(clean_frames["survey_responses"].survey_id) | set(
        clean_frames["survey_invitations"].survey_id
    )
    archived = surveys[~surveys.survey_id.isin(answered)]
    assert len(archived) >= 10 * len(answered)
    assert set(questions.survey_id) == set(surveys.survey_id)
    assert (
        instants(archived.created_at).max()
        < instants(surveys[surveys.survey_id.isin(answered)].created_at).min()
    )


def test_command_line(tmp_path, capsys):
    assert main(["--accounts", "5", "--seed", "2", "--out", str(tmp_path), "--quiet", "--bad-rate", "0"]) == 0
    printed = capsys.readouterr().out
    assert "survey_answers" in printed and "total" in printed
    assert all(manifest(tmp_path, name) == [] for name in MANIFESTS)
    with pytest.raises(SystemExit):
        main(["--accounts", "0", "--out", str(tmp_path), "--quiet"])


# --- the warehouse's rules, re-implemented ------------------------------------------------------------------

# The casts of macros/casting.sql, on the text the loader writes.
NUMBER_TEXT = "[+-]?([0-9]+([.][0-9]*)?|[.][0-9]+)([eE][+-]?[0-9]+)?"
INTEGER_TEXT = "[+-]?[0-9]{1,18}([.]0*)?"
SCORED_METRICS = "('nps', 'csat', 'ces', 'csi_item', 'driver')"  # metrics answered on a scale
METRICS_WITH_CUTOFFS = "('nps', 'csat', 'ces')"  # scored through seed scale_cutoffs (DECISIONLOG.md)
VALID_QUESTION = "(select * from checked_survey_questions where reason is null)"
VALID_RESPONSE = "(select * from checked_survey_responses where reason is null)"
# Per table, its own rules after the contract's checks, in the order of its model: (sql on the staged row t,
# reason). Emptiness is that of the text (<column>__text), so a value that does not parse is only
# unparseable_value (which comes first), not also empty.
RULES: dict[str, list[tuple[str, str]]] = {
    "contracts": [("t.end_date < t.start_date", "invalid_order"), ("t.arr < 0", "negative_amount")],
    "feedback_cases": [("t.first_contact_at < t.opened_at or t.closed_at < t.opened_at", "invalid_order")],
    "onboarding_projects": [("t.go_live_at < t.kickoff_at", "invalid_order")],
    "support_tickets": [
        ("t.first_response_at < t.created_at or t.solved_at < t.created_at", "invalid_order"),
        ("t.agent_replies < 0 or t.reopened_count < 0", "negative_amount"),
    ],
    "survey_questions": [
        (
            f"t.metric in {SCORED_METRICS} and (t.scale_min__text is null or t.scale_max__text is null"
            " or t.higher_is_better__text is null or t.scale_min >= t.scale_max)"
            " or t.metric = 'csi_item' and (t.weight__text is null or t.weight <= 0)"
            f" or t.metric in {METRICS_WITH_CUTOFFS} and t.scale_min is not null and t.scale_max is not null"
            " and not exists (select 1 from cutoffs as c where c.metric = t.metric"
            " and c.scale_min = t.scale_min and c.scale_max = t.scale_max"
            " and c.higher_is_better = t.higher_is_better)",
            "invalid_scale",
        )
    ],
    "survey_answers": [
        ("t.score__text is null and t.answer_text__text is null", "empty_answer"),
        (
            f"(select survey_id from {VALID_QUESTION} where question_id = t.question_id)"
            f" <> (select survey_id from {VALID_RESPONSE} where response_id = t.response_id)",
            "unknown_reference",
        ),
        (
            f"t.score is not null and exists (select 1 from {VALID_QUESTION} as q"
            " where q.question_id = t.question_id and (q.scale_min is null or t.score < q.scale_min"
            " or t.score > q.scale_max or t.score <> floor(t.score)))",
            "out_of_scale",
        ),
    ],
}
# The double-submission rule of int_survey_responses__checked: (`by` columns, time column).
DOUBLE_SUBMISSION = {"survey_responses": (["contact_id", "survey_id"], "submitted_at")}
DOUBLE_SUBMISSION_WINDOW = yaml.safe_load((PROJECT / "dbt_project.yml").read_text())["vars"][
    "double_submission_window_minutes"
]
# Parents before their children.
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


@dataclass
class Reference:
    """What the rules report on a data set: quarantined rows (table, record_key, reason), orphans (table,
    record_key, column, missing key), new values (table, column, spelling), and per quarantined row that the
    loader could read, (table, reason, number of different reasons whose checks fire on it)."""

    quarantine: Counter
    orphans: Counter
    new_values: Counter
    fired: Counter


def value_key(sql: str) -> str:
    return f"lower(trim(regexp_replace({sql}, ' +', ' ', 'g')))"


def typed(column, text: str) -> str:
    """The staged value of a (non-code) column from its text, as macros/casting.sql casts it."""
    casts = {
        "text": text,
        "timestamp": f"cast(timezone('UTC', try_cast({text} as timestamptz)) as timestamp)",
        "date": f"try_cast({text} as date)",
        "integer": f"case when regexp_full_match({text}, '{INTEGER_TEXT}')"
        f" then cast(try_cast({text} as decimal(20, 2)) as bigint) end",
        "number": f"case when regexp_full_match({text}, '{NUMBER_TEXT}') then try_cast({text} as double) end",
        "money": f"case when regexp_full_match({text}, '{NUMBER_TEXT}')"
        f" then try_cast({text} as decimal(18, 2)) end",
    }
    return casts[column.kind]


def stage(connection, landing_dir: Path, table, seeded: set[str]) -> None:
    """staged_<table>: every landed row, each column typed (a code matched to its vocabulary) with its text
    (<column>__text) and, for a column with a vocabulary the seeds list, whether they know the value
    (<column>__known)."""
    selects, joins = [], []
    for column in table.columns:
        text = f"nullif(trim(raw.{column.name}), '')"
        selects.append(f"{text} as {column.name}__text")
        if column.vocabulary in seeded:
            match = f"{column.name}__match"
            joins.append(
                f"left join codes as {match} on {match}.vocabulary = '{column.vocabulary}'"
                f" and {match}.value_key = {value_key(text)}"
            )
            selects.append(f"{match}.code is not null as {column.name}__known")
        if column.role == "code":
            fallback = f"'{column.unknown_code}'" if column.unknown_code else "null"
            value = f"case when {text} is not null then coalesce({column.name}__match.code, {fallback}) end"
            selects.append(
                f"{'cast(' + value + ' as boolean)' if column.kind == 'boolean' else value} as {column.name}"
            )
        else:
            selects.append(f"{typed(column, text)} as {column.name}")
    connection.execute(
        f"""
        create table staged_{table.name} as
        select {", ".join(selects)}, raw._row_number, raw._line_number, raw._load_error
        from read_parquet('{landing_dir / f"{table.name}.parquet"}') as raw
        {" ".join(joins)}
        """
    )


def checks(table, as_of: date) -> list[tuple[str, str]]:
    """The checks after the loader's, in macros/quarantine.sql's order, then the table's rules."""
    next_day = as_of + timedelta(days=1)
    found = [(" or ".join(f"t.{key} is null" for key in table.key), "missing_key")]
    found += [
        (f"t.{column.name}__text is not null and t.{column.name} is null", "unparseable_value")
        for column in table.columns
        if column.role != "code" and column.kind != "text"
    ]
    found += [
        (f"t.{column.name}__text is null", "missing_value")
        for column in table.columns
        if column.required and column.role != "key"
    ]
    found += [
        (f"t.{column.name} >= {column.kind} '{next_day.isoformat()}'", "future_timestamp")
        for column in table.columns
        if column.not_after_as_of
    ]
    found += [
        (f"t.{column.name}__text is not null and t.{column.name} is null", column.invalid_reason)
        for column in table.columns
        if column.quarantines_unknown_code
    ]
    for column in table.columns:
        if column.references and column.missing_parent == "quarantine":
            parents = f"select {TABLES[column.references].key[0]} from checked_{column.references}"
            condition = (
                f"t.{column.name} is not null and t.{column.name} not in ({parents} where reason is null)"
            )
            found.append((condition, "unknown_reference"))
    return found + RULES.get(table.name, [])


def check(connection, table, as_of: date) -> None:
    """checked_<table>: the staged rows with record_key and reason (the loader's error, the first check that
    fires, else a copy or a double submission), and fired (how many reasons' checks fire on the row)."""
    found = checks(table, as_of)
    reason = (
        "case when t._load_error is not null then t._load_error "
        + " ".join(f"when {condition} then '{code}'" for condition, code in found)
        + " end"
    )
    by_reason: dict[str, list[str]] = {}
    for condition, code in found:
        by_reason.setdefault(code, []).append(f"coalesce(({condition}), false)")
    fired = " + ".join(f"cast(({' or '.join(conditions)}) as integer)" for conditions in by_reason.values())
    keys = ", ".join(table.key)
    content = (
        "concat_ws('|', "
        + ", ".join(
            f"coalesce(cast(t.{column.name} as varchar), '<null>')"
            for column in table.columns
            if column.role != "key"
        )
        + ")"
    )
    version = (
        "greatest("
        + ", ".join(f"coalesce(t.{name}, t.{table.version_by[0]})" for name in table.version_by)
        + ")"
        if table.version_by
        else "cast(null as timestamp)"
    )
    record_key = "concat_ws('|', " + ", ".join(f"coalesce({key}, '<null>')" for key in table.key) + ")"
    by, at = DOUBLE_SUBMISSION.get(table.name, ([], None))
    counted = " and ".join(["copy_reason is null", *(f"{name} is not null" for name in by)])
    double = (
        f"case when {counted} and date_diff('second', {at}, lead({at}) over (partition by {', '.join(by)},"
        f" {counted} order by {at}, _row_number)) <= {60 * DOUBLE_SUBMISSION_WINDOW}"
        " then 'double_submission' end"
        if by
        else "null"
    )
    connection.execute(
        f"""
        create table checked_{table.name} as
        with flagged as (
            select t.*, {reason} as failed, {fired} as fired, {version} as version_at, {content} as content
            from staged_{table.name} as t
        ),
        ranked as (
            select *,
                row_number() over copies as copy_number,
                first_value(content) over copies as kept_content
            from flagged
            window copies as (
                partition by {keys}, failed order by version_at desc nulls last, _row_number desc
            )
        ),
        copies as (
            select *,
                case
                    when failed is not null then failed
                    when copy_number > 1 and content = kept_content then 'duplicate_row'
                    when copy_number > 1 then 'conflicting_duplicate'
                end as copy_reason
            from ranked
        )
        select *,
            coalesce(copy_reason, {double}) as reason,
            case when _load_error is not null then 'line ' || _line_number else {record_key} end as record_key
        from copies
        """
    )


def reference(raw_dir: Path, as_of: date) -> Reference:
    assert set(ORDER) == set(TABLES)
    connection = duckdb.connect()
    connection.execute("set TimeZone = 'UTC'")
    connection.execute(
        f"""
        create table codes as
        select distinct vocabulary, {value_key("spelling")} as value_key, display_value as code
        from read_csv('{PROJECT}/seeds/label_synonyms.csv', all_varchar = true)
        union
        select 'currency', lower(currency_code), currency_code
        from read_csv('{PROJECT}/seeds/fx_rates.csv', all_varchar = true)
        """
    )
    connection.execute(
        "create table cutoffs as select distinct metric, cast(scale_min as bigint) as scale_min,"
        " cast(scale_max as bigint) as scale_max, cast(higher_is_better as boolean) as higher_is_better"
        f" from read_csv('{PROJECT}/seeds/scale_cutoffs.csv', all_varchar = true)"
    )
    seeded = {
        vocabulary for (vocabulary,) in connection.execute("select distinct vocabulary from codes").fetchall()
    }
    found = Reference(Counter(), Counter(), Counter(), Counter())
    for name in ORDER:
        table = TABLES[name]
        stage(connection, landing(raw_dir), table, seeded)
        check(connection, table, as_of)
        rows = connection.execute(
            f"select record_key, reason, fired, _load_error from checked_{name} where reason is not null"
        ).fetchall()
        found.quarantine.update((name, key, reason) for key, reason, _, _ in rows)
        found.fired.update(
            (name, reason, fired) for _, reason, fired, load_error in rows if load_error is None
        )
        for column in table.columns:
            if column.references and column.missing_parent == "orphan":
                parent = TABLES[column.references]
                found.orphans.update(
                    (name, key, column.name, missing)
                    for key, missing in connection.execute(
                        f"select record_key, {column.name} from checked_{name} where reason is null"
                        f" and {column.name} not in (select {parent.key[0]} from checked_{parent.name}"
                        " where reason is null)"
                    ).fetchall()
                )
            if column.vocabulary in seeded:
                found.new_values.update(
                    (name, column.name, spelling)
                    for (spelling,) in connection.execute(
                        f"select distinct {column.name}__text from staged_{name}"
                        f" where {column.name}__text is not null and not {column.name}__known"
                    ).fetchall()
                )
    connection.close()
    return found
