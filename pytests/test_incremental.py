"""The incremental build (docs/incremental.md), with real dbt runs: a night's run on one new day of data gives
exactly the warehouse a full refresh gives, running it again changes nothing, and it really is incremental.

Yesterday's export is today's generated data cut back to the end of yesterday
(cx_warehouse.benchmark.nightly): rows created today are missing from it, and tickets and cases answered,
solved or closed today are still open.
"""

from __future__ import annotations

import math
import re
import shutil
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

import duckdb
import pandas as pd
import pytest

from conftest import GENERATED_DATA_VARS
from cx_warehouse.benchmark.nightly import cut_raw_to_day
from cx_warehouse.generator.dataset import generate
from cx_warehouse.runtime.project import BuildSettings, load_raw, run_dbt
from cx_warehouse.runtime.warehouse import connect

ACCOUNTS = 150
SEED = 11
TODAY = date(2026, 9, 30)
YESTERDAY = TODAY - timedelta(days=1)
INCREMENTAL_MODELS = (
    "int_survey_invitations__checked",
    "int_survey_responses__checked",
    "int_survey_answers__checked",
    "int_support_tickets__checked",
    "int_feedback_cases__checked",
    "fct_survey_responses",
    "fct_survey_answers",
)
# Old rows changed behind dbt's back, in a column that no change detection looks at: a run that rebuilt the
# whole table (a plain table model) would put the original value back. table -> (column, row filter).
TAMPERED = {
    "int_survey_responses__checked": ("quarantine_detail", "response_id = '{response_id}'"),
    "fct_survey_responses": ("invitation_id", "response_id = '{response_id}'"),
    "int_survey_answers__checked": ("answer_text", "response_id = '{response_id}'"),
    "fct_survey_answers": ("answer_text", "response_id = '{response_id}'"),
    "int_survey_invitations__checked": ("channel", "invitation_id = '{invitation_id}'"),
    "int_support_tickets__checked": ("category", "ticket_id = '{ticket_id}'"),
}
TAMPER_VALUE = "changed by test_incremental"
# The filter an incremental run puts on a model's input: its partition column and the days it rebuilds.
PARTITION_FILTER = re.compile(
    r"(partition_date|submitted_date) in \(((?:cast\('[\d-]+' as date\)(?:, )?)+)\)"
)


@dataclass
class Nightly:
    """Yesterday's and today's raw files, the incremental warehouse (yesterday's build, then tonight's
    incremental build on today's files) and a full refresh on today's files."""

    raw_today: Path
    raw_yesterday: Path
    incremental: BuildSettings
    full_refresh: BuildSettings
    yesterday_quarantine: pd.DataFrame
    tonight_compiled_sql: dict[str, str]


@pytest.fixture(scope="module")
def nightly(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Nightly]:
    root = tmp_path_factory.mktemp("nightly")
    with pytest.MonkeyPatch.context() as patch:
        # Own dbt target and log folders: other builds of the project may run at the same time.
        patch.setenv("DBT_TARGET_PATH", str(root / "target"))
        patch.setenv("DBT_LOG_PATH", str(root / "logs"))
        raw_today = root / "raw_today"
        generate(accounts=ACCOUNTS, seed=SEED, out_dir=raw_today, end_date=TODAY, progress=False)
        raw_yesterday = root / "raw_yesterday"
        cut_raw_to_day(raw_today, raw_yesterday, YESTERDAY)

        yesterday = BuildSettings(
            raw_yesterday, root / "incremental.duckdb", "csv", YESTERDAY, GENERATED_DATA_VARS
        )
        load_raw(yesterday)
        run_dbt(["seed"], yesterday)
        run_dbt(["run"], yesterday)
        yesterday_quarantine = _query(
            yesterday.database, "select source_table, record_key, quarantine_reason from fct_quarantined_rows"
        )

        # Tonight: the incremental build, with every data test (the unit tests do not depend on the data).
        tonight = BuildSettings(raw_today, yesterday.database, "csv", TODAY, GENERATED_DATA_VARS)
        load_raw(tonight)
        result = run_dbt(["build", "--exclude", "test_type:unit"], tonight)
        compiled = {
            node.node.name: node.node.compiled_code
            for node in result.result
            if node.node.resource_type == "model" and node.node.name in INCREMENTAL_MODELS
        }

        full_refresh = BuildSettings(
            raw_today, root / "full_refresh.duckdb", "csv", TODAY, GENERATED_DATA_VARS
        )
        load_raw(full_refresh)
        run_dbt(["seed"], full_refresh)
        run_dbt(["run", "--full-refresh"], full_refresh)
        yield Nightly(raw_today, raw_yesterday, tonight, full_refresh, yesterday_quarantine, compiled)


