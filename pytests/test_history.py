"""History (docs/history.md), with real dbt builds on two nights: the first builds the warehouse, the second
reuses its database (as a night reuses the last published one) after the CRM moved one account to another
industry and deleted another. The snapshots then hold two versions of each, the NPS by segment (reported "as
was") does not change, and the answers' "as is" attributes follow the move.
"""

from __future__ import annotations

import csv
import io
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path

import pytest

from conftest import GENERATED_DATA_VARS
from cx_warehouse.generator.dataset import generate
from cx_warehouse.runtime.project import BuildSettings, load_raw, run_dbt
from cx_warehouse.runtime.warehouse import connect

ACCOUNTS = 80
SEED = 23
FIRST_NIGHT = date(2026, 9, 29)
SECOND_NIGHT = FIRST_NIGHT + timedelta(days=1)
BEGINNING_OF_TIME = datetime(1900, 1, 1)
END_OF_TIME = datetime(9999, 12, 31)


@dataclass
class Nights:
    first: dict[str, list[tuple]]
    second: dict[str, list[tuple]]
    database: Path
    moved: str
    old_industry: str
    new_industry: str
    deleted: str


def _query(database: Path, sql: str, parameters: list | None = None) -> list[tuple]:
    with connect(database) as connection:
        return connection.execute(sql, parameters or []).fetchall()


def _snapshot_of_night(database: Path) -> dict[str, list[tuple]]:
    """What the test compares between the nights: the NPS mart and the NPS answers per as-is industry."""
    return {
        "mart_nps_by_segment": _query(database, "select * from mart_nps_by_segment order by all"),
        "nps_answers_by_industry_as_is": _query(
            database,
            """
            select accounts.industry_as_is, count(*) as answers
            from fct_survey_answers as answers
            inner join dim_survey_questions as questions on answers.question_id = questions.question_id
            inner join prep_survey_responses__accounts as accounts
                on answers.response_id = accounts.response_id
            where questions.metric = 'nps' and answers.score is not null
            group by accounts.industry_as_is
            order by all
            """,
        ),
    }


def _clean_account_lines(accounts_csv: Path) -> dict[str, tuple[int, list[str]]]:
    """Accounts written on exactly one well-formed line of the export: account_id -> (line index, fields)."""
    lines = accounts_csv.read_bytes().split(b"\n")
    header = lines[0].decode().split(",")
    found: dict[str, list[tuple[int, list[str]]]] = {}
    for index, raw in enumerate(lines[1:], start=1):
        try:
            fields = next(csv.reader(io.StringIO(raw.decode("utf-8"))), [])
        except (UnicodeDecodeError, csv.Error):
            continue
        if fields:
            found.setdefault(fields[0], []).append((index, fields if len(fields) == len(header) else []))
    return {key: rows[0] for key, rows in found.items() if len(rows) == 1 and rows[0][1]}


def _rewrite_accounts(accounts_csv: Path, replaced: dict[int, list[str] | None]) -> None:
    """The export with lines replaced by new fields (None deletes the line)."""
    lines = accounts_csv.read_bytes().split(b"\n")
    kept = []
    for index, raw in enumerate(lines):
        if index not in replaced:
            kept.append(raw)
        elif replaced[index] is not None:
            text = io.StringIO()
            csv.writer(text, lineterminator="").writerow(replaced[index])
            kept.append(text.getvalue().encode("utf-8") + (b"\r" if raw.endswith(b"\r") else b""))
    accounts_csv.write_bytes(b"\n".join(kept))


@pytest.fixture(scope="module")
def nights(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Nights]:
    root = tmp_path_factory.mktemp("history")
    with pytest.MonkeyPatch.context() as patch:
        # Own dbt target and log folders: other builds of the project may run at the same time.
        patch.setenv("DBT_TARGET_PATH", str(root / "target"))
        patch.setenv("DBT_LOG_PATH", str(root / "logs"))
        raw_first = root / "raw_first"
        generate(accounts=ACCOUNTS, seed=SEED, out_dir=raw_first, end_date=FIRST_NIGHT, progress=False)
        database = root / "warehouse.duckdb"

        first = BuildSettings(raw_first, database, "csv", FIRST_NIGHT, GENERATED_DATA_VARS)
        load_raw(first)
        run_dbt(["seed", "--full-refresh"], first)
        run_dbt(["build", "--exclude", "test_type:unit"], first)
        first_figures = _snapshot_of_night(database)

        # The CRM moves the account with the most NPS answers to another industry, and deletes another
        # account that has answers.
        clean = _clean_account_lines(raw_first / "accounts.csv")
        by_answers = [
            account_id
            for (account_id,) in _query(
                database,
                """
                select responses.account_id
                from fct_survey_answers as answers
                inner join dim_survey_questions as questions on answers.question_id = questions.question_id
                inner join fct_survey_responses as responses on answers.response_id = responses.response_id
                where questions.metric = 'nps' and answers.score is not null
                group by responses.account_id
                order by count(*) desc, responses.account_id
                """,
            )
            if account_id in clean
        ]
        moved, deleted = by_answers[0], by_answers[1]
        industry_column = 2
        moved_line, moved_fields = clean[moved]
        old_industry = moved_fields[industry_column]
        new_industry = sorted(
            {fields[industry_column].strip().lower() for _, fields in clean.values()}
            - {old_industry.strip().lower(), ""}
        )[0]
        raw_second = root / "raw_second"
        shutil.copytree(raw_first, raw_second)
        _rewrite_accounts(
            raw_second / "accounts.csv",
            {
                moved_line: [
                    *moved_fields[:industry_column],
                    new_industry,
                    *moved_fields[industry_column + 1 :],
                ],
                clean[deleted][0]: None,
            },
        )

        second = BuildSettings(raw_second, database, "csv", SECOND_NIGHT, GENERATED_DATA_VARS)
        load_raw(second)
        run_dbt(["seed", "--full-refresh"], second)
        run_dbt(["build", "--exclude", "test_type:unit"], second)
        yield Nights(
            first_figures,
            _snapshot_of_night(database),
            database,
            moved,
            old_industry,
            new_industry,
            deleted,
        )


