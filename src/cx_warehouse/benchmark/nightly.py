"""Simulate nightly exports: cut a raw data set back to what it held at the end of an earlier day.

    cut_raw_to_day(raw_dir, out_dir, last_day=date(2026, 9, 29), file_format="csv")

A raw export is a full snapshot of every table, taken every night. To test (and benchmark) an incremental
build the way it runs in production, "yesterday's export" is needed next to today's; the generator cannot
make it (a data set generated with an earlier end date is a different simulation, not the same history
stopped earlier). This module derives it from today's files with DuckDB SQL, which streams the files
instead of loading them into Python, so it handles data sets of any size:

- event rows after last_day are removed: invitations sent, responses submitted (and their answers), tickets
  created, invoices dated, feedback cases opened, churn events, onboarding kick-offs, contracts starting after
  it; accounts and contacts created after it are removed together with every row that refers to them (and
  surveys with their questions, invitations, responses, answers, cases);
- rows that were updated after last_day are shown as they were: a ticket's first_response_at and solved_at,
  a case's first_contact_at and closed_at, an onboarding's go_live_at and a contract's end_date are emptied
  when later (an unanswered ticket has no agent replies yet and an open one no reopenings; an open case's
  outcome is 'open', as the generator writes them);
- a value that does not parse cannot be dated: its row is kept as it is. So is a row dated more than
  WRONG_CLOCK_DAYS after last_day (a wrong clock, e.g. a 2099 timestamp, that was in every export), and a
  record of a CSV file that cannot be read (a malformed line, undecodable bytes): it is appended, byte for
  byte, after the rows that can;
- the manifests (`_expected_quarantine.csv`, `_expected_orphans.csv`, `_expected_new_values.csv`), when
  present, keep the lines of the rows that remain; a record keyed by its line ('line N') gets its new line.

Timestamps are compared in UTC (a value without an offset is UTC), as the warehouse reads them.
"""

from __future__ import annotations

import csv
from collections import Counter
from datetime import date, timedelta
from pathlib import Path
from typing import BinaryIO

import duckdb

from cx_warehouse.generator.faults import NULL_KEY_PART, label_key, vocabularies
from cx_warehouse.generator.injector import MANIFESTS, ORPHANS, QUARANTINE
from cx_warehouse.runtime.raw_contract import RAW_FORMATS, raw_contract, raw_tables

WRONG_CLOCK_DAYS = 366
CLOSED_OUTCOMES = ("resolved", "not_resolved", "no_response")
_CHUNK = 1 << 24  # bytes per read when counting lines

# Per table: the timestamp or date that dates the row (rows after last_day are removed).
DATING_COLUMNS: dict[str, str] = {
    "accounts": "created_at",
    "contacts": "created_at",
    "contracts": "start_date",
    "invoices": "invoice_date",
    "churn_events": "churned_at",
    "onboarding_projects": "kickoff_at",
    "feedback_cases": "opened_at",
    "support_tickets": "created_at",
    "surveys": "created_at",
    "survey_invitations": "sent_at",
    "survey_responses": "submitted_at",
}
DATE_COLUMNS = {"start_date", "end_date", "invoice_date"}
# Per table: the columns of later updates, emptied when after last_day.
UPDATE_COLUMNS: dict[str, tuple[str, ...]] = {
    "contracts": ("end_date",),
    "onboarding_projects": ("go_live_at",),
    "feedback_cases": ("first_contact_at", "closed_at"),
    "support_tickets": ("first_response_at", "solved_at"),
}
# A row is removed with its parent: (column, parent table, parent's key column), in dependency order.
PARENTS: dict[str, tuple[tuple[str, str, str], ...]] = {
    "accounts": (),
    "contacts": (("account_id", "accounts", "account_id"),),
    "contracts": (("account_id", "accounts", "account_id"),),
    "invoices": (("account_id", "accounts", "account_id"),),
    "churn_events": (("account_id", "accounts", "account_id"),),
    "onboarding_projects": (("account_id", "accounts", "account_id"),),
    "surveys": (),
    "survey_questions": (("survey_id", "surveys", "survey_id"),),
    "survey_invitations": (
        ("survey_id", "surveys", "survey_id"),
        ("contact_id", "contacts", "contact_id"),
    ),
    "survey_responses": (
        ("survey_id", "surveys", "survey_id"),
        ("contact_id", "contacts", "contact_id"),
        ("invitation_id", "survey_invitations", "invitation_id"),
    ),
    "survey_answers": (("response_id", "survey_responses", "response_id"),),
    "support_tickets": (
        ("account_id", "accounts", "account_id"),
        ("contact_id", "contacts", "contact_id"),
    ),
    "feedback_cases": (("response_id", "survey_responses", "response_id"),),
}


