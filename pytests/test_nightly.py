"""`cxw nightly` end to end, run as a scheduler runs it (its own process, no terminal) and as a person on a
terminal does: freshness judged at the end of the as-of day, the build with its tests, the great-expectations
checkpoint, publishing (DuckDB and Parquet), the run record and the log.

The first night builds the generated data set (conftest) under no terminal and must print nothing; the second
night runs the same export on a pseudo-terminal and shows its progress; the stale night is a hand-written
export whose responses end in June 2024, judged at the end of 2024-07-15.
"""

from __future__ import annotations

import json
import os
import pty
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pytest

from conftest import END_DATE, GENERATED_DATA_VARS, float_tolerant_key, same_rows
from cx_warehouse.runtime.publish import Night
from cx_warehouse.runtime.raw_contract import raw_tables
from cx_warehouse.runtime.warehouse import BI_SCHEMA, connect

FIXTURES = Path(__file__).resolve().parents[1] / "tests" / "fixtures" / "exports"
STEPS = ["prepare", "load", "freshness", "seed", "build", "expectations", "data_quality", "publish"]


@dataclass(frozen=True)
class NightRun:
    code: int
    stdout: str
    stderr: str
    record: dict


def nightly_command(raw_dir: Path, database: Path, as_of: str) -> list[str]:
    variables = [f"--var={name}={value}" for name, value in GENERATED_DATA_VARS.items()]
    return [sys.executable, "-m", "cx_warehouse.runtime.cli", "nightly", "--raw-dir", str(raw_dir),
            "--database", str(database), "--as-of", as_of, *variables]  # fmt: skip


def environment(work: Path) -> dict[str, str]:
    return {**os.environ, "DBT_TARGET_PATH": str(work / "t"), "DBT_LOG_PATH": str(work / "l")}


def latest_record(database: Path) -> dict:
    return json.loads((database.with_name(database.name + ".runs") / "latest.json").read_text())


def run_scheduled(raw_dir: Path, database: Path, as_of: str, work: Path) -> NightRun:
    """A night as cron runs it: its own process, stdout and stderr captured (no terminal)."""
    done = subprocess.run(
        nightly_command(raw_dir, database, as_of), env=environment(work), capture_output=True, text=True
    )
    return NightRun(done.returncode, done.stdout, done.stderr, latest_record(database))


def run_on_terminal(raw_dir: Path, database: Path, as_of: str, work: Path) -> tuple[int, str]:
    """A night run by a person: stdout and stderr on a pseudo-terminal; returns its exit code and what the
    terminal showed."""
    controller, terminal = pty.openpty()
    process = subprocess.Popen(
        nightly_command(raw_dir, database, as_of), env=environment(work), stdout=terminal, stderr=terminal
    )
    os.close(terminal)
    shown = bytearray()
    while True:
        try:
            chunk = os.read(controller, 65536)
        except OSError:  # the terminal closed: the process ended
            break
        if not chunk:
            break
        shown += chunk
    os.close(controller)
    return process.wait(), shown.decode("utf-8", "replace")


@pytest.fixture(scope="module")
def first_night(raw_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, NightRun]:
    work = tmp_path_factory.mktemp("nightly")
    database = work / "cx.duckdb"
    return database, run_scheduled(raw_dir, database, END_DATE.isoformat(), work)


def marts(database: Path) -> dict[str, list[tuple]]:
    with connect(database) as connection:
        names = connection.execute(
            "select table_name from duckdb_tables() where schema_name = ? order by 1", [BI_SCHEMA]
        ).fetchall()
        return {
            name: sorted(
                connection.execute(f"select * from {BI_SCHEMA}.{name}").fetchall(), key=float_tolerant_key
            )
            for (name,) in names
        }


def test_a_scheduled_night_that_passes_prints_nothing(first_night: tuple[Path, NightRun]) -> None:
    database, night = first_night
    assert (night.code, night.stdout, night.stderr) == (0, "", "")
    assert database.is_file()


def test_the_run_record_has_every_step_the_checks_and_the_row_counts(
    first_night: tuple[Path, NightRun],
) -> None:
    database, night = first_night
    record = night.record
    assert (record["exit_code"], record["published"], record["error"]) == (0, True, None)
    assert [step["name"] for step in record["steps"]] == STEPS
    assert set(record["freshness"]) == set(raw_tables())
    assert {verdict["status"] for verdict in record["freshness"].values()} <= {"pass", "warn"}
    assert record["expectations"] and all(mart["success"] for mart in record["expectations"].values())
    assert record["nodes"]["build"].get("fail", 0) == record["nodes"]["build"].get("error", 0) == 0
    assert record["marts"] == {name: len(rows) for name, rows in marts(database).items()}
    assert set(record["tables"]) == set(raw_tables())
    log = Path(record["log"]).read_text(encoding="utf-8")
    assert f"Published: {database}" in log and "Data quality" in log


def test_the_marts_are_published_as_parquet_equal_to_the_database(first_night: tuple[Path, NightRun]) -> None:
    database, _ = first_night
    current = Night(database).parquet_root / "current"
    assert current.resolve().is_absolute() and current.resolve().parent == Night(database).parquet_root
    assert (current.parent / "current.txt").read_text() == str(current.resolve())
    with duckdb.connect() as connection:
        files = {
            path.stem: sorted(
                connection.execute(f"select * from '{path}'").fetchall(), key=float_tolerant_key
            )
            for path in current.glob("*.parquet")
        }
    assert files == marts(database)


def test_a_night_on_a_terminal_shows_its_progress_and_publishes_the_same_marts(
    first_night: tuple[Path, NightRun], raw_dir: Path, tmp_path: Path
) -> None:
    database, _ = first_night
    before = marts(database)
    code, shown = run_on_terminal(raw_dir, database, END_DATE.isoformat(), tmp_path)
    assert code == 0, shown
    for step in STEPS:
        assert f"[{step}]" in shown
    assert " nodes " in shown and f"published {database}" in shown
    assert "Data quality" in shown and "Log: " in shown
    after = marts(database)  # the same export, again: the same marts
    assert set(after) == set(before)
    assert [name for name in after if not same_rows(after[name], before[name])] == []


def test_a_stale_export_stops_the_night_with_exit_code_4_and_says_which_table(
    first_night: tuple[Path, NightRun], tmp_path: Path
) -> None:
    database, _ = first_night
    before = marts(database)
    night = run_scheduled(FIXTURES / "crm_own_labels", database, "2024-07-15", tmp_path)
    assert night.code == 4
    assert night.stdout == ""
    assert "cxw: stale raw tables (older than their freshness error threshold at the end of 2024-07-15)" in (
        night.stderr
    )
    assert "survey_responses (newest row 2024-06-11 08:05:00+00:00)" in night.stderr
    assert "; not published, the night's log is " in night.stderr
    assert (night.record["exit_code"], night.record["published"]) == (4, False)
    assert [step["name"] for step in night.record["steps"]] == ["prepare", "load", "freshness"]
    assert marts(database) == before
