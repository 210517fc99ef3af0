"""Publishing a build atomically: a night builds a private working copy of the warehouse and switches it in
only when every step has passed, so BI readers never see a half-built warehouse and are never locked out.

Files beside the published database `<db>` (e.g. target/cx_warehouse.duckdb):
  <db>.lock      held (flock) by the running night, with its pid and start time; a second night is refused
  <db>.building  the working copy: a copy of the last published warehouse (so incremental models stay
                 incremental and the snapshots keep their history); removed and made again by every night
  <db>.failed    the last failed night's working copy, kept for inspection; the published file is unchanged
  <db>.landing/night-<start>-<pid>/   the loader's files each night's staging views read; the published
                 night's and the previously published night's folders are kept (a reader may still hold the
                 previous warehouse); `published` in <db>.landing names the published night's folder
  <db>.parquet/night-<start>-<pid>/<mart>.parquet   every table of the BI schema (marts) of a published
                 night, for BI tools that read files; `current` in <db>.parquet is a symbolic link to the
                 published night's folder (its absolute path), switched atomically, and current.txt names
                 that path for tools that do not follow links; the previous night's folder is kept too
A killed night leaves only <db>.building and its landing folder behind; the kernel releases its lock, and the
next night starts from the published file again. The switch is os.replace, an atomic rename: a reader that
holds the old file open keeps reading it until it reconnects.
"""

from __future__ import annotations

import fcntl
import json
import os
import re
import shutil
import socket
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import duckdb

from cx_warehouse.runtime.warehouse import BI_SCHEMA, schema_tables

# The file in the landing root naming the published night's landing folder.
PUBLISHED_MARKER = "published"


class NightRunning(RuntimeError):
    """Another build of the same warehouse holds its lock; the message names its pid and start time."""


class DatabaseInUse(RuntimeError):
    """A DuckDB file the night must write is held open by another program; the message names it."""


@dataclass(frozen=True)
class Night:
    """The files of one night's build of the warehouse published at `published`."""

    published: Path
    started_at: datetime = field(default_factory=lambda: datetime.now(UTC))

    @property
    def working(self) -> Path:
        """The private copy the night builds: <db>.building."""
        return self.published.with_name(self.published.name + ".building")

    @property
    def failed(self) -> Path:
        """Where a failed night's working copy is kept for inspection: <db>.failed."""
        return self.published.with_name(self.published.name + ".failed")

    @property
    def lock_file(self) -> Path:
        """The lock file a running night holds: <db>.lock."""
        return self.published.with_name(self.published.name + ".lock")

    @property
    def landing_root(self) -> Path:
        """The folder of every night's landing folder: <db>.landing."""
        return self.published.with_name(self.published.name + ".landing")

    @property
    def landing(self) -> Path:
        """This night's landing folder: night-<UTC start, sortable>-<pid>."""
        return self.landing_root / f"night-{self.started_at:%Y%m%dT%H%M%S}-{os.getpid()}"

    @property
    def parquet_root(self) -> Path:
        """The folder of the published nights' Parquet copies of the marts: <db>.parquet."""
        return self.published.with_name(self.published.name + ".parquet")

    @property
    def parquet(self) -> Path:
        """This night's Parquet folder, named as its landing folder."""
        return self.parquet_root / self.landing.name

    def prepare(self, start_empty: bool = False) -> None:
        """Make a fresh working copy: the published warehouse (nothing before the first night, or with
        start_empty), with any leftovers of a killed night removed. A full refresh starts from the copy too:
        dbt's --full-refresh rebuilds the incremental models, and the snapshots' history (docs/history.md),
        which no export can give back, is kept. Raises DatabaseInUse when another program holds the working
        copy open."""
        self.published.parent.mkdir(parents=True, exist_ok=True)
        for leftover in (self.working, _wal(self.working)):
            leftover.unlink(missing_ok=True)
        if self.published.exists() and not start_empty:
            shutil.copyfile(self.published, self.working)
            ensure_not_in_use(self.working)
        # Else dbt creates the working copy, in the profile's storage_compatibility_version (readable by the
        # DuckDB 1.x that BI tools embed); a file DuckDB opened here first would be in its own, newer one.

    def publish(self) -> None:
        """Switch the working copy in as the published warehouse and its marts in as the current Parquet
        files. First the working copy is checkpointed (so the file holds everything) and its BI schema
        written to this night's Parquet folder; then the database is renamed over the published one and the
        `current` link over the old link (each an atomic rename: a reader sees the old night or the new one,
        never a mix within one of them). Landing and Parquet folders no reader needs any more are pruned:
        all but this night's and the previously published night's."""
        with duckdb.connect(str(self.working)) as connection:
            connection.execute("checkpoint")
            _export_schema(connection, BI_SCHEMA, self.parquet)
        previous = _read_marker(self.landing_root / PUBLISHED_MARKER)
        os.replace(self.working, self.published)
        for failed in (self.failed, _wal(self.failed)):
            failed.unlink(missing_ok=True)
        write_atomically(self.landing_root / PUBLISHED_MARKER, self.landing.name)
        _point_current(self.parquet_root, self.parquet)
        for root in (self.landing_root, self.parquet_root):
            for folder in root.glob("night-*"):
                if folder.name not in (self.landing.name, previous):
                    shutil.rmtree(folder, ignore_errors=True)

    def keep_failed(self) -> None:
        """Keep the failed working copy as <db>.failed (replacing an older one); its landing folder, which its
        staging views read, stays until the next published night prunes it."""
        if self.working.exists():
            os.replace(self.working, self.failed)
        if _wal(self.working).exists():
            os.replace(_wal(self.working), _wal(self.failed))
        else:
            _wal(self.failed).unlink(missing_ok=True)