def _query(database: Path, sql: str) -> pd.DataFrame:
    with connect(database) as connection:
        return connection.execute(sql).df()


#: A row's position in the export (its row and line number) belongs to the night's file: a row of a day that
#: tonight does not rebuild keeps the position it had when its day was last built (docs/incremental.md).
POSITION_COLUMNS = ("source_row_number", "source_line_number")


#: The snapshots (docs/history.md) record when each night ran, and a `dbt run` builds none: test_history.py
#: checks them. The history models built from them are compared like every other table.
SNAPSHOTS = ("snap_accounts", "snap_contracts")


def _all_tables(database: Path) -> dict[str, list[tuple]]:
    """Every table of the warehouse but the snapshots, by name (names are unique across the layers' schemas),
    all rows (positions in the export aside), ordered by all columns."""
    tables = {}
    with connect(database) as connection:
        names = connection.execute(
            "select schema_name, table_name from duckdb_tables() order by schema_name, table_name"
        ).fetchall()
        for schema, name in names:
            if name in SNAPSHOTS:
                continue
            columns = connection.execute(
                "select column_name, data_type from duckdb_columns() "
                "where schema_name = ? and table_name = ? order by column_index",
                [schema, name],
            ).fetchall()
            columns = [(column, data_type) for column, data_type in columns if column not in POSITION_COLUMNS]
            # Floating-point columns last: sums may differ in the last bits between two builds, but rows
            # that tie on every other column are row-level data whose floats are exact.
            inexact = [column for column, data_type in columns if data_type in ("DOUBLE", "FLOAT")]
            exact = [column for column, _ in columns if column not in inexact]
            order = ", ".join(f"{column} nulls first" for column in exact + inexact)
            selected = ", ".join(column for column, _ in columns)
            tables[name] = connection.execute(
                f"select {selected} from {schema}.{name} order by {order}"
            ).fetchall()
    assert len(tables) > 40, sorted(tables)
    return tables


def _same_value(left: object, right: object) -> bool:
    """Equal, floats up to summation order (a parallel sum adds in any order)."""
    if isinstance(left, float) and isinstance(right, float):
        return math.isclose(left, right, rel_tol=1e-12, abs_tol=1e-9)
    return left == right


def _differences(left: dict[str, list[tuple]], right: dict[str, list[tuple]]) -> list[str]:
    """The tables whose rows differ, with the first differing row."""
    problems = []
    if sorted(left) != sorted(right):
        problems.append(f"tables differ: {sorted(set(left) ^ set(right))}")
    for name in sorted(set(left) & set(right)):
        if len(left[name]) != len(right[name]):
            problems.append(f"{name}: {len(left[name])} rows against {len(right[name])}")
            continue
        for row_left, row_right in zip(left[name], right[name], strict=True):
            if len(row_left) != len(row_right) or not all(map(_same_value, row_left, row_right)):
                problems.append(f"{name}: {row_left} against {row_right}")
                break
    return problems


def test_yesterdays_cut_lacks_todays_rows_and_updates(nightly: Nightly) -> None:
    """The comparison below is only worth something if tonight brings new rows and updated rows."""

    def rows(raw: Path, table: str) -> pd.DataFrame:
        """The readable rows of a raw CSV (the generator also writes lines the loader quarantines)."""
        return pd.read_csv(
            raw / f"{table}.csv",
            dtype=str,
            keep_default_na=False,
            on_bad_lines="skip",
            encoding_errors="replace",
        )

    for table in ("survey_invitations", "survey_responses", "survey_answers", "support_tickets"):
        assert len(rows(nightly.raw_yesterday, table)) < len(rows(nightly.raw_today, table)), table
    today = rows(nightly.raw_today, "support_tickets").set_index("ticket_id")
    yesterday = rows(nightly.raw_yesterday, "support_tickets").drop_duplicates("ticket_id")
    yesterday = yesterday.set_index("ticket_id")
    today = today[~today.index.duplicated()].loc[yesterday.index]
    solved_today = (yesterday.solved_at == "") & (today.solved_at != "")
    assert solved_today.any(), "no ticket open yesterday is solved today"
    assert (today.loc[solved_today, "solved_at"].str[:10] >= YESTERDAY.isoformat()).all()


