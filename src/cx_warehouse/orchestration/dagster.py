"""The nightly build as a Dagster job: the night of `cxw nightly`, one asset per step, the dbt models as
dagster-dbt assets (pip install -e ".[orchestration]").

    dagster dev -m cx_warehouse.orchestration.dagster
    dagster job execute -m cx_warehouse.orchestration.dagster -j cx_warehouse_nightly -c night.yaml

Job cx_warehouse_nightly, in the order of the CLI's night (runtime.night, runtime.publish):
  resource `night`      holds the warehouse's night lock for the whole run (hence the in-process executor)
  night_working_copy    makes the working copy <db>.building (a copy of the published warehouse)
  <source>/<table>      the export loaded into the night's landing folder, one asset per raw table, and its
                        freshness judged at the end of the as-of day
  dbt models and seeds  `dbt seed --full-refresh`, then `dbt build` into the working copy with the CLI's vars;
                        dbt's data and unit tests are the assets' checks
  data_quality          the great-expectations suite over the marts, the data-quality findings and the
                        headline figures (night.check_expectations, night.check_data_quality)
  published_warehouse   the working copy switched in atomically (Night.publish)
A night that fails at any step publishes nothing: the run fails, the published warehouse is unchanged and a
failed build is kept in <db>.failed, as with the CLI. A run that publishes or fails ends with its run record
in <db>.runs/ with cxw's exit code (runtime.run_record); one ended by a bug ends in its traceback, and a run
of some of the assets that neither fails nor publishes writes none.

Configuration is the resource `night` (WarehouseNight): raw_dir (default: environment variable CXW_RAW_DIR),
database, as_of_date, dbt_vars and the loader's options, set in the run config under resources.night.config.
The schedule cx_warehouse_nightly_schedule runs the job at 02:00 UTC.

dagster-dbt reads the project's manifest: loading this module runs `dbt parse` into target/dagster (the
models as the checkout has them; nothing is downloaded). dbt runs as a subprocess: the `dbt` beside this
Python, else the one on PATH.
"""

import json
import os
import shutil
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace
from datetime import date
from pathlib import Path
from typing import Any

import dagster as dg
from dagster_dbt import DagsterDbtTranslator, DbtCliInvocation, DbtCliResource, DbtProject, dbt_assets
from pydantic import Field, PrivateAttr

from cx_warehouse.runtime.load import REPORT_NAME
from cx_warehouse.runtime.night import (
    EXIT_CODES,
    NIGHT_FAILURES,
    BuildFailed,
    check_data_quality,
    check_expectations,
    check_freshness,
    drop_stale,
    exit_code,
)
from cx_warehouse.runtime.project import BuildSettings, DbtFailed, default_database, load_raw, project_dir
from cx_warehouse.runtime.publish import Night, NightRunning, night_lock
from cx_warehouse.runtime.run_record import RunRecord

JOB_NAME = "cx_warehouse_nightly"
#: The steps (run record names) a night passes before it publishes, those of `cxw nightly`.
_NIGHT_STEPS = ("prepare", "load", "freshness", "seed", "build", "expectations", "data_quality")


def _dbt_executable() -> str:
    """The dbt of this Python's environment (a virtualenv's bin folder need not be on PATH), else `dbt`."""
    beside = Path(sys.executable).with_name("dbt")
    return str(beside) if beside.is_file() else (shutil.which("dbt") or "dbt")


DBT_EXECUTABLE = _dbt_executable()
DBT_PROJECT = DbtProject(project_dir(), target_path=Path("target") / "dagster")


def prepare_manifest(project: DbtProject = DBT_PROJECT) -> Path:
    """Write the project's manifest.json with `dbt parse` into project.target_path; returns its path.
    Raises dagster_dbt's DagsterDbtCliRuntimeError when the project does not parse."""
    DbtCliResource(project_dir=project, dbt_executable=DBT_EXECUTABLE).cli(
        ["parse", "--quiet"], target_path=project.target_path
    ).wait()
    return project.manifest_path


