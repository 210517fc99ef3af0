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
import re
import shutil
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
from cx_warehouse.runtime.warehouse import connect

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
    """`cxw build` of one fixture export (or of the export at an absolute path) into `database`, in this
    process, with its own dbt folders."""
    stdout, stderr = io.StringIO(), io.StringIO()
    arguments = ["build", "--raw-dir", str(FIXTURES / export), "--database", str(database),
                 "--as-of", AS_OF.isoformat(), *options]  # fmt: skip
    with pytest.MonkeyPatch.context() as monkeypatch, redirect_stdout(stdout), redirect_stderr(stderr):
        monkeypatch.setenv("DBT_TARGET_PATH", str(work / "dbt_target"))
        monkeypatch.setenv("DBT_LOG_PATH", str(work / "dbt_logs"))
        code = main(arguments)
    return Run(code, stdout.getvalue(), stderr.getvalue())


def marts(database: Path) -> dict[str, list[tuple]]:
    """Every mart, fact and dimension of a warehouse, sorted rows, read from a fresh read-only connection.
    The history models (`*__history`) are left out: they record every night that was published, so they
    rightly differ between a warehouse that saw other exports in between and one that did not."""
    with connect(database) as connection:
        names = [
            row[0]
            for row in connection.execute(
                "select table_name from information_schema.tables where table_type = 'BASE TABLE'"
                " and (table_name like 'mart_%' or table_name like 'fct_%' or table_name like 'dim_%')"
                " and not suffix(table_name, '__history')"
            ).fetchall()
        ]
        return {
            name: sorted(connection.execute(f'select * from "{name}"').fetchall(), key=repr) for name in names
        }