def test_yesterdays_build_quarantines_exactly_the_cut_manifest(nightly: Nightly) -> None:
    expected = pd.read_csv(nightly.raw_yesterday / "_expected_quarantine.csv", dtype=str)
    assert len(expected) > 0
    assert "future_timestamp" in set(expected.reason_code), "the 2099 rows must be in yesterday's export too"
    quarantined = nightly.yesterday_quarantine
    assert Counter(map(tuple, quarantined.to_numpy())) == Counter(map(tuple, expected.to_numpy()))


def test_incremental_run_gives_the_same_warehouse_as_a_full_refresh(nightly: Nightly) -> None:
    incremental = _all_tables(nightly.incremental.database)
    full_refresh = _all_tables(nightly.full_refresh.database)
    for name in (
        *INCREMENTAL_MODELS,
        "fct_quarantined_rows",
        "mart_raw_reconciliation",
        "mart_nps_by_segment",
    ):
        assert full_refresh.get(name), f"{name} is missing or empty"
    assert _differences(incremental, full_refresh) == []


def test_tonights_run_rebuilt_only_some_partitions(nightly: Nightly) -> None:
    """Each incremental model's SQL tonight held the list of partitions it rebuilt: the undated one and few
    others. A model built as a plain table would have no such list."""
    assert sorted(nightly.tonight_compiled_sql) == sorted(INCREMENTAL_MODELS)
    for name, sql in nightly.tonight_compiled_sql.items():
        found = PARTITION_FILTER.search(sql)
        assert found, f"{name} was not built incrementally"
        rebuilt = re.findall(r"\d{4}-\d{2}-\d{2}", found.group(2))
        column = "partition_date" if name.startswith("int_") else "submitted_date"
        stored = _query(nightly.full_refresh.database, f"select count(distinct {column}) as days from {name}")
        assert "1900-01-01" in rebuilt, f"{name} did not rebuild the undated partition"
        assert TODAY.isoformat() in rebuilt or name == "int_feedback_cases__checked", name
        assert len(rebuilt) < stored.days[0] / 4, f"{name} rebuilt {len(rebuilt)} of {stored.days[0]} days"


