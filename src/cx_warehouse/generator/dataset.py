"""Deterministic demo data for the CX warehouse: the 13 raw tables of the contract, with bad rows and
findings put in, and the manifests of what the warehouse must report about them.

    generate(accounts=10_000, seed=1, out_dir=Path("data/demo/raw"))   # or: cxw generate --accounts 10000 ...

Volume: about 100 survey answers per account over the default 3 years (about 15 responses of 6-7 answers
on average), so --accounts 10000 writes about 1 M answers; per account also about 5 contacts, 1.5 contracts,
21 invoices, 24 support tickets and 40 survey invitations. Fewer years give proportionally fewer. The ratio
is checked by the tests, and each run prints its rows per table.

Same arguments, same bytes: every account draws from its own numpy Generator seeded from (seed, account index)
through SeedSequence, faults from (seed, table, fault number), and nothing reads the clock. Accounts are
simulated in chunks (chunk_accounts at a time) and each chunk's rows are appended to the files, so memory
stays flat however many accounts are asked for; the chunk size changes neither the data nor the bytes.

The simulation lives in accounts (the model, with one module per table family: crm, revenue, churn,
onboarding, support, touchpoints, responses, feedback), catalog (segments, surveys, names) and
comment_templates (comment texts); formatting and writing in output; the kinds of bad rows and findings in
faults; where they go and the manifests (`_expected_quarantine.csv`, `_expected_orphans.csv`,
`_expected_new_values.csv`) in injector.
"""

from __future__ import annotations

import argparse
import sys
from collections import Counter
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from tqdm import tqdm

from cx_warehouse.generator import catalog as cat
from cx_warehouse.generator.accounts import AccountSimulator
from cx_warehouse.generator.basics import HOUR, IdCounters, Window
from cx_warehouse.generator.faults import QuestionInfo
from cx_warehouse.generator.injector import MANIFEST_NAME, Batch, FaultInjector
from cx_warehouse.generator.output import (
    DAY,
    NULL_INT,
    QUESTION_IDS_KIND,
    SURVEY_IDS_KIND,
    TableBuffer,
    format_rows,
    open_writer,
)
from cx_warehouse.generator.responses import QUESTIONS
from cx_warehouse.runtime.raw_contract import RAW_FORMATS, raw_contract, raw_tables

DEFAULT_END_DATE = date(2026, 9, 30)
DEFAULT_CHUNK_ACCOUNTS = 2_000
LATEST_END_DATE = date(2090, 12, 31)  # injected future timestamps are in 2099; the end must stay before them
LOOKUPS = {
    SURVEY_IDS_KIND: [survey.survey_id for survey in cat.SURVEYS],
    QUESTION_IDS_KIND: QUESTIONS.ids,
}


@dataclass
class GenerationSummary:
    """What a run wrote, per table: rows (bad rows included), quarantined (bad) rows, orphans (one per row and
    missing parent) and new values."""

    out_dir: Path
    file_format: str
    rows: dict[str, int] = field(default_factory=dict)
    bad_rows: dict[str, int] = field(default_factory=dict)
    orphaned_rows: dict[str, int] = field(default_factory=dict)
    new_values: dict[str, int] = field(default_factory=dict)

    @property
    def manifest(self) -> Path:
        """The quarantine manifest written beside the files (_expected_quarantine.csv)."""
        return self.out_dir / MANIFEST_NAME

    def format(self) -> str:
        """The summary as a terminal table: rows, bad rows, orphans and new values per table and
        in total, then where the files went."""
        width = max(len(table) for table in self.rows)
        columns = {"rows": self.rows, "bad rows": self.bad_rows, "orphans": self.orphaned_rows,
                   "new values": self.new_values}  # fmt: skip
        lines = [f"{'table':<{width}}" + "".join(f"  {name:>12}" for name in columns)]
        for table in self.rows:
            lines.append(
                f"{table:<{width}}" + "".join(f"  {counts[table]:>12,}" for counts in columns.values())
            )
        lines.append(
            f"{'total':<{width}}" + "".join(f"  {sum(counts.values()):>12,}" for counts in columns.values())
        )
        lines.append(
            f"Wrote {len(self.rows)} {self.file_format} files and the manifests ({self.manifest.name} ...) "
            f"to {self.out_dir}"
        )
        return "\n".join(lines)