class WarehouseNight(dg.ConfigurableResource):
    """One night's build of the warehouse at `database`: its settings, and for the length of a run its lock,
    working copy and run record. Yielded by yield_for_execution, which raises NightRunning when another build
    of the same warehouse holds the lock (its run record says so, exit code 3)."""

    raw_dir: str = Field(description="Folder of the raw export: one <table>.csv or .parquet per table.")
    database: str = Field(
        default="", description="Published DuckDB file (default: target/cx_warehouse.duckdb)"
    )
    as_of_date: str = Field(default="", description="The build's 'today', YYYY-MM-DD (default: today, UTC)")
    raw_format: str = Field(default="auto", description="File type of the raw tables: auto, csv or parquet.")
    reporting_time_zone: str = Field(default="UTC", description="IANA zone of the reporting calendar.")
    load_options: dict[str, str] = Field(
        default_factory=dict, description="Loader options for every file, e.g. {delimiter: ';'}."
    )
    dbt_vars: dict[str, Any] = Field(
        default_factory=dict, description="dbt vars of dbt_project.yml, e.g. {quarantine_error_pct: 20}."
    )
    full_refresh: bool = Field(default=False, description="Rebuild the incremental models from all raw rows.")

    _night: Night | None = PrivateAttr(default=None)
    _record: RunRecord | None = PrivateAttr(default=None)
    _working: BuildSettings | None = PrivateAttr(default=None)
    _error: BaseException | None = PrivateAttr(default=None)

    def settings(self) -> BuildSettings:
        """The build's settings for the published warehouse, as `cxw build` makes them from its options."""
        return BuildSettings(
            Path(self.raw_dir),
            Path(self.database) if self.database else default_database(),
            self.raw_format,
            date.fromisoformat(self.as_of_date) if self.as_of_date else None,
            extra_vars=dict(self.dbt_vars),
            load_options=dict(self.load_options),
            reporting_time_zone=self.reporting_time_zone,
        )

    @contextmanager
    def yield_for_execution(self, context: dg.InitResourceContext) -> Iterator["WarehouseNight"]:
        settings = self.settings()
        night = Night(settings.database)
        self._night, self._error = night, None
        self._record = RunRecord(settings.database, settings.as_of_date)
        self._working = replace(settings, database=night.working, landing=night.landing)
        try:
            with night_lock(night):
                try:
                    yield self
                finally:
                    self._end(context.log)
        except NightRunning as error:
            context.log.error(f"Run record: {self._record.write(exit_code(error), error)}")
            raise

    def _end(self, log) -> None:
        """After the run: keep a failed build as <db>.failed and write the run record, as the CLI does."""
        night, record, error = self._night, self._record, self._error
        if error is not None:
            if isinstance(error, NIGHT_FAILURES):
                night.keep_failed()
                log.error(
                    f"Not published: {night.published} is as it was; the build is kept in {night.failed}"
                )
            log.info(f"Run record: {record.write(exit_code(error), error)}")
        elif record.published:
            log.info(f"Run record: {record.write(0, None)}")

    @property
    def night(self) -> Night:
        """The files of this run's night (runtime.publish)."""
        if self._night is None:
            raise RuntimeError("WarehouseNight is used outside a run")
        return self._night

    @property
    def record(self) -> RunRecord:
        """This run's run record."""
        if self._record is None:
            raise RuntimeError("WarehouseNight is used outside a run")
        return self._record

    @property
    def working(self) -> BuildSettings:
        """The settings of this night's build: its working copy and its own landing folder."""
        if self._working is None:
            raise RuntimeError("WarehouseNight is used outside a run")
        return self._working

    @contextmanager
    def step(self, name: str | None) -> Iterator[None]:
        """Run one step of the night, timed in the run record as `name` (None: not timed); an error that ends
        a night (night.EXIT_CODES) is kept for the run record and raised on."""
        try:
            if name is None:
                yield
            else:
                with self.record.step(name):
                    yield
        except tuple(EXIT_CODES) as error:
            self._error = error
            raise


@dg.asset(description="The night's working copy of the warehouse (<db>.building), from the published one.")
def night_working_copy(night: WarehouseNight) -> dg.MaterializeResult:
    """Night.prepare. Raises DatabaseInUse when another program holds the working copy open."""
    with night.step("prepare"):
        night.night.prepare()
    return dg.MaterializeResult(metadata={"path": str(night.night.working)})