def _rerun_of_tonight(nightly: Nightly, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> BuildSettings:
    """A copy of tonight's incremental warehouse, its export loaded again, ready for the same night's run."""
    monkeypatch.setenv("DBT_TARGET_PATH", str(tmp_path / "target"))
    monkeypatch.setenv("DBT_LOG_PATH", str(tmp_path / "logs"))
    rerun = BuildSettings(
        nightly.raw_today,
        tmp_path / "rerun.duckdb",
        "csv",
        nightly.incremental.as_of_date,
        GENERATED_DATA_VARS,
    )
    shutil.copy(nightly.incremental.database, rerun.database)
    load_raw(rerun)
    return rerun


def test_rerunning_the_night_changes_nothing_and_leaves_old_partitions_alone(
    nightly: Nightly, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    rerun = _rerun_of_tonight(nightly, tmp_path, monkeypatch)
    with connect(rerun.database, read_only=False) as connection:
        keys = {
            "response_id": connection.execute(
                "select response_id from fct_survey_answers order by submitted_date, response_id limit 1"
            ).fetchone()[0],
            "invitation_id": _oldest_valid(connection, "int_survey_invitations__checked", "invitation_id"),
            "ticket_id": _oldest_valid(connection, "int_support_tickets__checked", "ticket_id"),
        }
        for table, (column, where) in TAMPERED.items():
            changed = connection.execute(
                f"update {table} set {column} = ? where {where.format(**keys)}", [TAMPER_VALUE]
            ).fetchone()[0]
            assert changed > 0, table
    # The tampered values reach the tables built in full from them (comments, survey health read these
    # columns), so the first run carries them there; a second run must then change nothing.
    run_dbt(["run"], rerun)
    before = _all_tables(rerun.database)

    run_dbt(["run"], rerun)

    after = _all_tables(rerun.database)
    assert _differences(after, before) == []
    for table, (column, where) in TAMPERED.items():
        values = _query(rerun.database, f"select {column} from {table} where {where.format(**keys)}")
        assert (values[column] == TAMPER_VALUE).all(), f"{table} was rebuilt beyond the nightly partitions"


# Copies a survey fact stores from its dimensions, changed on an old row behind dbt's back: the fact compares
# its stored copies with the dimensions every night (docs/incremental.md), so the night must rebuild that day.
STALE_COPIES = {
    "fct_survey_responses": ("account_id", "'ACC-MOVED'"),
    "fct_survey_answers": ("score_category", "'stale'"),
}


def test_a_stored_copy_that_no_longer_matches_its_dimension_is_rebuilt(
    nightly: Nightly, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    rerun = _rerun_of_tonight(nightly, tmp_path, monkeypatch)
    with connect(rerun.database, read_only=False) as connection:
        response_id, oldest_day = connection.execute(
            "select response_id, submitted_date from fct_survey_answers where score_category is not null"
            " order by submitted_date, response_id limit 1"
        ).fetchone()
        for table, (column, stale) in STALE_COPIES.items():
            changed = connection.execute(
                f"update {table} set {column} = {stale} where response_id = ?", [response_id]
            ).fetchone()[0]
            assert changed > 0, table
    assert oldest_day < TODAY - timedelta(days=30), "the tampered day must lie far outside the look-back"

    run_dbt(["run"], rerun)

    assert _differences(_all_tables(rerun.database), _all_tables(nightly.full_refresh.database)) == []


def _oldest_valid(connection: duckdb.DuckDBPyConnection, table: str, key: str) -> str:
    """The key of the valid row in the table's earliest partition: far outside tonight's look-back."""
    return connection.execute(
        f"select {key} from {table} where quarantine_reason is null order by partition_date, {key} limit 1"
    ).fetchone()[0]


def test_a_day_whose_rows_left_the_export_is_emptied(
    nightly: Nightly, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Tonight's export again, without every response of one old day (deleted in the survey tool): their
    answers lose their response and go to the undated partition, and the day is left with no row in the
    checked responses and answers and in both facts. The night must empty that day everywhere, as a full
    refresh of the same export would."""
    with connect(nightly.incremental.database) as connection:
        day, response_ids = connection.execute(
            "select submitted_date, list(response_id) from fct_survey_responses"
            " where submitted_date < ? group by submitted_date order by count(*), submitted_date limit 1",
            [TODAY - timedelta(days=60)],
        ).fetchone()
    raw = tmp_path / "raw"
    shutil.copytree(nightly.raw_today, raw)
    responses = raw / "survey_responses.csv"
    lines = responses.read_bytes().split(b"\n")
    kept = [line for line in lines if not any(key.encode() in line for key in response_ids)]
    assert len(lines) - len(kept) == len(response_ids)
    responses.write_bytes(b"\n".join(kept))

    monkeypatch.setenv("DBT_TARGET_PATH", str(tmp_path / "target"))
    monkeypatch.setenv("DBT_LOG_PATH", str(tmp_path / "logs"))
    as_of = nightly.incremental.as_of_date
    incremental = BuildSettings(raw, tmp_path / "incremental.duckdb", "csv", as_of, GENERATED_DATA_VARS)
    shutil.copy(nightly.incremental.database, incremental.database)
    load_raw(incremental)
    run_dbt(["run"], incremental)
    full_refresh = BuildSettings(raw, tmp_path / "full.duckdb", "csv", as_of, GENERATED_DATA_VARS)
    load_raw(full_refresh)
    run_dbt(["seed"], full_refresh)
    run_dbt(["run", "--full-refresh"], full_refresh)

    emptied = _query(
        incremental.database,
        f"select count(*) as rows from fct_survey_responses where submitted_date = date '{day}'",
    )
    assert emptied["rows"].iloc[0] == 0
    assert _differences(_all_tables(incremental.database), _all_tables(full_refresh.database)) == []