def _label(database: Path, vocabulary: str, value: str) -> str:
    """The display label of a raw value (int_label_values), as the dimensions show it."""
    rows = _query(
        database,
        "select display_value from int_label_values where vocabulary = ? and value_key = lower(trim(?))",
        [vocabulary, value],
    )
    assert rows, f"no label for {vocabulary} {value!r}"
    return rows[0][0]


def test_the_snapshot_holds_both_versions_of_the_moved_account(nights: Nights) -> None:
    versions = _query(
        nights.database,
        "select industry, dbt_valid_from, dbt_valid_to, dbt_is_deleted from snap_accounts"
        " where account_id = ? order by dbt_valid_from",
        [nights.moved],
    )
    assert [row[0] for row in versions] == [nights.old_industry, nights.new_industry]
    (_, first_from, first_to, _), (_, second_from, second_to, _) = versions
    assert first_from.date() == FIRST_NIGHT
    assert first_to == second_from, "the first version ends where the second starts"
    assert second_from.date() == SECOND_NIGHT, "a version starts on the as-of day of the night that saw it"
    assert second_to == END_OF_TIME
    assert {row[3] for row in versions} == {"False"}


def test_the_history_opens_the_first_version_at_the_beginning_of_time(nights: Nights) -> None:
    versions = _query(
        nights.database,
        "select version_number, valid_from, valid_to, is_current, is_deleted, industry"
        " from dim_accounts__history where account_id = ? order by version_number",
        [nights.moved],
    )
    snapshot_second_from = _query(
        nights.database,
        "select max(dbt_valid_from) from snap_accounts where account_id = ?",
        [nights.moved],
    )[0][0]
    old_label = _label(nights.database, "industry", nights.old_industry)
    new_label = _label(nights.database, "industry", nights.new_industry)
    assert versions == [
        (1, BEGINNING_OF_TIME, snapshot_second_from, False, False, old_label),
        (2, snapshot_second_from, END_OF_TIME, True, False, new_label),
    ]
    # Every other account still has one version, valid for all time.
    assert _query(
        nights.database,
        "select count(*) from dim_accounts__history where account_id not in (?, ?)"
        " and not (version_number = 1 and valid_from = ? and valid_to = ? and is_current)",
        [nights.moved, nights.deleted, BEGINNING_OF_TIME, END_OF_TIME],
    ) == [(0,)]


def test_a_deleted_account_keeps_its_last_attributes_in_a_deleted_version(nights: Nights) -> None:
    versions = _query(
        nights.database,
        "select version_number, is_current, is_deleted,"
        " industry, tier, region, employee_band, account_manager"
        " from dim_accounts__history where account_id = ? order by version_number",
        [nights.deleted],
    )
    assert [row[:3] for row in versions] == [(1, False, False), (2, True, True)]
    assert versions[0][3:] == versions[1][3:]
    # As is, the account is now an inferred member of dim_accounts (the export lacks it).
    assert _query(
        nights.database, "select is_inferred_member, industry from dim_accounts where account_id = ?",
        [nights.deleted],
    ) == [(True, "unknown")]  # fmt: skip


def test_the_nps_by_segment_as_was_is_unchanged_by_the_move(nights: Nights) -> None:
    assert nights.first["mart_nps_by_segment"], "the first night's mart is empty"
    assert nights.second["mart_nps_by_segment"] == nights.first["mart_nps_by_segment"]


def test_the_as_is_view_moves_the_accounts_answers(nights: Nights) -> None:
    moved_answers = _query(
        nights.database,
        """
        select accounts.industry_as_was, accounts.industry_as_is, count(*)
        from fct_survey_answers as answers
        inner join dim_survey_questions as questions on answers.question_id = questions.question_id
        inner join prep_survey_responses__accounts as accounts
                on answers.response_id = accounts.response_id
        where questions.metric = 'nps' and answers.score is not null and accounts.account_id = ?
        group by all
        """,
        [nights.moved],
    )
    old_label = _label(nights.database, "industry", nights.old_industry)
    new_label = _label(nights.database, "industry", nights.new_industry)
    assert len(moved_answers) == 1
    was, is_now, count = moved_answers[0]
    assert (was, is_now) == (old_label, new_label)
    before = dict(nights.first["nps_answers_by_industry_as_is"])
    after = dict(nights.second["nps_answers_by_industry_as_is"])
    assert after[new_label] == before.get(new_label, 0) + count
    assert after.get(old_label, 0) <= before[old_label] - count  # the deleted account may also leave it


