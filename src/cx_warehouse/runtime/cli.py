"""`cxw`: generate demo data, load an export, build the warehouse with dbt, print its headline metrics and
its data-quality findings."""

from __future__ import annotations

import argparse
import sys
from collections import Counter
from dataclasses import replace
from datetime import date
from pathlib import Path

from cx_warehouse.runtime.load import REPORT_NAME, RawExportError
from cx_warehouse.runtime.project import (
    BuildSettings,
    DbtFailed,
    as_of_day,
    default_database,
    load_raw,
    project_dir,
    run_dbt,
)
from cx_warehouse.runtime.publish import DatabaseInUse, Night, NightRunning, night_lock
from cx_warehouse.runtime.raw_contract import RAW_FORMATS
from cx_warehouse.runtime.run_record import RunRecord
from cx_warehouse.runtime.summary import (
    format_data_quality,
    format_headline,
    read_data_quality,
    read_headline,
)

DATABASE_HELP = "DuckDB file to build (default target/cx_warehouse.duckdb)"
DEMO_ACCOUNTS = 1000
DEMO_SEED = 42


def _iso_date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError as error:
        raise argparse.ArgumentTypeError(f"'{text}' is not a date as YYYY-MM-DD") from error


def _dbt_var(text: str) -> tuple[str, object]:
    """NAME=VALUE, the value read as YAML (as dbt's --vars reads it): 'quarantine_error_pct=20' -> 20."""
    import yaml

    name, equals, value = text.partition("=")
    if not equals or not name.strip():
        raise argparse.ArgumentTypeError(f"'{text}' is not NAME=VALUE, e.g. quarantine_error_pct=20")
    return name.strip(), yaml.safe_load(value)


class BuildFailed(RuntimeError):
    """The build ran but its data-quality checks or dbt found an error; the message names the cause."""


#: cxw's exit codes by the error that ends a command (documented in main and the README).
EXIT_CODES: dict[type[BaseException], int] = {
    BuildFailed: 1,
    DbtFailed: 1,
    RawExportError: 2,
    NightRunning: 3,
    DatabaseInUse: 3,
}


def exit_code(error: BaseException | None) -> int:
    """cxw's exit code for a command that ended with `error` (None: 0). Raises KeyError for an error that
    has no code (a bug, which should end in its traceback)."""
    return 0 if error is None else EXIT_CODES[type(error)]


def build_and_summarise(settings: BuildSettings, verbose: bool, full_refresh: bool) -> None:
    """Load the export, seed, build and test every model, print the headline metrics and the data-quality
    findings, and publish the warehouse at settings.database only when all of it passed (runtime.publish):
    the night builds a working copy of the published warehouse (so the high-volume models build
    incrementally, docs/incremental.md, unless full_refresh) and switches it in atomically. A failed night
    leaves the published warehouse as it was and keeps its own copy in <database>.failed. dbt prints only its
    errors unless verbose; a count of what ran is printed either way. Every build writes its run record
    (runtime.run_record) to <database>.runs/.
    Raises BuildFailed, naming the table and the cause, when a data-quality threshold or any dbt test fails;
    NightRunning when another build of the same warehouse is running; DatabaseInUse when another program
    holds the working copy open; RawExportError when an export file cannot be read."""
    record = RunRecord(settings.database, settings.as_of_date)
    try:
        _publish_a_night(settings, verbose, full_refresh, record)
    except tuple(EXIT_CODES) as error:
        print(f"Run record: {record.write(exit_code(error), error)}")
        raise
    # Anything else (a bug, an interrupt) ends in its traceback, without a record claiming an exit code.
    print(f"Run record: {record.write(0, None)}")


def _publish_a_night(settings: BuildSettings, verbose: bool, full_refresh: bool, record: RunRecord) -> None:
    night = Night(settings.database)
    with night_lock(night):
        with record.step("prepare"):
            night.prepare(full_refresh)
        working = replace(settings, database=night.working, landing=night.landing)
        try:
            _build_working_copy(working, verbose, full_refresh, record)
        except (BuildFailed, DbtFailed, RawExportError):
            night.keep_failed()
            print(f"\nNot published: {settings.database} is as it was; this build is kept in {night.failed}.")
            raise
        with record.step("publish"):
            night.publish()
        record.published = True
    print(f"\nPublished: {settings.database}  (load report: {working.landing_dir / REPORT_NAME})")


