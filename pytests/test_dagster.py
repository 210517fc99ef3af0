"""The nightly Dagster job (cx_warehouse.orchestration.dagster), materialised in process on the generated test
data set: a night publishes the same marts as `cxw build` of the same data, with its run record; a night that
fails a data-quality threshold fails the run and leaves the published warehouse as it was."""

from __future__ import annotations

import hashlib
import io
import json
from contextlib import redirect_stdout
from pathlib import Path

import dagster as dg
import pytest

from conftest import END_DATE, GENERATED_DATA_VARS, float_tolerant_key, same_rows
from cx_warehouse.orchestration import dagster as orchestration
from cx_warehouse.runtime.cli import main
from cx_warehouse.runtime.publish import Night
from cx_warehouse.runtime.warehouse import connect


def run_night(raw_dir: Path, database: Path, dbt_vars: dict):
    """The job cx_warehouse_nightly on `raw_dir` into `database`, in this process; the run's result."""
    night = orchestration.WarehouseNight(raw_dir=str(raw_dir), database=str(database),
                                         as_of_date=END_DATE.isoformat(), dbt_vars=dbt_vars)  # fmt: skip
    job = orchestration.definitions(night).resolve_job_def(orchestration.JOB_NAME)
    return job.execute_in_process(raise_on_error=False)


def tables(database: Path) -> dict[str, list[tuple]]:
    """Every mart, fact and dimension of a warehouse, sorted rows."""
    with connect(database) as connection:
        names = [
            row[0]
            for row in connection.execute(
                "select table_name from information_schema.tables where table_type = 'BASE TABLE'"
                " and (table_name like 'mart_%' or table_name like 'fct_%' or table_name like 'dim_%')"
            ).fetchall()
        ]
        return {
            name: sorted(connection.execute(f'select * from "{name}"').fetchall(), key=float_tolerant_key)
            for name in names
        }


def latest_record(database: Path) -> dict:
    return json.loads(database.with_name(database.name + ".runs").joinpath("latest.json").read_text())


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture(scope="module")
def work(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("dagster")


@pytest.fixture(scope="module")
def night(raw_dir: Path, work: Path):
    """A published night of the job on the generated data set: (the run's result, the warehouse)."""
    database = work / "dagster" / "cx.duckdb"
    with pytest.MonkeyPatch.context() as monkeypatch:
        monkeypatch.setenv("DBT_TARGET_PATH", str(work / "dbt_target"))
        result = run_night(raw_dir, database, dict(GENERATED_DATA_VARS))
    return result, database


def test_a_night_of_the_job_publishes_what_cxw_build_publishes(night, raw_dir: Path, work: Path) -> None:
    result, database = night
    assert result.success
    assert database.is_file() and not Night(database).working.exists()
    cli_database = work / "cli" / "cx.duckdb"
    arguments = ["build", "--raw-dir", str(raw_dir), "--database", str(cli_database),
                 "--as-of", END_DATE.isoformat()]  # fmt: skip
    arguments += [f"--var={name}={value}" for name, value in GENERATED_DATA_VARS.items()]
    with pytest.MonkeyPatch.context() as monkeypatch, redirect_stdout(io.StringIO()):
        monkeypatch.setenv("DBT_TARGET_PATH", str(work / "cli_target"))
        monkeypatch.setenv("DBT_LOG_PATH", str(work / "cli_logs"))
        assert main(arguments) == 0
    published, by_cli = tables(database), tables(cli_database)
    assert published["mart_nps_by_segment"]
    assert published["mart_nps_by_segment"] == by_cli["mart_nps_by_segment"]
    assert set(published) == set(by_cli)
    assert [name for name in published if not same_rows(published[name], by_cli[name])] == []


def test_a_night_of_the_job_writes_its_run_record_and_materialises_every_step(night) -> None:
    result, database = night
    record = latest_record(database)
    assert (record["exit_code"], record["published"], record["error"]) == (0, True, None)
    assert [step["name"] for step in record["steps"]] == [
        "prepare", "load", "freshness", "seed", "build", "expectations", "data_quality", "publish"
    ]  # fmt: skip
    assert record["tables"]["survey_answers"]["raw_rows"] > 0 and record["headline"]["nps_responses"] > 0
    materialised = {event.asset_key.to_user_string() for event in result.get_asset_materialization_events()}
    assert {"night_working_copy", "survey/survey_answers", "marts/mart_nps_by_segment", "data_quality",
            "published_warehouse"} <= materialised  # fmt: skip


def test_a_failed_night_fails_the_run_and_leaves_the_published_warehouse(
    night, raw_dir: Path, work: Path
) -> None:
    # 8.7 % of the generated churn events are quarantined: above an error threshold of 5 %, a dbt test fails.
    _, database = night
    before = digest(database)
    with pytest.MonkeyPatch.context() as monkeypatch:
        monkeypatch.setenv("DBT_TARGET_PATH", str(work / "dbt_target"))
        result = run_night(raw_dir, database, {**GENERATED_DATA_VARS, "quarantine_error_pct": 5})
    assert not result.success
    assert digest(database) == before
    assert Night(database).failed.is_file() and not Night(database).working.exists()
    record = latest_record(database)
    assert (record["exit_code"], record["published"]) == (1, False)
    assert record["error"].startswith("the build found errors: churn_events: 8.7 % of rows quarantined")
    assert "publish" not in [step["name"] for step in record["steps"]]
    assert "published_warehouse" not in {
        event.asset_key.to_user_string() for event in result.get_asset_materialization_events()
    }


def test_a_run_of_only_the_publishing_asset_publishes_nothing(night, raw_dir: Path, work: Path) -> None:
    _, database = night
    before = digest(database)
    settings = orchestration.WarehouseNight(raw_dir=str(raw_dir), database=str(database))
    job = orchestration.definitions(settings).resolve_job_def(orchestration.JOB_NAME)
    only_publish = [dg.AssetKey("published_warehouse")]
    result = job.execute_in_process(raise_on_error=False, asset_selection=only_publish)
    assert not result.success
    assert digest(database) == before
    assert latest_record(database)["error"].startswith("not published: this run did not pass prepare, load")
