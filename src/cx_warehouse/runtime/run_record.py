"""The machine-readable record of one build, for a scheduler or a monitoring job to read after a night.

Every `cxw build` (and `cxw demo`) writes <db>.runs/<start>-<pid>.json and replaces <db>.runs/latest.json
with the same content:
  started_at, finished_at (UTC, ISO 8601), database, as_of (the build's as-of day), exit_code (0 published,
  1 failed, 2 unreadable export, 3 another build running or the working copy held, 4 a stale raw table;
  cxw's exit code; null when the night crashed on a bug or was interrupted, with error naming it),
  published (whether the warehouse was switched in), error (the one-line message, or null), log (the
  night's log file, `cxw nightly` only, or null),
  steps: [{name, status ('ok' or 'failed'), seconds}] in the order they ran (prepare, load, freshness,
  seed, build, expectations, data_quality, publish; freshness and expectations in `cxw nightly` only; a
  failed step is the last),
  tables: {raw table: {raw_rows, quarantined_rows, settled_copies, orphaned_rows, quarantined_pct,
  orphaned_pct}} (percent of raw_rows, as the data-quality thresholds judge them; empty when the build
  stopped before they were counted),
  headline: the figures of the last complete quarter that the build prints (summary.Headline), or null,
  nodes: {dbt command: {status: count}} of the seed and build steps,
  freshness: {raw table: {status (pass, warn, error), max_loaded_at, age_days}} (`cxw nightly` only),
  expectations: {mart: {success, failed: [expectation(column)]}} (`cxw nightly` only),
  marts: {table of the BI schema: rows}.
"""

from __future__ import annotations

import dataclasses
import json
import os
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path

from cx_warehouse.runtime.publish import write_atomically
from cx_warehouse.runtime.summary import DataQuality, Headline
from cx_warehouse.runtime.warehouse import bi_row_counts


@dataclass
class RunRecord:
    """What one build did, filled in as it runs and written by write()."""

    database: Path
    as_of: date
    log: Path | None = None
    started_at: datetime = field(default_factory=lambda: datetime.now(UTC))
    steps: list[dict[str, object]] = field(default_factory=list)
    tables: dict[str, dict[str, object]] = field(default_factory=dict)
    headline: dict[str, object] | None = None
    nodes: dict[str, dict[str, int]] = field(default_factory=dict)
    freshness: dict[str, dict[str, object]] = field(default_factory=dict)
    expectations: dict[str, dict[str, object]] = field(default_factory=dict)
    marts: dict[str, int] = field(default_factory=dict)
    published: bool = False
    exit_code: int | None = None
    error: str | None = None

    @contextmanager
    def step(self, name: str) -> Iterator[None]:
        """Time one step (wall seconds) and record whether it raised; the exception goes on."""
        started = time.monotonic()
        status = "failed"
        try:
            yield
            status = "ok"
        finally:
            self.steps.append(
                {"name": name, "status": status, "seconds": round(time.monotonic() - started, 3)}
            )

    def add_quality(self, quality: DataQuality, headline: Headline, database: Path) -> None:
        """Keep the per-table counts and shares, the headline figures and the row count of each mart of
        the warehouse built at `database`."""
        self.marts = bi_row_counts(database)
        self.tables = {
            table.table: {
                "raw_rows": table.raw_rows,
                "quarantined_rows": table.quarantined_rows,
                "settled_copies": table.settled_copies,
                "orphaned_rows": table.orphaned_rows,
                "quarantined_pct": round(table.quarantined_pct, 4),
                "orphaned_pct": round(table.orphaned_pct, 4),
            }
            for table in quality.tables
        }
        self.headline = dataclasses.asdict(headline)

    @property
    def folder(self) -> Path:
        """<db>.runs, beside the warehouse."""
        return self.database.with_name(self.database.name + ".runs")

    def write(self, exit_code: int | None, error: BaseException | None) -> Path:
        """Write the record with the build's exit code (None: it crashed, on a bug or an interrupt, and has no
        code of cxw's) and error; returns the path of this run's file."""
        self.exit_code = exit_code
        self.error = None if error is None else (str(error) or type(error).__name__)
        content = {
            "started_at": self.started_at.isoformat(),
            "finished_at": datetime.now(UTC).isoformat(),
            "database": str(self.database),
            "as_of": self.as_of.isoformat(),
            "exit_code": self.exit_code,
            "published": self.published,
            "error": self.error,
            "log": str(self.log) if self.log else None,
            "steps": self.steps,
            "tables": self.tables,
            "headline": self.headline,
            "nodes": self.nodes,
            "freshness": self.freshness,
            "expectations": self.expectations,
            "marts": self.marts,
        }
        text = json.dumps(content, indent=2, default=str)
        self.folder.mkdir(parents=True, exist_ok=True)
        path = self.folder / f"{self.started_at:%Y%m%dT%H%M%S}-{os.getpid()}.json"
        path.write_text(text, encoding="utf-8")
        write_atomically(self.folder / "latest.json", text)
        return path