def cut_raw_to_day(raw_dir: Path, out_dir: Path, last_day: date, file_format: str = "csv") -> dict[str, int]:
    """Write to out_dir the raw files of raw_dir as exported at the end of last_day (UTC), in file_format,
    and the manifests filtered to the rows kept. Returns the rows written per table."""
    if file_format not in RAW_FORMATS:
        raise ValueError(f"file_format must be one of {', '.join(RAW_FORMATS)}")
    raw_dir, out_dir = Path(raw_dir), Path(out_dir)
    if raw_dir.resolve() == out_dir.resolve():
        raise ValueError("out_dir must differ from raw_dir: the cut reads the files it would overwrite")
    out_dir.mkdir(parents=True, exist_ok=True)
    contract = raw_contract()
    con = duckdb.connect()
    try:
        con.execute("set TimeZone = 'UTC'")  # a timestamp without an offset is UTC, as in the warehouse
        con.execute("set enable_progress_bar = false")
        _load_listed_keys(con, raw_dir)
        if set(PARENTS) != set(contract):
            raise ValueError("nightly.PARENTS must list every raw table of the contract")
        written, new_lines = {}, {}
        for table in PARENTS:  # parents before their children
            columns = contract[table]
            path = raw_dir / f"{table}.{file_format}"
            unreadable = _register(con, table, columns, path, file_format)
            con.execute(_kept_rows_sql(table, columns, last_day))
            out = out_dir / f"{table}.{file_format}"
            written[table] = _write(con, f"select * from kept_{table}", out)
            new_lines[table] = _append_records(out, unreadable)
            written[table] += len(unreadable)
        written = {table: written[table] for table in contract}
        _write_manifests(con, contract, raw_dir, out_dir, new_lines)
    finally:
        con.close()
    return written


def _register(
    con: duckdb.DuckDBPyConnection, table: str, columns: list[str], path: Path, file_format: str
) -> list[tuple[int, bytes]]:
    """A view raw_<table> over the file, every column as text (as the warehouse reads it). A CSV file is read
    with the loader's dialect; the records DuckDB cannot read are left out of the view and returned as (the
    line where each starts, its bytes)."""
    if file_format == "parquet":
        location = str(path).replace("'", "''")
        con.execute(f"create or replace temp view raw_{table} as select * from read_parquet('{location}')")
        return []
    reader = _csv_reader(path, columns)
    # Every column is read (concat_ws), so that DuckDB checks every value's encoding.
    con.execute(
        f"select count(*) from {reader}, store_rejects = true, rejects_table = 'rejects_{table}', "
        f"rejects_scan = 'scans_{table}') where concat_ws(',', {', '.join(columns)}) is not null"
    ).fetchall()
    offsets = [
        offset
        for (offset,) in con.execute(
            f"select distinct line_byte_position from rejects_{table} order by line_byte_position"
        ).fetchall()
    ]
    con.execute(f"create or replace temp view raw_{table} as select * from {reader}, ignore_errors = true)")
    return _records_at(path, offsets)


def _records_at(path: Path, offsets: list[int]) -> list[tuple[int, bytes]]:
    """(line, bytes) of the CSV records starting at the byte offsets (ascending): a record runs to the end of
    the line on which its quotes are balanced (a quoted value may hold line breaks)."""
    records = []
    with path.open("rb") as handle:
        line, position = 1, 0
        for offset in offsets:
            line += _line_ends(handle, offset - position)
            record = handle.readline()
            while record.count(b'"') % 2 and (more := handle.readline()):
                record += more
            records.append((line, record))
            line += _line_ends_in(record)
            position = handle.tell()
    return records


def _line_ends_in(data: bytes) -> int:
    """Line ends in some bytes as the loader counts them: CRLF, LF and CR each end one line."""
    return data.count(b"\n") + data.count(b"\r") - data.count(b"\r\n")


