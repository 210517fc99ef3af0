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
- a value that does not parse cannot be dated: its row is kept as it is. So are the rows that the quarantine
  manifest lists as future_timestamp (a wrong clock, e.g. a 2099 timestamp, that was in every export);
- the manifest `_expected_quarantine.csv`, when present, keeps the lines of the rows that remain.

Timestamps are compared in UTC (a value without an offset is UTC), as the warehouse reads them.
"""

from __future__ import annotations

import csv
from collections import Counter
from datetime import date, timedelta
from pathlib import Path

import duckdb

from cx_warehouse.generator_faults import KEY_COLUMNS, MANIFEST_NAME, NULL_KEY_PART
from cx_warehouse.raw_contract import RAW_FORMATS, raw_contract

FUTURE_REASON = "future_timestamp"
CLOSED_OUTCOMES = "'resolved', 'not_resolved', 'no_response'"

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
    and the manifest filtered to the rows kept. Returns the rows written per table."""
    if file_format not in RAW_FORMATS:
        raise ValueError(f"file_format must be one of {', '.join(RAW_FORMATS)}")
    raw_dir, out_dir = Path(raw_dir), Path(out_dir)
    if raw_dir.resolve() == out_dir.resolve():
        raise ValueError("out_dir must differ from raw_dir: the cut reads the files it would overwrite")
    out_dir.mkdir(parents=True, exist_ok=True)
    contract = raw_contract()
    cut = (last_day + timedelta(days=1)).isoformat()
    con = duckdb.connect()
    try:
        con.execute("set TimeZone = 'UTC'")  # a timestamp without an offset is UTC, as in the warehouse
        con.execute("set enable_progress_bar = false")
        manifest = raw_dir / MANIFEST_NAME
        _load_manifest(con, manifest)
        if set(PARENTS) != set(contract):
            raise ValueError("nightly.PARENTS must list every raw table of the contract")
        written = {}
        for table in PARENTS:  # parents before their children
            columns = contract[table]
            _register(con, table, raw_dir / f"{table}.{file_format}", file_format)
            con.execute(_kept_rows_sql(table, columns, cut, last_day))
            written[table] = _write(con, f"select * from kept_{table}", out_dir / f"{table}.{file_format}")
        written = {table: written[table] for table in contract}
        if manifest.is_file():
            _write_manifest(con, contract, manifest, out_dir / MANIFEST_NAME)
    finally:
        con.close()
    return written


def _register(con: duckdb.DuckDBPyConnection, table: str, path: Path, file_format: str) -> None:
    """A view raw_<table> over the file, every column as text (as the warehouse reads it)."""
    location = str(path).replace("'", "''")
    reader = (
        f"read_parquet('{location}')"
        if file_format == "parquet"
        else f"read_csv('{location}', header = true, all_varchar = true)"
    )
    con.execute(f"create or replace temp view raw_{table} as select * from {reader}")


def _load_manifest(con: duckdb.DuckDBPyConnection, manifest: Path) -> None:
    """Table manifest(source_table, record_key, reason_code); empty when the data set has none."""
    con.execute("create temp table manifest (source_table varchar, record_key varchar, reason_code varchar)")
    if manifest.is_file():
        location = str(manifest).replace("'", "''")
        con.execute(
            "insert into manifest select source_table, record_key, reason_code from "
            f"read_csv('{location}', header = true, all_varchar = true)"
        )


def _record_key(table: str, columns: list[str], alias: str) -> str:
    """The manifest's key of a row: its key columns joined with '|', '<null>' for an empty one."""
    keys = KEY_COLUMNS.get(table, (columns[0],))
    parts = [f"coalesce({alias}.{key}, '{NULL_KEY_PART}')" for key in keys]
    return parts[0] if len(parts) == 1 else "concat_ws('|', " + ", ".join(parts) + ")"


def _after(column: str, cut: str, last_day: date) -> str:
    """SQL: the text column holds a date or timestamp after last_day (false when it does not parse)."""
    text = f"nullif(trim(cast({column} as varchar)), '')"
    if column.split(".")[-1] in DATE_COLUMNS:
        return f"coalesce(try_cast({text} as date) > date '{last_day.isoformat()}', false)"
    return f"coalesce(try_cast({text} as timestamptz) >= timestamptz '{cut} 00:00:00+00', false)"


