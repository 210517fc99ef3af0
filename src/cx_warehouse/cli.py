"""`cxw`: generate demo data, build the warehouse with dbt, print its headline metrics."""

from __future__ import annotations

import argparse
import sys
from collections import Counter
from datetime import date
from pathlib import Path

from cx_warehouse.project import BuildSettings, DbtFailed, default_database, project_dir, run_dbt
from cx_warehouse.raw_contract import RAW_FORMATS, check_raw_dir
from cx_warehouse.summary import format_headline, read_headline

DEMO_ACCOUNTS = 1000
DEMO_SEED = 42


def _iso_date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError as error:
        raise argparse.ArgumentTypeError(f"'{text}' is not a date as YYYY-MM-DD") from error


def build_and_summarise(settings: BuildSettings, verbose: bool, full_refresh: bool) -> None:
    """Seed, build and test every model, then print the headline metrics. Into an existing database the
    high-volume models build incrementally (docs/incremental.md) unless full_refresh. dbt prints only its
    errors unless verbose; a count of what ran is printed either way."""
    check_raw_dir(settings.raw_dir, settings.raw_format)
    quiet = [] if verbose else ["--quiet"]
    refresh = ["--full-refresh"] if full_refresh else []
    for command in ("seed", "build"):
        result = run_dbt([*quiet, command, *refresh], settings)
        statuses = Counter(str(node.status) for node in result.result)
        print(
            f"dbt {command}: " + ", ".join(f"{count} {status}" for status, count in sorted(statuses.items()))
        )
    print()
    print(format_headline(read_headline(settings.database, settings.as_of_date or date.today())))
    print(f"\nDatabase: {settings.database}")


def _build(args: argparse.Namespace) -> None:
    settings = BuildSettings(args.raw_dir, args.database, args.format, args.as_of)
    build_and_summarise(settings, args.verbose, args.full_refresh)


def _demo(args: argparse.Namespace) -> None:
    from cx_warehouse.generator import DEFAULT_END_DATE, generate

    raw_dir = project_dir() / "data" / "demo" / "raw"
    summary = generate(accounts=args.accounts, seed=args.seed, out_dir=raw_dir, end_date=DEFAULT_END_DATE)
    print(summary.format())
    # The demo's "today" is the last day of its data, so the same demo gives the same figures on any day;
    # it regenerates its data, so nothing of an earlier build is kept (full refresh).
    build_and_summarise(BuildSettings(raw_dir, args.database, "csv", DEFAULT_END_DATE), args.verbose, True)


def _summary(args: argparse.Namespace) -> None:
    print(format_headline(read_headline(args.database, args.as_of)))


def parser() -> argparse.ArgumentParser:
    from cx_warehouse import generator

    top = argparse.ArgumentParser(prog="cxw", description=__doc__)
    commands = top.add_subparsers(dest="command", required=True)

    generate = commands.add_parser("generate", help="write a deterministic raw data set (all 13 tables)")
    generator.add_arguments(generate)
    generate.set_defaults(handler=generator.run)

    database = {
        "type": Path,
        "default": None,
        "help": "DuckDB file to build (default target/cx_warehouse.duckdb)",
    }

    build = commands.add_parser("build", help="build and test the warehouse on a folder of raw files")
    build.add_argument(
        "--raw-dir", type=Path, required=True, help="folder with one <table>.<format> per table"
    )
    build.add_argument("--format", choices=RAW_FORMATS, default="csv", help="file type of the raw tables")
    build.add_argument("--as-of", type=_iso_date, default=None, help="the build's 'today' (default: today)")
    build.add_argument("--database", **database)
    build.add_argument("--verbose", action="store_true", help="show dbt's progress, not only its errors")
    build.add_argument(
        "--full-refresh", action="store_true", help="rebuild the incremental models from all raw rows"
    )
    build.set_defaults(handler=_build)

    demo = commands.add_parser(
        "demo", help="generate the demo data set, build it and print the headline metrics"
    )
    demo.add_argument("--accounts", type=int, default=DEMO_ACCOUNTS, help="number of accounts to generate")
    demo.add_argument("--seed", type=int, default=DEMO_SEED, help="random seed")
    demo.add_argument("--database", **database)
    demo.add_argument("--verbose", action="store_true", help="show dbt's progress, not only its errors")
    demo.set_defaults(handler=_demo)

    summary = commands.add_parser("summary", help="print the headline metrics of a built database")
    summary.add_argument("--as-of", type=_iso_date, default=date.today(), help="the build's as-of day")
    summary.add_argument("--database", **database)
    summary.set_defaults(handler=_summary)
    return top


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    if getattr(args, "database", "unset") is None:
        args.database = default_database()
    try:
        args.handler(args)
    except DbtFailed as error:
        print(f"cxw: {error}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