def test_a_night_without_changes_adds_no_version(nights: Nights, tmp_path: Path,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:  # fmt: skip
    monkeypatch.setenv("DBT_TARGET_PATH", str(tmp_path / "target"))
    monkeypatch.setenv("DBT_LOG_PATH", str(tmp_path / "logs"))
    database = tmp_path / "rerun.duckdb"
    shutil.copy(nights.database, database)
    raw_second = nights.database.parent / "raw_second"
    rerun = BuildSettings(raw_second, database, "csv", SECOND_NIGHT, GENERATED_DATA_VARS)
    load_raw(rerun)
    counted = "select count(*) from {}"
    before = [_query(database, counted.format(name)) for name in ("snap_accounts", "snap_contracts")]
    run_dbt(["snapshot"], rerun)
    after = [_query(database, counted.format(name)) for name in ("snap_accounts", "snap_contracts")]
    assert after == before


# ----------------------------------------------------------------------- the hand-written export, two nights

FIXTURE = Path(__file__).resolve().parents[1] / "tests" / "fixtures" / "exports" / "crm_own_labels"
FIXTURE_AS_OF = date(2024, 7, 15)  # as in test_exports.py: the last complete quarter is Q2 2024
Q2_2024 = date(2024, 4, 1)


def _nps_by_tier(database: Path, tier_column: str | None = None) -> dict[str, tuple[int, float]]:
    """Q2 2024 NPS per tier: the mart's (as was), or summed by hand over the answers per response's
    tier_column of prep_survey_responses__accounts."""
    if tier_column is None:
        rows = _query(
            database,
            "select segment_value, responses, nps from mart_nps_by_segment"
            " where period_grain = 'quarter' and period_start = ? and segment_dimension = 'tier'",
            [Q2_2024],
        )
    else:
        rows = _query(
            database,
            f"""
            select
                accounts.{tier_column},
                count(*),
                (sum(answers.is_positive) - sum(answers.is_negative)) * 100.0 / count(*)
            from fct_survey_answers as answers
            inner join dim_survey_questions as questions on answers.question_id = questions.question_id
            inner join prep_survey_responses__accounts as accounts
                on answers.response_id = accounts.response_id
            where questions.metric = 'nps' and answers.score is not null
                and answers.submitted_month >= ? and answers.submitted_month < ?
            group by accounts.{tier_column}
            """,
            [Q2_2024, date(2024, 7, 1)],
        )
    return {tier: (responses, round(nps, 6)) for tier, responses, nps in rows}


def test_the_hand_worked_export_keeps_its_tiers_as_was(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """crm_own_labels' README, "History": A4 moves from Growth to Key Account on the second night."""
    monkeypatch.setenv("DBT_TARGET_PATH", str(tmp_path / "target"))
    monkeypatch.setenv("DBT_LOG_PATH", str(tmp_path / "logs"))
    database = tmp_path / "fixture.duckdb"
    first = BuildSettings(FIXTURE, database, "csv", FIXTURE_AS_OF)
    load_raw(first)
    run_dbt(["--quiet", "seed", "--full-refresh"], first)
    run_dbt(["--quiet", "build", "--exclude", "test_type:unit"], first)
    as_was_before = _nps_by_tier(database)
    assert as_was_before == {
        "Key Account": (4, 25.0), "Growth": (2, 0.0), "Self-serve": (1, 100.0), "unknown": (1, 0.0),
    }  # fmt: skip

    moved = tmp_path / "export"
    shutil.copytree(FIXTURE, moved)
    accounts = (moved / "accounts.csv").read_text(encoding="utf-8")
    a4 = "A4,Kodehuset ApS,Computer Software,1-49,Nordics,DK,Growth,"
    assert a4 in accounts
    (moved / "accounts.csv").write_text(
        accounts.replace(a4, a4.replace(",Growth,", ",Key Account,")), encoding="utf-8"
    )
    second = BuildSettings(moved, database, "csv", FIXTURE_AS_OF + timedelta(days=1))
    load_raw(second)
    run_dbt(["--quiet", "seed", "--full-refresh"], second)
    run_dbt(["--quiet", "build", "--exclude", "test_type:unit"], second)

    assert _nps_by_tier(database) == as_was_before
    assert _nps_by_tier(database, "tier_as_was") == as_was_before
    assert _nps_by_tier(database, "tier_as_is") == {
        "Key Account": (5, 0.0), "Growth": (1, 100.0), "Self-serve": (1, 100.0), "unknown": (1, 0.0),
    }  # fmt: skip