def _kept_rows_sql(table: str, columns: list[str], cut: str, last_day: date) -> str:
    """Temp relations removed_<table> (rows that did not exist yet at the end of last_day) and kept_<table>
    (the others, as they were then)."""
    removed = []
    dating = DATING_COLUMNS.get(table)
    if dating:
        future = (
            f"{_record_key(table, columns, 'raw')} in (select record_key from manifest "
            f"where source_table = '{table}' and reason_code = '{FUTURE_REASON}')"
        )
        removed.append(f"({_after('raw.' + dating, cut, last_day)} and not {future})")
    for column, parent, parent_key in PARENTS[table]:
        removed.append(
            f"coalesce(raw.{column} in (select removed.{parent_key} from removed_{parent} as removed "
            f"where removed.{parent_key} is not null), false)"
        )
    condition = " or ".join(removed) if removed else "false"
    select = [_cut_column(table, column, cut, last_day) for column in columns]
    # The removed rows are few and their children need them; the kept rows are streamed to the output.
    return f"""
        create temp table removed_{table} as
        select raw.* from raw_{table} as raw where {condition};
        create temp view kept_{table} as
        select {", ".join(select)} from raw_{table} as raw where not ({condition});
    """


def _cut_column(table: str, column: str, cut: str, last_day: date) -> str:
    """A column of a kept row as it was at the end of last_day."""
    raw = f"raw.{column}"
    if column in UPDATE_COLUMNS.get(table, ()):
        return f"case when {_after(raw, cut, last_day)} then null else {raw} end as {column}"
    counts = {"agent_replies": "raw.first_response_at", "reopened_count": "raw.solved_at"}
    if table == "support_tickets" and column in counts:
        # Not answered yet: no agent replies; not solved yet: not reopened. A count that is not a count (does
        # not parse, or is negative) is an injected fault and stays.
        return (
            f"case when {_after(counts[column], cut, last_day)} "
            f"and try_cast(trim({raw}) as bigint) >= 0 then '0' else {raw} end as {column}"
        )
    if table == "feedback_cases" and column == "outcome":
        # A case still open has the outcome 'open'; an outcome that is not one of the closing ones is an
        # injected fault and stays.
        return (
            f"case when {_after('raw.closed_at', cut, last_day)} "
            f"and lower(trim({raw})) in ({CLOSED_OUTCOMES}) then 'open' else {raw} end as {column}"
        )
    return raw


def _write(con: duckdb.DuckDBPyConnection, query: str, path: Path) -> int:
    """Write the query's rows to path (CSV with a header, or Parquet); returns the rows written."""
    location = str(path).replace("'", "''")
    options = "format parquet, compression zstd" if path.suffix == ".parquet" else "format csv, header true"
    return con.execute(f"copy ({query}) to '{location}' ({options})").fetchone()[0]


def _write_manifest(
    con: duckdb.DuckDBPyConnection, contract: dict[str, list[str]], manifest: Path, path: Path
) -> None:
    """The manifest's lines whose row is still there, in their original order. A key names one line per bad
    row, but a duplicated key one line for two rows and an empty key ('<null>') one line per row: so the
    first min(lines, rows kept) lines of each key are kept."""
    kept_rows: Counter[tuple[str, str]] = Counter()
    for table, columns in contract.items():
        key = _record_key(table, columns, "kept")
        kept_rows.update(
            {
                (table, record_key): rows
                for record_key, rows in con.execute(
                    f"""
                    select {key} as record_key, count(*) as row_count
                    from kept_{table} as kept
                    where {key} in (select record_key from manifest where source_table = '{table}')
                    group by {key}
                    """
                ).fetchall()
            }
        )
    with (
        manifest.open(encoding="utf-8", newline="") as source,
        path.open("w", encoding="utf-8", newline="") as out,
    ):
        reader, writer = csv.reader(source), csv.writer(out)
        writer.writerow(next(reader))
        for line in reader:
            if kept_rows[(line[0], line[1])] > 0:
                kept_rows[(line[0], line[1])] -= 1
                writer.writerow(line)
