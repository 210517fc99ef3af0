"""Where the dbt project lives and how to run dbt on it, in process."""

from __future__ import annotations

import gc
import json
import os
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path


def project_dir() -> Path:
    """The dbt project folder: CXW_PROJECT_DIR, else the checkout this package was installed from."""
    configured = os.environ.get("CXW_PROJECT_DIR")
    candidate = Path(configured) if configured else Path(__file__).resolve().parents[3]
    if not (candidate / "dbt_project.yml").is_file():
        raise SystemExit(
            f"No dbt_project.yml in {candidate}. Install the package from a checkout of the project "
            "(pip install -e .) or set CXW_PROJECT_DIR to the project folder."
        )
    return candidate


def project_vars() -> dict[str, object]:
    """The vars block of dbt_project.yml: the defaults of every dbt run that does not set them."""
    import yaml

    return dict(yaml.safe_load((project_dir() / "dbt_project.yml").read_text()).get("vars") or {})


def as_of_day(day: date | None = None) -> date:
    """The day a build treats as "today": `day` when given, else the current day in UTC. The Python side of
    dbt macro as_of_day (macros/as_of.sql), which reads the var the CLI always passes."""
    return day if day is not None else datetime.now(UTC).date()


def manifest_path() -> Path:
    """The manifest.json the last dbt command in this project wrote: in DBT_TARGET_PATH when set (relative
    to the project folder), else in target/."""
    return project_dir() / os.environ.get("DBT_TARGET_PATH", "target") / "manifest.json"


def default_database() -> Path:
    """The DuckDB file a build writes unless told otherwise: <project>/target/cx_warehouse.duckdb."""
    return project_dir() / "target" / "cx_warehouse.duckdb"


class DbtFailed(RuntimeError):
    """dbt ran but a model or test failed (or it could not start); result is dbt's result, when it ran."""

    def __init__(self, message: str, result=None):
        super().__init__(message)
        self.result = result


@dataclass
class BuildSettings:
    """What a build reads and writes.

    raw_dir holds one <table>.csv or <table>.parquet per raw table (and optionally raw_options.yml);
    load_raw() reads it into landing_dir, the folder of canonical Parquet files dbt reads, beside the
    database. raw_format ('auto', 'csv' or 'parquet') and load_options (folder-wide options of
    cx_warehouse.runtime.load that win over raw_options.yml's defaults, e.g. {'delimiter': ';'} from the
    command line) say how to read it. reporting_time_zone is the zone of the reporting calendar (dbt var
    reporting_time_zone); timestamps the export writes without an offset are read in it too, unless
    load_options or raw_options.yml give a time_zone. landing, when given, is the landing folder instead of
    <database>.landing (a night's own folder, runtime.publish).
    """

    raw_dir: Path
    database: Path
    raw_format: str = "auto"
    as_of_date: date | None = None
    extra_vars: dict[str, object] = field(default_factory=dict)
    load_options: dict[str, str] = field(default_factory=dict)
    reporting_time_zone: str = "UTC"
    landing: Path | None = None

    def __post_init__(self) -> None:
        # Decided once, so that seed, build and summary of one run agree even across midnight.
        self.as_of_date = as_of_day(self.as_of_date)

    @property
    def landing_dir(self) -> Path:
        """The loader's landing folder: `landing`, else <database>.landing beside the database."""
        return self.landing or self.database.with_name(self.database.name + ".landing")

    def load_defaults(self) -> dict[str, str]:
        """What the build implies for every raw file, below raw_options.yml: the format, and timestamps
        without an offset read in the reporting time zone."""
        return {"format": self.raw_format, "time_zone": self.reporting_time_zone}

    def dbt_vars(self) -> dict[str, object]:
        """The vars every dbt command of the build gets: landing_dir, reporting_time_zone and
        as_of_date (ISO), then extra_vars, which win."""
        variables: dict[str, object] = {
            "landing_dir": str(self.landing_dir.resolve()),
            "reporting_time_zone": self.reporting_time_zone,
        }
        variables["as_of_date"] = self.as_of_date.isoformat()
        variables.update(self.extra_vars)
        return variables


def load_raw(settings: BuildSettings):
    """Read the export folder into the landing folder dbt reads (cx_warehouse.runtime.load); returns the
    LoadReport. Raises cx_warehouse.runtime.load.RawExportError (one line) when a file cannot be read."""
    from cx_warehouse.runtime.load import load_raw_dir, read_options

    options = read_options(settings.raw_dir, settings.load_options, settings.load_defaults())
    return load_raw_dir(settings.raw_dir, settings.landing_dir, options)


def run_dbt(args: list[str], settings: BuildSettings, callbacks: list | None = None):
    """Run one dbt command on the project, in this process, against settings.database; `callbacks` receive
    each of dbt's events (dbtRunner's callbacks). Raises DbtFailed, naming the failed nodes, when the
    command did not succeed."""
    from dbt.cli.main import dbtRunner  # imported here: it costs seconds, and the generator needs none of it

    root = project_dir()
    settings.database.parent.mkdir(parents=True, exist_ok=True)
    os.environ["CXW_DUCKDB_PATH"] = str(settings.database.resolve())
    try:
        result = dbtRunner(callbacks=callbacks or []).invoke(
            [
                *args,
                "--project-dir",
                str(root),
                "--profiles-dir",
                str(root),
                "--vars",
                json.dumps(settings.dbt_vars()),
            ]
        )
    finally:
        _release_database()
    if not result.success:
        raise DbtFailed(f"dbt {' '.join(args)} failed: {_failures(result)}", result)
    return result


def _failures(result) -> str:
    """The nodes that failed, with dbt's count of failing rows for a test ('mart_x has ... (fail 3)')."""
    if result.exception is not None:
        return str(result.exception)
    failed = [
        f"{node.node.name} ({node.status}{' ' + str(node.failures) if node.failures else ''})"
        for node in (result.result or [])
        if str(node.status) in ("fail", "error")
    ]
    return ", ".join(failed) if failed else "see the dbt output above"


def _release_database() -> None:
    """dbt-duckdb keeps its DuckDB connection for the life of the process; drop it so that this process
    (or a BI tool) can open the file afterwards, read-only or with another configuration."""
    from dbt.adapters.duckdb.connections import DuckDBConnectionManager

    DuckDBConnectionManager.close_all_connections()
    gc.collect()