def _landing_specs(project: DbtProject) -> list[dg.AssetSpec]:
    """One asset per dbt source (raw table), keyed as dagster-dbt keys the models' dependencies on them."""
    manifest = json.loads(project.manifest_path.read_text(encoding="utf-8"))
    translator = DagsterDbtTranslator()
    return [
        dg.AssetSpec(
            translator.get_asset_spec(manifest, unique_id, project).key,
            deps=[night_working_copy],
            description=f"Raw table {source['name']} as the loader writes it to the night's landing folder.",
            group_name="landing",
            metadata={"raw_table": source["name"]},
        )
        for unique_id, source in sorted(manifest["sources"].items())
    ]


def _landing_assets(project: DbtProject) -> dg.AssetsDefinition:
    @dg.multi_asset(name="landing_files", specs=_landing_specs(project))
    def landing_files(context: dg.AssetExecutionContext, night: WarehouseNight) -> Iterator:
        """Load the raw export into the night's landing folder (runtime.load) and judge its freshness at
        the end of the as-of day (`dbt source freshness`). Raises RawExportError when an export file cannot
        be read, StaleSources when a raw table is older than its freshness error threshold."""
        with night.step("load"):
            report = load_raw(night.working)
        with night.step("freshness"):
            check_freshness(night.working, night.record, ("--quiet",))
        for spec in context.assets_def.specs:
            load = report.tables[spec.metadata["raw_table"]]
            yield dg.MaterializeResult(
                asset_key=spec.key,
                metadata={
                    "rows": load.rows,
                    "malformed_lines": load.malformed_lines,
                    "undecodable_rows": load.undecodable_rows,
                    "file": str(load.file),
                    "load_report": str(night.working.landing_dir / REPORT_NAME),
                },
            )

    return landing_files


@contextmanager
def _profile_database(database: Path) -> Iterator[None]:
    """profiles.yml's DuckDB path (CXW_DUCKDB_PATH) set to `database` for the dbt subprocesses."""
    before = os.environ.get("CXW_DUCKDB_PATH")
    os.environ["CXW_DUCKDB_PATH"] = str(database.resolve())
    try:
        yield
    finally:
        if before is None:
            os.environ.pop("CXW_DUCKDB_PATH", None)
        else:
            os.environ["CXW_DUCKDB_PATH"] = before


def _dbt_failed(invocation: DbtCliInvocation, command: str) -> DbtFailed:
    """DbtFailed naming the nodes that failed (dbt's count of failing rows for a test), as run_dbt does."""
    try:
        results = invocation.get_artifact("run_results.json")["results"]
    except OSError:  # dbt did not get as far as running anything
        return DbtFailed(f"dbt {command} failed: {invocation.get_error()}")
    failed = [
        f"{result['unique_id'].split('.')[-1]} ({result['status']}"
        f"{' ' + str(result['failures']) if result.get('failures') else ''})"
        for result in results
        if result["status"] in ("fail", "error")
    ]
    return DbtFailed(f"dbt {command} failed: {', '.join(failed) or 'see the dbt output in the run logs'}")


def _dbt_target(command: str) -> Path:
    """The target folder of one dbt command of the night (DBT_TARGET_PATH, else target/), replaced nightly."""
    return Path(os.environ.get("DBT_TARGET_PATH", "target")) / "dagster-night" / command