def _build_working_copy(
    settings: BuildSettings, verbose: bool, full_refresh: bool, record: RunRecord
) -> None:
    """Load, seed, build and test into settings.database, then print the headline and the data-quality
    section from it and keep both in the run record. Raises BuildFailed or DbtFailed when anything failed."""
    with record.step("load"):
        report = load_raw(settings)
    malformed = {name: load.malformed_lines + load.undecodable_rows for name, load in report.tables.items()}
    if any(malformed.values()):
        print("Loaded with unreadable lines (quarantined): "
              + ", ".join(f"{name} {count:,}" for name, count in malformed.items() if count))  # fmt: skip
    quiet = [] if verbose else ["--quiet"]
    refresh = ["--full-refresh"] if full_refresh else []
    failure = None
    # Seeds are always reloaded in full: small, and a seed whose columns changed (an upgrade) cannot be
    # appended.
    for command, options in (("seed", ["--full-refresh"]), ("build", refresh)):
        try:
            with record.step(command):
                result = run_dbt([*quiet, command, *options], settings)
        except DbtFailed as error:
            failure, result = error, error.result
        if result is not None:
            statuses = Counter(str(node.status) for node in result.result)
            print(f"dbt {command}: " + ", ".join(f"{n} {status}" for status, n in sorted(statuses.items())))
        if failure is not None and command == "seed":
            raise failure
    check_data_quality(settings, record, failure)


def check_data_quality(settings: BuildSettings, record: RunRecord, failure: DbtFailed | None = None) -> None:
    """Read the data-quality findings and the headline from settings.database after `dbt build`, print both
    and keep them in the run record. `failure` is dbt build's error, if it failed. Raises BuildFailed naming
    the data-quality errors (else `failure`) when there are any or dbt failed; `failure` itself when the
    data-quality marts could not be read."""
    as_of = settings.as_of_date
    try:
        with record.step("data_quality"):
            quality = read_data_quality(settings.database, as_of, settings.extra_vars)
            headline = read_headline(settings.database, as_of)
    except Exception:  # the data-quality marts were not built: dbt's own failure is the cause
        if failure is None:
            raise
        raise failure from None
    record.add_quality(quality, headline)
    print()
    print(format_headline(headline))
    print()
    print(format_data_quality(quality))
    errors, _ = quality.problems()
    if errors or failure is not None:
        causes = errors or [str(failure)]
        raise BuildFailed("the build found errors: " + "; ".join(causes))


def _build(args: argparse.Namespace) -> None:
    settings = _settings(args, args.raw_dir, args.as_of)
    build_and_summarise(settings, args.verbose, args.full_refresh)


def _load(args: argparse.Namespace) -> None:
    settings = _settings(args, args.raw_dir, None)
    report = load_raw(settings)
    for name, load in report.tables.items():
        print(f"{name:<20} {load.rows:>12,} rows  {load.format} {load.encoding or ''} "
              f"delimiter {load.delimiter!r} decimal mark {load.decimal_mark!r}  "
              f"{load.malformed_lines:,} malformed, {load.undecodable_rows:,} undecodable")  # fmt: skip
    print(f"Landing folder for dbt (var landing_dir): {settings.landing_dir}")


def _settings(args: argparse.Namespace, raw_dir: Path, as_of: date | None) -> BuildSettings:
    load_options = {
        name: value
        for name, value in (
            ("delimiter", args.delimiter),
            ("decimal_mark", args.decimal_mark),
            ("encoding", args.encoding),
            ("date_order", args.date_order),
        )
        if value is not None
    }
    return BuildSettings(
        raw_dir,
        args.database,
        args.format,
        as_of,
        extra_vars=dict(getattr(args, "var", [])),  # only build runs dbt
        load_options=load_options,
        reporting_time_zone=args.reporting_time_zone,
    )


def _demo(args: argparse.Namespace) -> None:
    from cx_warehouse.generator.dataset import DEFAULT_END_DATE, generate

    raw_dir = project_dir() / "data" / "demo" / "raw"
    summary = generate(accounts=args.accounts, seed=args.seed, out_dir=raw_dir, end_date=DEFAULT_END_DATE)
    print(summary.format())
    # The demo's "today" is the last day of its data, so the same demo gives the same figures on any day;
    # it regenerates its data, so nothing of an earlier build is kept (full refresh).
    build_and_summarise(BuildSettings(raw_dir, args.database, "csv", DEFAULT_END_DATE), args.verbose, True)