def _line_ends(handle: BinaryIO, size: int) -> int:
    """Line ends in the next `size` bytes of an open file, read in chunks."""
    ends, last = 0, b""
    while size > 0 and (chunk := handle.read(min(size, _CHUNK))):
        ends += _line_ends_in(chunk) - (last == b"\r" and chunk[:1] == b"\n")  # a CRLF split by the chunks
        last, size = chunk[-1:], size - len(chunk)
    return ends


def _append_records(path: Path, records: list[tuple[int, bytes]]) -> dict[int, int]:
    """Append the unreadable records to a written CSV file; returns each one's line there by its old line."""
    if not records:
        return {}
    with path.open("rb") as handle:
        line = _line_ends(handle, path.stat().st_size) + 1
    moved = {}
    with path.open("ab") as handle:
        for old_line, record in records:
            moved[old_line] = line
            record = record if record.endswith((b"\n", b"\r")) else record + b"\n"
            handle.write(record)
            line += _line_ends_in(record)
    return moved


def _load_listed_keys(con: duckdb.DuckDBPyConnection, raw_dir: Path) -> None:
    """Table listed(source_table, record_key): the keys the quarantine and orphan manifests name."""
    con.execute("create temp table listed (source_table varchar, record_key varchar)")
    for name in (QUARANTINE, ORPHANS):
        file_name, columns = MANIFESTS[name]
        if (raw_dir / file_name).is_file():
            con.execute(
                "insert into listed select source_table, record_key from "
                f"{_csv_reader(raw_dir / file_name, columns)})"
            )


def _csv_reader(path: Path, columns: list[str] | tuple[str, ...]) -> str:
    """SQL: read_csv( over a file with a header, its columns as text, in the dialect the generator and the
    loader use, without the closing parenthesis (options may follow)."""
    location = str(path).replace("'", "''")
    types = ", ".join(f"'{column}': 'VARCHAR'" for column in columns)
    return (
        f"read_csv('{location}', header = true, auto_detect = false, columns = {{{types}}}, delim = ',', "
        "quote = '\"', escape = '\"'"
    )


def _record_key(table: str, alias: str) -> str:
    """The manifest's key of a row: its key columns joined with '|', '<null>' for an empty one."""
    parts = [f"coalesce({alias}.{key}, '{NULL_KEY_PART}')" for key in raw_tables()[table].key]
    return parts[0] if len(parts) == 1 else "concat_ws('|', " + ", ".join(parts) + ")"


def _after(column: str, last_day: date) -> str:
    """SQL: the text column holds a date or timestamp after last_day (false when it does not parse)."""
    text = f"nullif(trim(cast({column} as varchar)), '')"
    if column.split(".")[-1] in DATE_COLUMNS:
        return f"coalesce(try_cast({text} as date) > date '{last_day.isoformat()}', false)"
    cut = (last_day + timedelta(days=1)).isoformat()
    return f"coalesce(try_cast({text} as timestamptz) >= timestamptz '{cut} 00:00:00+00', false)"


def _kept_rows_sql(table: str, columns: list[str], last_day: date) -> str:
    """Temp relations removed_<table> (rows that did not exist yet at the end of last_day) and kept_<table>
    (the others, as they were then)."""
    removed = []
    dating = DATING_COLUMNS.get(table)
    if dating:
        wrong_clock = _after("raw." + dating, last_day + timedelta(days=WRONG_CLOCK_DAYS))
        removed.append(f"({_after('raw.' + dating, last_day)} and not {wrong_clock})")
    for column, parent, parent_key in PARENTS[table]:
        removed.append(
            f"coalesce(raw.{column} in (select removed.{parent_key} from removed_{parent} as removed "
            f"where removed.{parent_key} is not null), false)"
        )
    condition = " or ".join(removed) if removed else "false"
    select = [_cut_column(table, column, last_day) for column in columns]
    # The removed rows are few and their children need them; the kept rows are streamed to the output.
    return f"""
        create temp table removed_{table} as
        select raw.* from raw_{table} as raw where {condition};
        create temp view kept_{table} as
        select {", ".join(select)} from raw_{table} as raw where not ({condition});
    """


