"""Where the dbt project lives and how to run dbt on it, in process."""

from __future__ import annotations

import gc
import json
import os
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path


def project_dir() -> Path:
    """The dbt project folder: CXW_PROJECT_DIR, else the checkout this package was installed from."""
    configured = os.environ.get("CXW_PROJECT_DIR")
    candidate = Path(configured) if configured else Path(__file__).resolve().parents[2]
    if not (candidate / "dbt_project.yml").is_file():
        raise SystemExit(
            f"No dbt_project.yml in {candidate}. Install the package from a checkout of the project "
            "(pip install -e .) or set CXW_PROJECT_DIR to the project folder."
        )
    return candidate


def default_database() -> Path:
    return project_dir() / "target" / "cx_warehouse.duckdb"


class DbtFailed(RuntimeError):
    """dbt ran but a model or test failed (or it could not start)."""


@dataclass
class BuildSettings:
    """What a build reads and writes. raw_dir must hold one <table>.<raw_format> file per raw table."""

    raw_dir: Path
    database: Path
    raw_format: str = "csv"
    as_of_date: date | None = None
    extra_vars: dict[str, object] = field(default_factory=dict)

    def dbt_vars(self) -> dict[str, object]:
        variables: dict[str, object] = {"raw_dir": str(self.raw_dir.resolve()), "raw_format": self.raw_format}
        if self.as_of_date is not None:
            variables["as_of_date"] = self.as_of_date.isoformat()
        variables.update(self.extra_vars)
        return variables


def run_dbt(args: list[str], settings: BuildSettings):
    """Run one dbt command on the project, in this process, against settings.database."""
    from dbt.cli.main import dbtRunner  # imported here: it costs seconds, and the generator needs none of it

    root = project_dir()
    settings.database.parent.mkdir(parents=True, exist_ok=True)
    os.environ["CXW_DUCKDB_PATH"] = str(settings.database.resolve())
    try:
        result = dbtRunner().invoke(
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
        detail = f": {result.exception}" if result.exception else "; see the dbt output above"
        raise DbtFailed(f"dbt {' '.join(args)} failed{detail}")
    return result


def _release_database() -> None:
    """dbt-duckdb keeps its DuckDB connection for the life of the process; drop it so that this process
    (or a BI tool) can open the file afterwards, read-only or with another configuration."""
    from dbt.adapters.duckdb.connections import DuckDBConnectionManager

    DuckDBConnectionManager.close_all_connections()
    gc.collect()