def _summary(args: argparse.Namespace) -> None:
    print(format_headline(read_headline(args.database, args.as_of)))


def _add_export_arguments(command: argparse.ArgumentParser) -> None:
    """Where the export is and how to read it; per-table settings go in <raw-dir>/raw_options.yml."""
    command.add_argument(
        "--raw-dir", type=Path, required=True, help="folder with one <table>.csv or .parquet per table"
    )
    command.add_argument(
        "--format", choices=("auto", *RAW_FORMATS), default="auto", help="file type of the raw tables"
    )
    command.add_argument(
        "--delimiter", help="field separator of every CSV (default: detected from the header)"
    )
    command.add_argument(
        "--decimal-mark", choices=(".", ","), help="decimal mark (default: ',' in ';' files, else '.')"
    )
    command.add_argument("--encoding", help="utf-8, cp1252, latin-1 or utf-16 (default: detected)")
    command.add_argument("--date-order", choices=("DMY", "MDY"), help="order of non-ISO dates (default DMY)")
    command.add_argument(
        "--reporting-time-zone",
        default="UTC",
        help="IANA zone of the reporting calendar, e.g. Europe/Copenhagen; timestamps without an offset "
        "are read in it unless raw_options.yml says otherwise (default UTC)",
    )
    command.add_argument("--database", type=Path, default=None, help=DATABASE_HELP)


def parser() -> argparse.ArgumentParser:
    """The argument parser of `cxw` with its commands: generate, build, load, demo and summary."""
    from cx_warehouse.generator import dataset as generator

    top = argparse.ArgumentParser(prog="cxw", description=__doc__)
    commands = top.add_subparsers(dest="command", required=True)

    generate = commands.add_parser("generate", help="write a deterministic raw data set (all 13 tables)")
    generator.add_arguments(generate)
    generate.set_defaults(handler=generator.run)

    database = {"type": Path, "default": None, "help": DATABASE_HELP}

    build = commands.add_parser(
        "build", help="load an export, build and test the warehouse, print its figures"
    )
    _add_export_arguments(build)
    build.add_argument(
        "--as-of", type=_iso_date, default=None, help="the build's 'today' (default: today in UTC)"
    )
    build.add_argument("--verbose", action="store_true", help="show dbt's progress, not only its errors")
    build.add_argument(
        "--full-refresh", action="store_true", help="rebuild the incremental models from all raw rows"
    )
    build.add_argument(
        "--var",
        type=_dbt_var,
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="set a dbt var of dbt_project.yml for this build, e.g. --var quarantine_error_pct=20 "
        "(repeatable)",
    )
    build.set_defaults(handler=_build)

    load = commands.add_parser("load", help="only read an export into the landing folder dbt reads")
    _add_export_arguments(load)
    load.set_defaults(handler=_load)

    demo = commands.add_parser(
        "demo", help="generate the demo data set, build it and print the headline metrics"
    )
    demo.add_argument("--accounts", type=int, default=DEMO_ACCOUNTS, help="number of accounts to generate")
    demo.add_argument("--seed", type=int, default=DEMO_SEED, help="random seed")
    demo.add_argument("--database", **database)
    demo.add_argument("--verbose", action="store_true", help="show dbt's progress, not only its errors")
    demo.set_defaults(handler=_demo)

    summary = commands.add_parser("summary", help="print the headline metrics of a built database")
    summary.add_argument(
        "--as-of", type=_iso_date, default=as_of_day(), help="the build's as-of day (default: today in UTC)"
    )
    summary.add_argument("--database", **database)
    summary.set_defaults(handler=_summary)
    return top


def main(argv: list[str] | None = None) -> int:
    """Run `cxw` with argv (default sys.argv). Returns the exit code: 0, 1 when dbt or a data-quality
    check failed (BuildFailed, DbtFailed; nothing was published), 2 when an export file cannot be read
    (RawExportError), 3 when another build of the warehouse is running or another program holds the working
    copy (NightRunning, DatabaseInUse; try again later); the message goes to stderr."""
    args = parser().parse_args(argv)
    if getattr(args, "database", "unset") is None:
        args.database = default_database()
    try:
        args.handler(args)
    except tuple(EXIT_CODES) as error:
        print(f"cxw: {error}", file=sys.stderr)
        return exit_code(error)
    return 0


if __name__ == "__main__":
    sys.exit(main())
