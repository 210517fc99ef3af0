"""Publishing (runtime.publish) with real `cxw build` runs on hand-written exports: a night builds a working
copy and switches it in only when everything passed; a failed or killed night leaves the published warehouse
exactly as it was, a reader holding the published file keeps reading it and is never in the way, and a second
night is refused while one runs.

Night 1 publishes tests/fixtures/exports/crm_own_labels (NPS Q2 2024, all: 25.0, worked out in its README);
night 2 publishes survey_tool_new_values (NPS Q2 2024, all: 50.0 from 6 answers); the failing night is
mostly_bad_scores, which a data-quality threshold stops (9 of its 11 answers quarantined).
"""

from __future__ import annotations

import io
import json
import os
import signal
import subprocess
import sys
import time
from contextlib import redirect_stderr, redirect_stdout
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import duckdb
import pytest

from cx_warehouse.runtime.cli import main
from cx_warehouse.runtime.publish import Night, night_lock

FIXTURES = Path(__file__).resolve().parents[1] / "tests" / "fixtures" / "exports"
AS_OF = date(2024, 7, 15)
NPS_Q2_ALL = (
    "select responses, nps from mart_nps_by_segment"
    " where period_grain = 'quarter' and period_start = date '2024-04-01' and segment_dimension = 'all'"
)


@dataclass(frozen=True)
class Run:
    code: int
    stdout: str
    stderr: str


def cxw_build(export: str, database: Path, work: Path, *options: str) -> Run:
    """`cxw build` of one fixture export into `database`, in this process, with its own dbt folders."""
    stdout, stderr = io.StringIO(), io.StringIO()
    arguments = ["build", "--raw-dir", str(FIXTURES / export), "--database", str(database),
                 "--as-of", AS_OF.isoformat(), *options]  # fmt: skip
    with pytest.MonkeyPatch.context() as monkeypatch, redirect_stdout(stdout), redirect_stderr(stderr):
        monkeypatch.setenv("DBT_TARGET_PATH", str(work / "dbt_target"))
        monkeypatch.setenv("DBT_LOG_PATH", str(work / "dbt_logs"))
        code = main(arguments)
    return Run(code, stdout.getvalue(), stderr.getvalue())


def marts(database: Path) -> dict[str, list[tuple]]:
    """Every mart and fact of a warehouse, sorted rows, read from a fresh read-only connection."""
    with duckdb.connect(str(database), read_only=True) as connection:
        names = [
            row[0]
            for row in connection.execute(
                "select table_name from information_schema.tables where table_type = 'BASE TABLE'"
                " and (table_name like 'mart_%' or table_name like 'fct_%' or table_name like 'dim_%')"
            ).fetchall()
        ]
        return {
            name: sorted(connection.execute(f'select * from "{name}"').fetchall(), key=repr) for name in names
        }


