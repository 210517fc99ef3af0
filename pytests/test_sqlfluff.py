"""The SQL is lint-clean under the committed .sqlfluff (dbt templater)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from cx_warehouse.runtime.project import project_dir


def test_sqlfluff_finds_no_violations(tmp_path: Path) -> None:
    env = {
        **os.environ,
        # The dbt templater opens the profile's database: give it its own so it never waits on a lock.
        "CXW_DUCKDB_PATH": str(tmp_path / "lint.duckdb"),
        "DBT_TARGET_PATH": str(tmp_path / "target"),
    }
    lint = subprocess.run(
        [sys.executable, "-m", "sqlfluff", "lint", "models", "tests/singular", "analyses"],
        cwd=project_dir(),
        env=env,
        capture_output=True,
        text=True,
    )
    assert lint.returncode == 0, lint.stdout[-6000:] + lint.stderr[-2000:]