@contextmanager
def night_lock(night: Night) -> Iterator[None]:
    """Hold the warehouse's lock file for the duration of a night. Raises NightRunning, naming the holder's
    pid, host and start time, when another night holds it. The lock is an flock: the kernel releases it
    when the process ends, however it ends, so a killed night never leaves a stale lock."""
    night.lock_file.parent.mkdir(parents=True, exist_ok=True)
    descriptor = os.open(night.lock_file, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        holder = os.pread(descriptor, 4096, 0).decode("utf-8", "replace").strip()
        os.close(descriptor)
        raise NightRunning(
            f"another build of {night.published} is running ({_describe_holder(holder)}); wait for it to "
            f"finish (lock file {night.lock_file})"
        ) from None
    try:
        holder = {
            "pid": os.getpid(),
            "host": socket.gethostname(),
            "started_at": night.started_at.isoformat(),
        }
        os.ftruncate(descriptor, 0)
        os.pwrite(descriptor, json.dumps(holder).encode(), 0)
        yield
    finally:
        os.ftruncate(descriptor, 0)
        fcntl.flock(descriptor, fcntl.LOCK_UN)
        os.close(descriptor)


def ensure_not_in_use(database: Path) -> None:
    """Raise DatabaseInUse, in one line naming the program and pid DuckDB reports, when another process
    holds `database` open so that it cannot be written; do nothing when it can be opened for writing."""
    try:
        duckdb.connect(str(database)).close()
    except duckdb.IOException as error:
        held = re.search(r"Conflicting lock is held in (.+?) \(PID (\d+)\)", str(error))
        if held is None:
            raise
        program, pid = held.groups()
        raise DatabaseInUse(
            f"{database} is open in another program ({program}, pid {pid}); close that program's "
            "connection to it and run again"
        ) from None


def _export_schema(connection: duckdb.DuckDBPyConnection, schema: str, folder: Path) -> None:
    """Write every table of `schema` to folder/<table>.parquet (the folder is made afresh)."""
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    for table in schema_tables(connection, schema):
        target = str(folder / f"{table}.parquet").replace("'", "''")
        connection.execute(f'copy "{schema}"."{table}" to \'{target}\' (format parquet)')


def _point_current(root: Path, folder: Path) -> None:
    """Make root/current a link to `folder` (absolute) by an atomic rename, and root/current.txt its path."""
    pending = root / "current.new"
    pending.unlink(missing_ok=True)
    pending.symlink_to(folder.resolve(), target_is_directory=True)
    os.replace(pending, root / "current")
    write_atomically(root / "current.txt", str(folder.resolve()))


def _read_marker(path: Path) -> str | None:
    return path.read_text(encoding="utf-8").strip() if path.exists() else None


def write_atomically(path: Path, text: str) -> None:
    """Write `text` to `path` through <path>.new and one rename: a reader sees the old file or the new one."""
    pending = path.with_name(path.name + ".new")
    pending.write_text(text, encoding="utf-8")
    os.replace(pending, path)


def _wal(database: Path) -> Path:
    return database.with_name(database.name + ".wal")


def _describe_holder(text: str) -> str:
    try:
        holder = json.loads(text)
        return f"pid {holder['pid']} on {holder['host']}, started {holder['started_at']}"
    except (ValueError, KeyError, TypeError):
        return "holder unknown"