@pytest.fixture(scope="module")
def published(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A warehouse with night 1 published."""
    work = tmp_path_factory.mktemp("publish")
    database = work / "warehouse" / "cx.duckdb"
    run = cxw_build("crm_own_labels", database, work)
    assert run.code == 0, run.stderr
    assert f"Published: {database}" in run.stdout
    return database


def test_a_published_night_leaves_only_the_warehouse_and_its_landing_folder(published: Path) -> None:
    night = Night(published)
    assert published.is_file()
    assert not night.working.exists() and not night.failed.exists()
    assert [path.name for path in night.landing_root.glob("night-*")] == [
        (night.landing_root / "published").read_text(encoding="utf-8")
    ]
    with duckdb.connect(str(published), read_only=True) as connection:
        assert connection.execute(NPS_Q2_ALL).fetchone() == (8, 25.0)
        # The staging views read the night's own landing folder, which is kept.
        assert connection.execute("select count(*) from stg_survey__answers").fetchone()[0] > 0


def latest_record(database: Path) -> dict:
    folder = database.with_name(database.name + ".runs")
    return json.loads((folder / "latest.json").read_text(encoding="utf-8"))


def test_a_published_night_writes_its_run_record(published: Path) -> None:
    record = latest_record(published)
    assert (record["exit_code"], record["published"], record["error"]) == (0, True, None)
    assert [step["name"] for step in record["steps"]] == [
        "prepare", "load", "seed", "build", "data_quality", "publish"
    ]  # fmt: skip
    assert all(step["status"] == "ok" and step["seconds"] >= 0 for step in record["steps"])
    # crm_own_labels: 11 answers (8 NPS scores, 3 comments), none quarantined (its README).
    assert record["tables"]["survey_answers"]["raw_rows"] == 11
    assert record["tables"]["survey_answers"]["quarantined_pct"] == 0
    assert (record["headline"]["nps"], record["headline"]["nps_responses"]) == (25.0, 8)


def test_a_second_night_is_refused_while_one_runs(published: Path, tmp_path: Path) -> None:
    with night_lock(Night(published)):
        run = cxw_build("crm_own_labels", published, tmp_path)
    assert run.code == 3
    assert f"another build of {published} is running (pid {os.getpid()} on " in run.stderr
    assert "Traceback" not in run.stderr + run.stdout
    record = latest_record(published)
    assert (record["exit_code"], record["published"], record["steps"]) == (3, False, [])


def test_a_failed_night_leaves_the_published_warehouse_as_it_was(published: Path, tmp_path: Path) -> None:
    before = marts(published)
    reader = duckdb.connect(str(published), read_only=True)  # a BI tool holding the file all night
    try:
        run = cxw_build("mostly_bad_scores", published, tmp_path)
        assert reader.execute(NPS_Q2_ALL).fetchone() == (8, 25.0)
    finally:
        reader.close()
    assert run.code == 1
    assert "survey_answers: 81.8 % of rows quarantined" in run.stderr
    assert (
        f"Not published: {published} is as it was; this build is kept in {Night(published).failed}"
        in run.stdout
    )
    assert marts(published) == before
    record = latest_record(published)
    assert (record["exit_code"], record["published"]) == (1, False)
    assert "survey_answers: 81.8 % of rows quarantined" in record["error"]
    assert record["tables"]["survey_answers"]["quarantined_rows"] == 9
    # The failed night's copy shows why: the quarantined scores of mostly_bad_scores.
    with duckdb.connect(str(Night(published).failed), read_only=True) as failed:
        reasons = failed.execute(
            "select quarantine_reason, count(*) from fct_quarantined_rows"
            " where source_table = 'survey_answers' group by all order by all"
        ).fetchall()
    assert reasons == [("out_of_scale", 1), ("unparseable_value", 8)]


def test_a_killed_night_leaves_the_published_warehouse_as_it_was(published: Path, tmp_path: Path) -> None:
    before = marts(published)
    night = Night(published)
    environment = {**os.environ, "DBT_TARGET_PATH": str(tmp_path / "t"), "DBT_LOG_PATH": str(tmp_path / "l")}
    export = str(FIXTURES / "survey_tool_new_values")
    command = [sys.executable, "-m", "cx_warehouse.runtime.cli", "build", "--raw-dir", export,
               "--database", str(published), "--as-of", AS_OF.isoformat()]  # fmt: skip
    process = subprocess.Popen(command, env=environment, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    # Kill it once dbt is building models into the working copy, mid-build.
    dbt_log = tmp_path / "l" / "dbt.log"
    deadline = time.monotonic() + 180
    while time.monotonic() < deadline and process.poll() is None:
        if dbt_log.exists() and "START sql" in dbt_log.read_text(encoding="utf-8", errors="replace"):
            break
        time.sleep(0.1)
    assert process.poll() is None, "the night ended before it could be killed"
    assert night.working.exists()
    process.send_signal(signal.SIGKILL)
    process.wait()

    assert marts(published) == before
    # The kernel released the lock, and the next night starts cleanly from the published warehouse.
    run = cxw_build("crm_own_labels", published, tmp_path)
    assert run.code == 0, run.stderr
    assert marts(published) == before


def test_a_reader_keeps_the_night_it_opened_and_a_new_reader_sees_the_new_one(
    published: Path, tmp_path: Path
) -> None:
    reader = duckdb.connect(str(published), read_only=True)
    try:
        run = cxw_build("survey_tool_new_values", published, tmp_path, "--full-refresh")
        assert run.code == 0, run.stderr
        assert reader.execute(NPS_Q2_ALL).fetchone() == (8, 25.0)
        assert reader.execute("select count(*) from stg_survey__answers").fetchone()[0] > 0
    finally:
        reader.close()
    with duckdb.connect(str(published), read_only=True) as connection:
        assert connection.execute(NPS_Q2_ALL).fetchone() == (6, 50.0)
    # This night's landing folder and the previous published night's are kept, no other.
    assert len(list(Night(published).landing_root.glob("night-*"))) == 2