def _dbt_models(project: DbtProject) -> dg.AssetsDefinition:
    @dbt_assets(manifest=project.manifest_path, project=project, name="cx_warehouse_dbt")
    def cx_warehouse_dbt(context: dg.AssetExecutionContext, dbt: DbtCliResource, night: WarehouseNight):
        """`dbt seed --full-refresh`, then `dbt build` (every model, data test and unit test) into the
        working copy, with the vars `cxw build` passes (BuildSettings.dbt_vars). Raises DbtFailed when a seed
        fails; BuildFailed, naming the data-quality errors or else the failed dbt nodes, when dbt build fails
        (night.check_data_quality, as the CLI)."""
        working = night.working
        variables = ["--vars", json.dumps(working.dbt_vars())]
        refresh = ["--full-refresh"] if night.full_refresh else []
        with _profile_database(working.database):
            # The seeds' events come from dbt build, which builds them again (and runs their tests).
            with night.step("seed"):
                seed = dbt.cli(["seed", "--full-refresh", *variables], context=context, raise_on_error=False,
                               target_path=_dbt_target("seed")).wait()  # fmt: skip
                if not seed.is_successful():
                    raise _dbt_failed(seed, "seed")
            failure = None
            try:
                with night.record.step("build"):
                    build = dbt.cli(["build", *refresh, *variables], context=context, raise_on_error=False,
                                    target_path=_dbt_target("build"))  # fmt: skip
                    yield from build.stream()
                    if not build.is_successful():
                        raise _dbt_failed(build, "build")
                    drop_stale(working, project_dir() / _dbt_target("build") / "manifest.json")
            except DbtFailed as error:
                failure = error
        if failure is not None:
            with night.step(None):
                check_data_quality(working, night.record, failure)

    return cx_warehouse_dbt


def _data_quality(dbt_models: dg.AssetsDefinition) -> dg.AssetsDefinition:
    @dg.asset(deps=[dbt_models], description="The night's data-quality findings and headline figures.")
    def data_quality(night: WarehouseNight) -> dg.MaterializeResult:
        """The great-expectations suite over the working copy's marts, then the data-quality findings and the
        headline into the run record (runtime.night, as `cxw nightly`). Raises BuildFailed when an
        expectation fails or a data-quality threshold is exceeded."""
        with night.step("expectations"):
            failure = check_expectations(night.working, night.record)
        with night.step(None):
            check_data_quality(night.working, night.record, failure)
        headline = night.record.headline or {}
        return dg.MaterializeResult(
            metadata={
                "tables": night.record.tables,
                "quarter_start": str(headline.get("quarter_start")),
                "nps": headline.get("nps"),
                "nps_responses": headline.get("nps_responses"),
            }
        )

    return data_quality


@dg.asset(deps=["data_quality"], description="The warehouse BI tools read, switched in atomically.")
def published_warehouse(night: WarehouseNight) -> dg.MaterializeResult:
    """Night.publish: the working copy replaces the published warehouse in one rename. Raises BuildFailed,
    publishing nothing, unless every step of the night passed in this run (a run of some of the assets)."""
    with night.step("publish"):
        passed = {step["name"] for step in night.record.steps if step["status"] == "ok"}
        missing = [name for name in _NIGHT_STEPS if name not in passed]
        if missing:
            raise BuildFailed(f"not published: this run did not pass {', '.join(missing)}; run the whole job")
        night.night.publish()
    night.record.published = True
    return dg.MaterializeResult(metadata={"path": str(night.night.published)})


def definitions(night: WarehouseNight, project: DbtProject = DBT_PROJECT) -> dg.Definitions:
    """The assets, the job cx_warehouse_nightly (every asset, in one process: the night's lock is held by
    it), its nightly schedule and the resources, with `night` as the night's configuration. Needs the
    project's manifest (prepare_manifest)."""
    dbt_models = _dbt_models(project)
    assets = [night_working_copy, _landing_assets(project), dbt_models, _data_quality(dbt_models),
              published_warehouse]  # fmt: skip
    job = dg.define_asset_job(
        JOB_NAME,
        selection=dg.AssetSelection.all(),
        executor_def=dg.in_process_executor,
        description="The nightly build of the warehouse, as `cxw nightly`.",
    )
    schedule = dg.ScheduleDefinition(
        name=f"{JOB_NAME}_schedule", job=job, cron_schedule="0 2 * * *", execution_timezone="UTC"
    )
    resources = {"night": night, "dbt": DbtCliResource(project_dir=project, dbt_executable=DBT_EXECUTABLE)}
    return dg.Definitions(assets=assets, jobs=[job], schedules=[schedule], resources=resources)


prepare_manifest()
defs = definitions(WarehouseNight(raw_dir=dg.EnvVar("CXW_RAW_DIR")))
