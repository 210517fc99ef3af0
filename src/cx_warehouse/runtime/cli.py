"""`cxw`: generate demo data, load an export, build the warehouse with dbt, print its headline metrics and
its data-quality findings, write the leadership report, open the analysts' explorer."""

from __future__ import annotations

import argparse
import os
import sys
from contextlib import redirect_stdout
from datetime import UTC, date, datetime
from pathlib import Path

from cx_warehouse.runtime.night import EXIT_CODES, NightOptions, exit_code, run_night
from cx_warehouse.runtime.progress import Progress
from cx_warehouse.runtime.project import BuildSettings, as_of_day, default_database, load_raw, project_dir
from cx_warehouse.runtime.raw_contract import RAW_FORMATS
from cx_warehouse.runtime.summary import format_headline, read_headline

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


def _build(args: argparse.Namespace) -> None:
    settings = _settings(args, args.raw_dir, args.as_of)
    run_night(settings, NightOptions(verbose=args.verbose, full_refresh=args.full_refresh))


def _nightly(args: argparse.Namespace) -> None:
    """The scheduled night: every check on, and everything the night prints in its log file. Under a
    scheduler (stdout not a terminal) it prints nothing unless it fails, then one line on stderr (the cause,
    from main) and where the log is; on a terminal it shows its progress, then the log."""
    settings = _settings(args, args.raw_dir, args.as_of)
    log_path = args.log_file or settings.database.with_name(settings.database.name + ".runs") / (
        f"{datetime.now(UTC):%Y%m%dT%H%M%S}-{os.getpid()}.log"
    )
    log_path.parent.mkdir(parents=True, exist_ok=True)
    options = NightOptions(
        verbose=args.verbose,
        full_refresh=args.full_refresh,
        check_freshness=True,
        check_expectations=True,
        progress=Progress(),
        log_file=log_path,
    )
    with open(log_path, "w", encoding="utf-8") as log, redirect_stdout(log):
        try:
            run_night(settings, options)
        except tuple(EXIT_CODES) as error:  # main prints it: one line, with where the log is
            raise type(error)(f"{error}; not published, the night's log is {log_path}") from None
    if sys.stdout.isatty():
        print(log_path.read_text(encoding="utf-8"), end="")
        print(f"Log: {log_path}")


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
    # it regenerates its data, so nothing of an earlier build is kept, the accounts' history included.
    settings = BuildSettings(raw_dir, args.database, "csv", DEFAULT_END_DATE)
    run_night(settings, NightOptions(verbose=args.verbose, full_refresh=True, start_empty=True))
    _write_report(args.database, DEFAULT_END_DATE, None)


def _write_report(database: Path, as_of: date, out: Path | None) -> None:
    """The leadership report of the database (cx_warehouse.report), by default beside it."""
    from cx_warehouse.report.render import write_report

    out = out or database.with_name(f"{database.stem}_leadership_report.html")
    print(f"Leadership report: {write_report(database, as_of, out)}")


def _summary(args: argparse.Namespace) -> None:
    print(format_headline(read_headline(args.database, args.as_of)))


def _explore(args: argparse.Namespace) -> None:
    """Run the explorer (cx_warehouse.explorer.app) with `streamlit run` on the warehouse file, which it
    opens read-only; exits with streamlit's exit code."""
    import subprocess

    from cx_warehouse import explorer

    if not args.database.is_file():
        sys.exit(f"cxw: no warehouse file {args.database}; build one first")
    app = Path(explorer.__file__).with_name("app.py")
    environment = {**os.environ, explorer.DATABASE_VARIABLE: str(args.database.resolve())}
    command = [sys.executable, "-m", "streamlit", "run", str(app), "--server.port", str(args.port)]
    sys.exit(subprocess.run(command, env=environment, check=False).returncode)


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


def _add_night_arguments(command: argparse.ArgumentParser) -> None:
    """The export's arguments and how to build it: as-of day, verbosity, full refresh, vars."""
    _add_export_arguments(command)
    command.add_argument(
        "--as-of", type=_iso_date, default=None, help="the build's 'today' (default: today in UTC)"
    )
    command.add_argument("--verbose", action="store_true", help="show dbt's progress, not only its errors")
    command.add_argument(
        "--full-refresh", action="store_true", help="rebuild the incremental models from all raw rows"
    )
    command.add_argument(
        "--var",
        type=_dbt_var,
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="set a dbt var of dbt_project.yml for this build, e.g. --var quarantine_error_pct=20 "
        "(repeatable)",
    )


def parser() -> argparse.ArgumentParser:
    """The argument parser of `cxw` with its commands: generate, build, nightly, load, demo, summary and
    report."""
    from cx_warehouse.generator import dataset as generator

    top = argparse.ArgumentParser(prog="cxw", description=__doc__)
    commands = top.add_subparsers(dest="command", required=True)

    generate = commands.add_parser("generate", help="write a deterministic raw data set (all 13 tables)")
    generator.add_arguments(generate)
    generate.set_defaults(handler=generator.run)

    database = {"type": Path, "default": None, "help": DATABASE_HELP}

    build = commands.add_parser(
        "build", help="load an export, build and test the warehouse, print its figures, publish it"
    )
    _add_night_arguments(build)
    build.set_defaults(handler=_build)

    nightly = commands.add_parser(
        "nightly",
        help="the scheduled night: build with source freshness and great-expectations checks, publish, "
        "log; silent unless it fails or runs on a terminal",
    )
    _add_night_arguments(nightly)
    nightly.add_argument(
        "--log-file",
        type=Path,
        default=None,
        help="the night's log (default <database>.runs/<start>-<pid>.log)",
    )
    nightly.set_defaults(handler=_nightly)

    load = commands.add_parser("load", help="only read an export into the landing folder dbt reads")
    _add_export_arguments(load)
    load.set_defaults(handler=_load)

    demo = commands.add_parser(
        "demo",
        help="generate the demo data set, build it, print the headline metrics, write the leadership report",
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

    explore = commands.add_parser(
        "explore", help="open the analysts' explorer (Streamlit) over the marts of a built database"
    )
    explore.add_argument("--database", **database)
    explore.add_argument("--port", type=int, default=8501, help="port of the explorer (default 8501)")
    explore.set_defaults(handler=_explore)

    report = commands.add_parser(
        "report", help="write the leadership report of a built database: one self-contained HTML file"
    )
    report.add_argument(
        "--as-of", type=_iso_date, default=as_of_day(), help="the build's as-of day (default: today in UTC)"
    )
    report.add_argument("--database", **database)
    report.add_argument(
        "--out",
        type=Path,
        default=None,
        help="HTML file to write (default <database>_leadership_report.html)",
    )
    report.set_defaults(handler=lambda args: _write_report(args.database, args.as_of, args.out))
    return top


def main(argv: list[str] | None = None) -> int:
    """Run `cxw` with argv (default sys.argv). Returns the exit code: 0, 1 when dbt, a data-quality check
    or an expectation failed (BuildFailed, DbtFailed; nothing was published), 2 when an export file cannot
    be read (RawExportError), 3 when another build of the warehouse is running or another program holds the
    working copy (NightRunning, DatabaseInUse; try again later), 4 when a raw table is stale (StaleSources,
    `cxw nightly`); the message goes to stderr."""
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