def generate(
    accounts: int,
    seed: int,
    out_dir: Path,
    file_format: str = "csv",
    bad_rate: float = 0.01,
    end_date: date = DEFAULT_END_DATE,
    years: int = 3,
    progress: bool = True,
    chunk_accounts: int = DEFAULT_CHUNK_ACCOUNTS,
) -> GenerationSummary:
    """Write the 13 raw tables and the manifests for `accounts` simulated accounts to out_dir. bad_rate: the
    share of each table's rows made bad or made a finding (see cx_warehouse.generator.injector)."""
    _check_arguments(accounts, seed, file_format, bad_rate, end_date, years, chunk_accounts)
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    contract = raw_contract()
    window = Window.ending(end_date, years)
    surveys = (*cat.SURVEYS, *cat.archived_surveys(window.first_date))
    injector = FaultInjector(seed, bad_rate, raw_tables(), _question_info(surveys), file_format, out_dir)
    sink = _TableSink(contract, out_dir, file_format, injector)
    try:
        for table, typed in _catalog_tables(window, surveys, contract).items():
            sink.write(table, typed)
        ids = IdCounters()
        with tqdm(total=accounts, unit=" accounts", file=sys.stderr, disable=not progress) as bar:
            for first in range(0, accounts, chunk_accounts):
                last = min(first + chunk_accounts, accounts)
                tables = {table: TableBuffer(table, columns) for table, columns in contract.items()}
                simulator = AccountSimulator(seed, window, ids, tables)
                for account_index in range(first, last):
                    simulator.simulate(account_index)
                for table, buffer in tables.items():
                    sink.write(table, buffer.collect())
                bar.update(last - first)
        sink.finish()
        injector.write_manifests()
    except BaseException:
        sink.close()
        injector.abandon()
        raise
    sink.close()
    return GenerationSummary(
        out_dir,
        file_format,
        dict(sink.written),
        {table: injector.quarantined[table] for table in contract},
        {table: injector.orphaned[table] for table in contract},
        {table: injector.new_values[table] for table in contract},
    )


def _check_arguments(accounts, seed, file_format, bad_rate, end_date, years, chunk_accounts) -> None:
    problems = []
    if accounts < 1:
        problems.append("accounts must be at least 1")
    if seed < 0:
        problems.append("seed must be 0 or more")
    if file_format not in RAW_FORMATS:
        problems.append(f"format must be one of {', '.join(RAW_FORMATS)}")
    if not 0 <= bad_rate <= 1:
        problems.append("bad rate must be between 0 and 1")
    if end_date > LATEST_END_DATE:
        problems.append(f"end date must be on or before {LATEST_END_DATE}")
    if years < 1:
        problems.append("years must be at least 1")
    if chunk_accounts < 1:
        problems.append("chunk size must be at least 1 account")
    if problems:
        raise ValueError("; ".join(problems))


class _TableSink:
    """Formats each chunk, lets the injector put the bad rows and findings in, appends the result to the
    table's file and hands the lines the rows start on back to the injector's manifests."""

    def __init__(
        self, contract: dict[str, list[str]], out_dir: Path, file_format: str, injector: FaultInjector
    ):
        self.contract = contract
        self.injector = injector
        self.table_numbers = {table: number for number, table in enumerate(contract)}
        self.writers = {
            table: open_writer(out_dir / f"{table}.{file_format}", columns, file_format)
            for table, columns in contract.items()
        }
        self.positions: Counter[str] = Counter()
        self.written: Counter[str] = Counter({table: 0 for table in contract})

    def write(self, table: str, typed: dict) -> None:
        columns = self.contract[table]
        if len(typed[columns[0]]) == 0:
            return
        rows = format_rows(table, self.table_numbers[table], columns, typed, self.positions[table], LOOKUPS)
        self.positions[table] += len(rows)
        self._emit(table, self.injector.inject(table, rows))

    def finish(self) -> None:
        for table in self.contract:
            self._emit(table, self.injector.finish(table))

    def _emit(self, table: str, batch: Batch) -> None:
        starts = self.writers[table].write(batch.rows, batch.line_rows)
        self.injector.record(table, batch, starts)
        self.written[table] += len(batch.rows)

    def close(self) -> None:
        for writer in self.writers.values():
            writer.close()