def _cut_column(table: str, column: str, last_day: date) -> str:
    """A column of a kept row as it was at the end of last_day."""
    raw = f"raw.{column}"
    if column in UPDATE_COLUMNS.get(table, ()):
        return f"case when {_after(raw, last_day)} then null else {raw} end as {column}"
    counts = {"agent_replies": "raw.first_response_at", "reopened_count": "raw.solved_at"}
    if table == "support_tickets" and column in counts:
        # Not answered yet: no agent replies; not solved yet: not reopened. A count that is not a count (does
        # not parse, or is negative) is an injected fault and stays.
        return (
            f"case when {_after(counts[column], last_day)} "
            f"and try_cast(trim({raw}) as bigint) >= 0 then '0' else {raw} end as {column}"
        )
    if table == "feedback_cases" and column == "outcome":
        # A case still open has the outcome 'open'; an outcome that is not a spelling of a closing one (seed
        # label_synonyms) is a planted new value and stays.
        spellings = vocabularies().spellings(raw_tables()[table].column(column).vocabulary, CLOSED_OUTCOMES)
        closing = ", ".join(f"'{label_key(spelling)}'" for spelling in spellings)
        return (
            f"case when {_after('raw.closed_at', last_day)} "
            f"and lower(trim(regexp_replace({raw}, ' +', ' ', 'g'))) in ({closing}) then 'open' "
            f"else {raw} end as {column}"
        )
    return raw


def _write(con: duckdb.DuckDBPyConnection, query: str, path: Path) -> int:
    """Write the query's rows to path (CSV with a header, or Parquet); returns the rows written."""
    location = str(path).replace("'", "''")
    options = "format parquet, compression zstd" if path.suffix == ".parquet" else "format csv, header true"
    return con.execute(f"copy ({query}) to '{location}' ({options})").fetchone()[0]


def _write_manifests(
    con: duckdb.DuckDBPyConnection,
    contract: dict[str, list[str]],
    raw_dir: Path,
    out_dir: Path,
    new_lines: dict[str, dict[int, int]],
) -> None:
    """Each manifest of raw_dir, in its original order, with the lines of the rows still there.

    Quarantine: a key names one line per bad row, but a duplicated key one line for two rows and an empty key
    ('<null>') one line per row: so the first min(lines, rows kept) lines of each key are kept; a record the
    loader cannot read ('line N') is always kept, with its line in the new file. Orphans: a line per row and
    reference, kept while a row with the key is. New values: kept while a row holds the spelling."""
    kept_rows: Counter[tuple[str, str]] = Counter()
    for table in contract:
        key = _record_key(table, "kept")
        kept_rows.update(
            {
                (table, record_key): rows
                for record_key, rows in con.execute(
                    f"""
                    select {key} as record_key, count(*) as row_count
                    from kept_{table} as kept
                    where {key} in (select record_key from listed where source_table = '{table}')
                    group by {key}
                    """
                ).fetchall()
            }
        )
    for name, (file_name, _) in MANIFESTS.items():
        if not (raw_dir / file_name).is_file():
            continue
        with (raw_dir / file_name).open(encoding="utf-8", newline="") as source:
            reader = csv.reader(source)
            header, lines = next(reader), list(reader)
        if name == QUARANTINE:
            kept = [_moved_or_kept(line, kept_rows, new_lines) for line in lines]
        elif name == ORPHANS:
            kept = [line for line in lines if kept_rows[(line[0], line[1])] > 0]
        else:
            held = _held_spellings(con, lines)
            kept = [line for line in lines if line in held]
        with (out_dir / file_name).open("w", encoding="utf-8", newline="") as out:
            csv.writer(out).writerows([header, *(line for line in kept if line)])


def _moved_or_kept(
    line: list[str], kept_rows: Counter[tuple[str, str]], new_lines: dict[str, dict[int, int]]
) -> list[str] | None:
    """A quarantine line as it stays (with its record's new line), or None when its row is gone."""
    table, record_key, *rest = line
    if record_key.startswith("line ") and int(record_key[5:]) in new_lines[table]:
        return [table, f"line {new_lines[table][int(record_key[5:])]}", *rest]
    if kept_rows[(table, record_key)] > 0:
        kept_rows[(table, record_key)] -= 1
        return line
    return None


def _held_spellings(con: duckdb.DuckDBPyConnection, lines: list[list[str]]) -> list[list[str]]:
    """The (table, column, spelling) lines whose spelling a kept row of the table still holds."""
    held = []
    for table, column in sorted({(table, column) for table, column, _ in lines}):
        spellings = [
            spelling for other, other_column, spelling in lines if (other, other_column) == (table, column)
        ]
        found = con.execute(
            f"select distinct trim({column}) from kept_{table} where trim({column}) in (select unnest(?))",
            [spellings],
        ).fetchall()
        held += [[table, column, spelling] for (spelling,) in found]
    return held
