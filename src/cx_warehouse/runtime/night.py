"""One night of the warehouse, as `cxw build`, `cxw nightly` and `cxw demo` run it: under the warehouse's
lock, load the export into a working copy of the published warehouse, judge the raw tables' freshness, seed,
build and test every model, check the marts with great-expectations, read the data-quality findings and the
headline, and publish atomically only when every step passed (runtime.publish). Every night writes its run
record (runtime.run_record).

Steps, in order (a step that is switched off is skipped): prepare, load, freshness (nightly), seed, build,
expectations (nightly), data_quality, publish. Publishing also writes the dbt docs site of the build beside
the warehouse (docs_site_path).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from pathlib import Path

from cx_warehouse.runtime.load import REPORT_NAME, RawExportError
from cx_warehouse.runtime.progress import Progress
from cx_warehouse.runtime.project import BuildSettings, DbtFailed, load_raw, manifest_path, run_dbt
from cx_warehouse.runtime.publish import DatabaseInUse, Night, NightRunning, night_lock, write_atomically
from cx_warehouse.runtime.run_record import RunRecord
from cx_warehouse.runtime.summary import (
    format_data_quality,
    format_headline,
    read_data_quality,
    read_headline,
)
from cx_warehouse.runtime.warehouse import drop_stale_relations, project_relations


class BuildFailed(RuntimeError):
    """The build ran but its data-quality checks, dbt or great-expectations found an error; the message
    names the cause."""


class StaleSources(RuntimeError):
    """A raw table's newest row is older than its freshness error threshold (the sources' YAML): the export
    stopped delivering it. The message names the tables, their newest row and the threshold."""


#: cxw's exit codes by the error that ends a night (documented in cli.main and the README).
EXIT_CODES: dict[type[BaseException], int] = {
    BuildFailed: 1,
    DbtFailed: 1,
    RawExportError: 2,
    NightRunning: 3,
    DatabaseInUse: 3,
    StaleSources: 4,
}

#: The errors after which the working copy is kept as <db>.failed and nothing is published.
NIGHT_FAILURES = (BuildFailed, DbtFailed, RawExportError, StaleSources)


def exit_code(error: BaseException | None) -> int:
    """cxw's exit code for a command that ended with `error` (None: 0). Raises KeyError for an error that
    has no code (a bug, which should end in its traceback)."""
    return 0 if error is None else EXIT_CODES[type(error)]


@dataclass(frozen=True)
class NightOptions:
    """How a night runs. verbose: dbt prints its progress, not only its errors. full_refresh: rebuild the
    incremental models from every raw row (dbt's --full-refresh; the snapshots keep their history).
    check_freshness: judge every raw table's freshness at the end of the as-of day and stop on an error
    (StaleSources). check_expectations: validate the marts with the great-expectations suite
    (runtime.expectations). progress: the terminal's status line. log_file: where the night's output goes,
    named in the run record. start_empty: build from an empty warehouse, not from a copy of the published
    one (the demo, whose data is generated afresh: nothing of an earlier build, its history included, is
    kept)."""

    verbose: bool = False
    full_refresh: bool = False
    check_freshness: bool = False
    check_expectations: bool = False
    progress: Progress = field(default_factory=lambda: Progress(enabled=False))
    log_file: Path | None = None
    start_empty: bool = False


def run_night(settings: BuildSettings, options: NightOptions) -> RunRecord:
    """Run one night into the warehouse at settings.database and print what it found (the headline, the
    data-quality section, where the warehouse and the run record are). The night builds a working copy of the
    published warehouse (so the high-volume models build incrementally, docs/incremental.md, unless
    full_refresh) and switches it in atomically; a failed night leaves the published warehouse as it was and
    keeps its own copy in <database>.failed. Returns the run record, written to <database>.runs/.
    Raises BuildFailed, naming the table and the cause, when a data-quality threshold, a dbt test or an
    expectation fails; StaleSources when a raw table is stale; NightRunning when another night of the same
    warehouse is running; DatabaseInUse when another program holds the working copy open; RawExportError
    when an export file cannot be read."""
    record = RunRecord(settings.database, settings.as_of_date, log=options.log_file)
    try:
        _publish_a_night(settings, options, record)
    except tuple(EXIT_CODES) as error:
        print(f"Run record: {record.write(exit_code(error), error)}")
        options.progress.finish(f"failed: {error}")
        raise
    except BaseException as error:  # a bug, an interrupt: its traceback follows, the record says it crashed
        print(f"Run record: {record.write(None, error)}")
        raise
    print(f"Run record: {record.write(0, None)}")
    options.progress.finish(f"published {settings.database}")
    return record


@contextmanager
def _step(name: str, record: RunRecord, options: NightOptions) -> Iterator[None]:
    options.progress.start_step(name)
    with record.step(name):
        yield


def _publish_a_night(settings: BuildSettings, options: NightOptions, record: RunRecord) -> None:
    night = Night(settings.database)
    with night_lock(night):
        with _step("prepare", record, options):
            night.prepare(options.start_empty)
        working = replace(settings, database=night.working, landing=night.landing)
        try:
            _build_working_copy(working, options, record)
        except NIGHT_FAILURES:
            night.keep_failed()
            print(f"\nNot published: {settings.database} is as it was; this build is kept in {night.failed}.")
            raise
        with _step("publish", record, options):
            write_docs_site(working, docs_site_path(settings.database))
            night.publish()
        record.published = True
    print(f"\nPublished: {settings.database}  (load report: {working.landing_dir / REPORT_NAME})")
    print(f"Marts as Parquet: {night.parquet_root / 'current'}")
    print(f"Docs site: {docs_site_path(settings.database)}")


def _build_working_copy(settings: BuildSettings, options: NightOptions, record: RunRecord) -> None:
    """Load, check freshness, seed, build and test into settings.database, check the marts, then print the
    headline and the data-quality section and keep both in the run record. Raises BuildFailed, DbtFailed or
    StaleSources when anything failed."""
    with _step("load", record, options):
        report = load_raw(settings)
    malformed = {name: load.malformed_lines + load.undecodable_rows for name, load in report.tables.items()}
    if any(malformed.values()):
        print("Loaded with unreadable lines (quarantined): "
              + ", ".join(f"{name} {count:,}" for name, count in malformed.items() if count))  # fmt: skip
    quiet = [] if options.verbose else ["--quiet"]
    if options.check_freshness:
        with _step("freshness", record, options):
            check_freshness(settings, record, tuple(quiet))
    failure = None
    # Seeds are always reloaded in full: small, and a seed whose columns changed (an upgrade) cannot be
    # appended.
    refresh = ["--full-refresh"] if options.full_refresh else []
    for command, arguments in (("seed", ["--full-refresh"]), ("build", refresh)):
        try:
            with _step(command, record, options):
                result = run_dbt([*quiet, command, *arguments], settings, [options.progress.on_dbt_event])
        except DbtFailed as error:
            failure, result = error, error.result
        if result is not None:
            statuses = Counter(str(node.status) for node in result.result)
            record.nodes[command] = dict(sorted(statuses.items()))
            print(f"dbt {command}: " + ", ".join(f"{n} {status}" for status, n in sorted(statuses.items())))
        if failure is not None and command == "seed":
            raise failure
    if failure is None:
        drop_stale(settings, manifest_path())
        if options.check_expectations:
            with _step("expectations", record, options):
                failure = check_expectations(settings, record)
    options.progress.start_step("data_quality")
    check_data_quality(settings, record, failure)


def docs_site_path(database: Path) -> Path:
    """Where a night writes the dbt docs site of the warehouse it publishes: <db>.docs.html, one HTML file
    that works offline (dbt docs generate --static)."""
    return database.with_name(database.name + ".docs.html")


def write_docs_site(settings: BuildSettings, destination: Path) -> None:
    """`dbt docs generate --static` on the built settings.database, written to `destination` atomically
    (publish.write_atomically: a reader sees the old page or the new one). The build has just written the
    manifest, so dbt reads it rather than compiling again (--no-compile); only the catalog is read from the
    database. A failure is printed and leaves the previous page: the documentation must not keep a checked
    build from BI."""
    try:
        run_dbt(["--quiet", "docs", "generate", "--static", "--no-compile"], settings)
    except DbtFailed as error:
        print(f"Docs site not written ({destination} is the previous night's): {error}")
        return
    write_atomically(destination, manifest_path().with_name("static_index.html").read_text(encoding="utf-8"))


def drop_stale(settings: BuildSettings, manifest: Path) -> None:
    """Drop from the working copy the tables and views that the project, as `manifest` (the manifest.json of
    the night's dbt build) describes it, no longer builds; print them."""
    stale = drop_stale_relations(settings.database, project_relations(manifest))
    if stale:
        print("Dropped what the project no longer builds: " + ", ".join(stale))


def check_data_quality(settings: BuildSettings, record: RunRecord, failure: Exception | None = None) -> None:
    """Read the data-quality findings and the headline from the built working copy (step data_quality), print
    both and keep them in the run record. `failure` is an earlier step's error (dbt build's, an
    expectation's). Raises BuildFailed naming the data-quality errors (else `failure`) when there are any or
    an earlier step failed; `failure` itself when the data-quality marts could not be read."""
    as_of = settings.as_of_date
    try:
        with record.step("data_quality"):
            quality = read_data_quality(settings.database, as_of, settings.extra_vars)
            headline = read_headline(settings.database, as_of)
    except Exception:  # the data-quality marts were not built: dbt's own failure is the cause
        if failure is None:
            raise
        raise failure from None
    record.add_quality(quality, headline, settings.database)
    print()
    print(format_headline(headline))
    print()
    print(format_data_quality(quality))
    errors, _ = quality.problems()
    if errors or failure is not None:
        causes = errors or [str(failure)]
        raise BuildFailed("the build found errors: " + "; ".join(causes))


def check_freshness(settings: BuildSettings, record: RunRecord, dbt_options: tuple[str, ...] = ()) -> None:
    """`dbt source freshness`, judged at the end of the as-of day (macros/freshness.sql); keeps each raw
    table's verdict in the record, prints the warnings and raises StaleSources on an error."""
    try:
        result = run_dbt([*dbt_options, "source", "freshness"], settings)
    except DbtFailed as error:
        if error.result is None or not error.result.result:  # dbt itself failed, not a threshold
            raise
        result = error.result
    verdicts = {}
    for source in result.result:
        if source.node.resource_type != "source":  # the on-run-start hook
            continue
        status = str(source.status)
        name = source.node.name
        verdicts[name] = {
            "status": status,
            "max_loaded_at": getattr(source, "max_loaded_at", None),
            "age_days": round(source.age / 86400, 2) if getattr(source, "age", None) is not None else None,
        }
    record.freshness = verdicts
    late = {name: verdict for name, verdict in verdicts.items() if verdict["status"] != "pass"}
    for name, verdict in sorted(late.items()):
        print(f"Freshness {verdict['status'].upper()} {name}: newest row {verdict['max_loaded_at']}, "
              f"{verdict['age_days']} days before the end of {settings.as_of_date}")  # fmt: skip
    broken = sorted(name for name, verdict in late.items() if verdict["status"] == "runtime error")
    if broken:
        raise DbtFailed(
            f"dbt source freshness could not judge {', '.join(broken)}: see the night's log; check the "
            "sources' loaded_at_field or loaded_at_query"
        )
    errors = sorted(name for name, verdict in late.items() if verdict["status"] == "error")
    if errors:
        raise StaleSources(
            "stale raw tables (older than their freshness error threshold at the end of "
            f"{settings.as_of_date}): "
            + ", ".join(f"{name} (newest row {late[name]['max_loaded_at']})" for name in errors)
            + "; check that the export delivers them, or raise freshness.error_after in the sources' YAML"
        )


def check_expectations(settings: BuildSettings, record: RunRecord) -> BuildFailed | None:
    """Validate the built marts with the great-expectations suite; keep each mart's verdict in the
    record and return the failure (None when every mart passed)."""
    from cx_warehouse.runtime.expectations import validate_database

    results = validate_database(settings.database)
    record.expectations = {
        result.mart: {"success": result.success, "failed": result.failed_expectations} for result in results
    }
    failed = [
        f"{result.mart}: {', '.join(result.failed_expectations)}" for result in results if not result.success
    ]
    if failed:
        return BuildFailed("great-expectations: " + "; ".join(failed))
    return None