def _catalog_tables(
    window: Window, surveys: tuple[cat.Survey, ...], contract: dict[str, list[str]]
) -> dict[str, dict]:
    """The survey catalog as typed columns: the live surveys (created about a year before the window opens),
    then the archived ones, each with its questions."""
    tables = {name: TableBuffer(name, contract[name]) for name in ("surveys", "survey_questions")}
    for survey in surveys:
        tables["surveys"].add(
            survey_id=survey.survey_id,
            survey_name=survey.name,
            touchpoint=survey.touchpoint,
            created_at=(window.first_day - survey.created_days_before_window) * DAY + 9 * HOUR,
        )
        for position, question in enumerate(survey.questions):
            tables["survey_questions"].add(
                question_id=survey.question_id(position),
                survey_id=survey.survey_id,
                question_code=question.code,
                metric=question.metric,
                scale_min=NULL_INT if question.scale_min is None else question.scale_min,
                scale_max=NULL_INT if question.scale_max is None else question.scale_max,
                higher_is_better=NULL_INT
                if question.higher_is_better is None
                else int(question.higher_is_better),
                weight=question.weight,
                driver_name=question.driver,
            )
    return {name: buffer.collect() for name, buffer in tables.items()}


def _question_info(surveys: tuple[cat.Survey, ...]) -> QuestionInfo:
    scale, survey_of = {}, {}
    for survey in surveys:
        for position, question in enumerate(survey.questions):
            question_id = survey.question_id(position)
            survey_of[question_id] = survey.survey_id
            if question.is_scale:
                scale[question_id] = (question.scale_min, question.scale_max)
    return QuestionInfo(scale, survey_of)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The options of `cxw generate`."""
    parser.add_argument(
        "--accounts", type=int, required=True, help="accounts to simulate (~100 answers each)"
    )
    parser.add_argument("--seed", type=int, default=1, help="random seed; same arguments give the same bytes")
    parser.add_argument("--out", type=Path, required=True, help="folder for the raw files and the manifest")
    parser.add_argument(
        "--format", dest="file_format", choices=RAW_FORMATS, default="csv", help="file format"
    )
    parser.add_argument(
        "--bad-rate",
        type=float,
        default=0.01,
        help="share of rows per table made bad or a finding (0 = none)",
    )
    parser.add_argument(
        "--end-date",
        type=date.fromisoformat,
        default=DEFAULT_END_DATE,
        help="last day of the data (YYYY-MM-DD)",
    )
    parser.add_argument("--years", type=int, default=3, help="years of history up to the end date")
    parser.add_argument(
        "--chunk-accounts",
        type=int,
        default=DEFAULT_CHUNK_ACCOUNTS,
        help="accounts simulated per chunk: bounds memory, does not change the output",
    )
    parser.add_argument("--quiet", action="store_true", help="no progress bar")


def run(args: argparse.Namespace) -> int:
    """Run `cxw generate` with parsed arguments; prints the rows per table."""
    try:
        summary = generate(
            accounts=args.accounts,
            seed=args.seed,
            out_dir=args.out,
            file_format=args.file_format,
            bad_rate=args.bad_rate,
            end_date=args.end_date,
            years=args.years,
            progress=not args.quiet,
            chunk_accounts=args.chunk_accounts,
        )
    except ValueError as problem:
        raise SystemExit(f"cxw generate: {problem}") from problem
    print(summary.format())
    return 0


def main(argv: list[str] | None = None) -> int:
    """`cxw generate` as a program of its own: parse argv and run. Returns the exit code, 0; raises
    SystemExit for invalid arguments."""
    parser = argparse.ArgumentParser(prog="cxw generate", description=__doc__.split("\n\n")[0])
    add_arguments(parser)
    return run(parser.parse_args(argv))


if __name__ == "__main__":
    raise SystemExit(main())