def parquet_marts(database: Path) -> dict[str, list[tuple]]:
    """Every Parquet file under <db>.parquet/current, sorted rows."""
    current = Night(database).parquet_root / "current"
    with duckdb.connect() as connection:
        return {
            path.stem: sorted(connection.execute(f"select * from '{path}'").fetchall(), key=repr)
            for path in sorted(current.glob("*.parquet"))
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
    with connect(published) as connection:
        assert connection.execute(NPS_Q2_ALL).fetchone() == (8, 25.0)
        # The staging views read the night's own landing folder, which is kept.
        assert connection.execute("select count(*) from stg_survey__answers").fetchone()[0] > 0


def test_the_published_warehouse_is_readable_by_the_duckdb_bi_tools_embed(published: Path) -> None:
    """The profile's storage_compatibility_version reaches the published file (docs/bi-access.md): a first
    night leaves the working copy for dbt to create, rather than creating it in DuckDB 2.0's own format."""
    with connect(published) as connection:
        tags = connection.execute("select tags from duckdb_databases() where path = ?", [str(published)])
        assert tags.fetchone()[0]["storage_version"] == "v1.4.0+"


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
    reader = connect(published)  # a BI tool holding the file all night
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
    with connect(Night(published).failed) as failed:
        reasons = failed.execute(
            "select quarantine_reason, count(*) from fct_quarantined_rows"
            " where source_table = 'survey_answers' group by all order by all"
        ).fetchall()
    assert reasons == [("out_of_scale", 1), ("unparseable_value", 8)]


def start_night(export: str, database: Path, work: Path, *wrapper: str) -> subprocess.Popen:
    """`cxw build` of a fixture export in a process of its own (run by `wrapper`, a python -c script, when
    given), its dbt log in work/l/dbt.log."""
    environment = {**os.environ, "DBT_TARGET_PATH": str(work / "t"), "DBT_LOG_PATH": str(work / "l")}
    arguments = ["build", "--raw-dir", str(FIXTURES / export),
                 "--database", str(database), "--as-of", AS_OF.isoformat()]  # fmt: skip
    program = [*wrapper] if wrapper else ["-m", "cx_warehouse.runtime.cli"]
    return subprocess.Popen(
        [sys.executable, *program, *arguments],
        env=environment,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def kill_when_logged(process: subprocess.Popen, dbt_log: Path, pattern: str) -> None:
    """SIGKILL the night as soon as its dbt log matches `pattern` (a regular expression)."""
    deadline = time.monotonic() + 180
    while time.monotonic() < deadline and process.poll() is None:
        text = dbt_log.read_text(encoding="utf-8", errors="replace") if dbt_log.exists() else ""
        if re.search(pattern, text):
            break
        time.sleep(0.05)
    assert process.poll() is None, f"the night ended before its log showed {pattern!r}"
    process.send_signal(signal.SIGKILL)
    process.wait()


def assert_next_night_starts_cleanly(published: Path, tmp_path: Path, before: dict) -> None:
    """The kernel released the lock, and the next night starts from the published warehouse: the same
    export (crm_own_labels, night 1's) publishes the same marts."""
    run = cxw_build("crm_own_labels", published, tmp_path / "next")
    assert run.code == 0, run.stderr
    assert marts(published) == before
    night = Night(published)
    assert not night.working.exists()
    # The Parquet link points at the night just published.
    published_night = (night.landing_root / "published").read_text(encoding="utf-8")
    assert (night.parquet_root / "current").resolve().name == published_night


@pytest.mark.parametrize(
    "moment, pattern",
    [
        ("during seed", r"START seed file"),
        ("after a dimension", r"OK created sql \w+ model core\.dim_accounts"),
        ("during a mart", r"START sql \w+ model marts\.mart_"),
    ],
)
def test_a_killed_night_leaves_the_published_warehouse_as_it_was(
    published: Path, tmp_path: Path, moment: str, pattern: str
) -> None:
    before, parquet_before = marts(published), parquet_marts(published)
    process = start_night("survey_tool_new_values", published, tmp_path)
    kill_when_logged(process, tmp_path / "l" / "dbt.log", pattern)
    assert Night(published).working.exists(), moment
    assert marts(published) == before
    assert parquet_marts(published) == parquet_before
    assert_next_night_starts_cleanly(published, tmp_path, before)


#: Runs `cxw` with runtime.publish.<function> replaced by one that SIGKILLs the process before or after
#: calling the real one: argv[1] function, argv[2] 'before' or 'after', the rest cxw's arguments.
KILLED_IN_PUBLISH = """
import os, signal, sys
from cx_warehouse.runtime import publish
real = getattr(publish, sys.argv[1])
def killed(*args, **kwargs):
    if sys.argv[2] == "after":
        real(*args, **kwargs)
    os.kill(os.getpid(), signal.SIGKILL)
setattr(publish, sys.argv[1], killed)
from cx_warehouse.runtime.cli import main
sys.exit(main(sys.argv[3:]))
"""


def test_a_night_killed_in_publish_before_the_switch_leaves_everything_as_it_was(
    published: Path, tmp_path: Path
) -> None:
    before, parquet_before = marts(published), parquet_marts(published)
    wrapper = ["-c", KILLED_IN_PUBLISH, "_export_schema", "after"]
    process = start_night("survey_tool_new_values", published, tmp_path, *wrapper)
    assert process.wait(timeout=300) == -signal.SIGKILL
    assert marts(published) == before
    assert parquet_marts(published) == parquet_before
    assert_next_night_starts_cleanly(published, tmp_path, before)


def test_a_night_killed_between_the_database_and_parquet_switches_is_repaired_by_the_next(
    published: Path, tmp_path: Path
) -> None:
    """The two renames are not one: a kill between them publishes the database but leaves `current`
    on the previous night's Parquet files, until the next night switches both."""
    before, parquet_before = marts(published), parquet_marts(published)
    wrapper = ["-c", KILLED_IN_PUBLISH, "_point_current", "before"]
    process = start_night("survey_tool_new_values", published, tmp_path, *wrapper)
    assert process.wait(timeout=300) == -signal.SIGKILL
    with connect(published) as connection:
        assert connection.execute(NPS_Q2_ALL).fetchone() == (6, 50.0)
    assert parquet_marts(published) == parquet_before
    assert_next_night_starts_cleanly(published, tmp_path, before)
    assert parquet_marts(published) == parquet_before


def test_a_reader_keeps_the_night_it_opened_and_a_new_reader_sees_the_new_one(
    published: Path, tmp_path: Path
) -> None:
    reader = connect(published)
    try:
        run = cxw_build("survey_tool_new_values", published, tmp_path, "--full-refresh")
        assert run.code == 0, run.stderr
        assert reader.execute(NPS_Q2_ALL).fetchone() == (8, 25.0)
        assert reader.execute("select count(*) from stg_survey__answers").fetchone()[0] > 0
    finally:
        reader.close()
    with connect(published) as connection:
        assert connection.execute(NPS_Q2_ALL).fetchone() == (6, 50.0)
        # A full refresh starts from the published copy: the accounts' history keeps night 1's versions.
        history = connection.execute(
            "select version_number, industry from dim_accounts__history where account_id = 'A1'"
            " order by version_number"
        ).fetchall()
    assert len(history) >= 2 and history[0][1] != history[-1][1]
    # This night's landing folder and the previous published night's are kept, no other.
    assert len(list(Night(published).landing_root.glob("night-*"))) == 2
    assert cxw_build("crm_own_labels", published, tmp_path / "restore").code == 0


def export_copy(tmp_path: Path, export: str) -> Path:
    """A copy of a fixture export to spoil."""
    return Path(shutil.copytree(FIXTURES / export, tmp_path / export))


def test_a_corrupt_input_file_stops_the_night_before_anything_is_built(
    published: Path, tmp_path: Path
) -> None:
    before = marts(published)
    export = export_copy(tmp_path, "crm_own_labels")
    (export / "accounts.csv").write_bytes(bytes(range(256)) * 12)  # binary where a CSV should be
    run = cxw_build(str(export), published, tmp_path)
    assert run.code == 2
    assert f"{export / 'accounts.csv'} line 1: no column of table accounts in the header" in run.stderr
    assert "Traceback" not in run.stderr + run.stdout
    assert marts(published) == before


def test_a_table_full_of_garbage_fails_the_night_and_names_it(published: Path, tmp_path: Path) -> None:
    before = marts(published)
    export = export_copy(tmp_path, "crm_own_labels")
    header = (export / "survey_answers.csv").read_text(encoding="utf-8").splitlines()[0]
    rows = [",".join(f"#{row}?{column}" for column in range(header.count(",") + 1)) for row in range(40)]
    (export / "survey_answers.csv").write_text("\n".join([header, *rows]) + "\n", encoding="utf-8")
    run = cxw_build(str(export), published, tmp_path)
    assert run.code == 1
    assert "survey_answers: 100.0 % of rows quarantined" in run.stderr
    assert marts(published) == before


def test_nights_back_to_back_publish_each_export_and_the_same_export_gives_the_same_marts(
    published: Path, tmp_path: Path
) -> None:
    """crm_own_labels, survey_tool_new_values, a failing night, crm_own_labels again: each published night
    shows its own export's figures (worked out in their READMEs), the failing one changes nothing, and the
    last equals the first (incremental nights over changed exports end where a night of that export began)."""
    first = marts(published)
    nights = [("survey_tool_new_values", 0, (6, 50.0)), ("mostly_bad_scores", 1, (6, 50.0)),
              ("crm_own_labels", 0, (8, 25.0))]  # fmt: skip
    for number, (export, code, nps) in enumerate(nights):
        run = cxw_build(export, published, tmp_path / str(number))
        assert run.code == code, run.stderr
        with connect(published) as connection:
            assert connection.execute(NPS_Q2_ALL).fetchone() == nps, export
    assert marts(published) == first


def test_a_response_deleted_from_the_export_leaves_the_next_incremental_night(
    published: Path, tmp_path: Path
) -> None:
    """crm_own_labels' README, "The next night, with R7 deleted": R7 was the only response of 2024-06-11 and
    of June 2024."""
    export = export_copy(tmp_path, "crm_own_labels")
    for table, column in (("survey_responses", 0), ("survey_answers", 0)):
        path = export / f"{table}.csv"
        lines = path.read_text(encoding="utf-8").splitlines()
        kept = [line for line in lines if line.split(",")[column] != "R7"]
        assert len(kept) == len(lines) - 1
        path.write_text("\n".join(kept) + "\n", encoding="utf-8")
    run = cxw_build(str(export), published, tmp_path / "incremental")
    assert run.code == 0, run.stderr
    with connect(published) as connection:
        responses, nps = connection.execute(NPS_Q2_ALL).fetchone()
        june = connection.execute(
            "select count(*) from mart_nps_by_segment"
            " where period_grain = 'month' and period_start = date '2024-06-01'"
        ).fetchone()[0]
        unknown = connection.execute(
            "select count(*) from mart_nps_by_segment where period_grain = 'quarter'"
            " and period_start = date '2024-04-01' and segment_value = 'unknown'"
            " and segment_dimension in ('tier', 'industry')"
        ).fetchone()[0]
    assert (responses, june, unknown) == (7, 0, 0)
    assert nps == pytest.approx(200 / 7)
    incremental = marts(published)
    full = tmp_path / "full" / "cx.duckdb"
    assert cxw_build(str(export), full, tmp_path / "full").code == 0
    assert marts(full) == incremental
    assert cxw_build("crm_own_labels", published, tmp_path / "restore").code == 0
