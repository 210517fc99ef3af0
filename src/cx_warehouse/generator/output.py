"""Typed column buffers, text formatting and the CSV/Parquet writers of the demo-data generator.

The simulation fills typed numpy columns (ids as integers, timestamps as epoch seconds, money as cents);
this module turns one chunk of them into the raw files' text: ids with their prefix, ISO 8601 timestamps in
a mix of naive (UTC), `Z` and Central European local time with its offset, dates, money with two decimals.
Everything a row's text depends on is a function of the row's position in its table, never of the chunk it
was built in, so any chunk size writes the same bytes.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from datetime import date, datetime, timedelta
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

DAY = 86_400
# The one null marker of every integer-coded column (ids, epoch seconds, epoch days, cents, counts, booleans).
NULL_INT = -(2**62)

Row = tuple  # one formatted row: str | None per column, in contract order

# How each raw column is stored in the typed buffers and written. ("id", prefix): integer -> prefix + digits;
# ("lookup", labels): integer index into labels; "text": str or None.
ID_WIDTH = 9
SURVEY_IDS_KIND = "survey_lookup"
QUESTION_IDS_KIND = "question_lookup"
COLUMN_KINDS: dict[str, dict[str, object]] = {
    "accounts": {
        "account_id": ("id", "ACC-"),
        "account_name": "text",
        "industry": "text",
        "employee_band": "text",
        "region": "text",
        "country_code": "text",
        "tier": "text",
        "account_manager": "text",
        "created_at": "timestamp",
    },
    "contacts": {
        "contact_id": ("id", "CON-"),
        "account_id": ("id", "ACC-"),
        "full_name": "text",
        "email": "text",
        "job_role": "text",
        "is_decision_maker": "bool",
        "created_at": "timestamp",
    },
    "contracts": {
        "contract_id": ("id", "CTR-"),
        "account_id": ("id", "ACC-"),
        "product": "text",
        "start_date": "date",
        "end_date": "date",
        "arr": "money",
        "currency": "text",
    },
    "invoices": {
        "invoice_id": ("id", "INV-"),
        "account_id": ("id", "ACC-"),
        "invoice_date": "date",
        "amount": "money",
        "currency": "text",
    },
    "churn_events": {
        "account_id": ("id", "ACC-"),
        "churned_at": "timestamp",
        "reason_category": "text",
        "reason_text": "text",
    },
    "onboarding_projects": {
        "account_id": ("id", "ACC-"),
        "kickoff_at": "timestamp",
        "go_live_at": "timestamp",
    },
    "feedback_cases": {
        "case_id": ("id", "CAS-"),
        "response_id": ("id", "RSP-"),
        "owner": "text",
        "opened_at": "timestamp",
        "first_contact_at": "timestamp",
        "closed_at": "timestamp",
        "outcome": "text",
    },
    "support_tickets": {
        "ticket_id": ("id", "TCK-"),
        "account_id": ("id", "ACC-"),
        "contact_id": ("id", "CON-"),
        "created_at": "timestamp",
        "first_response_at": "timestamp",
        "solved_at": "timestamp",
        "channel": "text",
        "priority": "text",
        "category": "text",
        "agent_replies": "int",
        "reopened_count": "int",
    },
    "surveys": {"survey_id": "text", "survey_name": "text", "touchpoint": "text", "created_at": "timestamp"},
    "survey_questions": {
        "question_id": "text",
        "survey_id": "text",
        "question_code": "text",
        "metric": "text",
        "scale_min": "int",
        "scale_max": "int",
        "higher_is_better": "bool",
        "weight": "text",
        "driver_name": "text",
    },
    "survey_invitations": {
        "invitation_id": ("id", "IVT-"),
        "survey_id": SURVEY_IDS_KIND,
        "contact_id": ("id", "CON-"),
        "sent_at": "timestamp",
        "channel": "text",
    },
    "survey_responses": {
        "response_id": ("id", "RSP-"),
        "survey_id": SURVEY_IDS_KIND,
        "invitation_id": ("id", "IVT-"),
        "contact_id": ("id", "CON-"),
        "submitted_at": "timestamp",
        "language": "text",
    },
    "survey_answers": {
        "response_id": ("id", "RSP-"),
        "question_id": QUESTION_IDS_KIND,
        "score": "int",
        "answer_text": "text",
    },
}

# Share of naive (UTC), Z and local-with-offset timestamps per table: each source system has its habits.
TIMESTAMP_STYLE_WEIGHTS = {
    "accounts": (0.3, 0.3, 0.4),
    "contacts": (0.3, 0.3, 0.4),
    "churn_events": (0.3, 0.3, 0.4),
    "surveys": (0.1, 0.7, 0.2),
    "survey_invitations": (0.1, 0.7, 0.2),
    "survey_responses": (0.1, 0.7, 0.2),
    "support_tickets": (0.6, 0.1, 0.3),
    "onboarding_projects": (0.2, 0.2, 0.6),
    "feedback_cases": (0.2, 0.2, 0.6),
}
NAIVE, ZULU, LOCAL = 0, 1, 2


class TableBuffer:
    """Typed columns of one table for one chunk, appended account by account and joined once per chunk.

    Text columns are object arrays (None = null); every other kind is int64 with NULL_INT for null.
    """

    def __init__(self, table: str, columns: Sequence[str]):
        self.columns = tuple(columns)
        kinds = COLUMN_KINDS[table]
        self._dtypes = {column: object if kinds[column] == "text" else np.int64 for column in self.columns}
        self._pieces: dict[str, list] = {column: [] for column in self.columns}

    def add(self, **values) -> None:
        """Append rows: one equal-length array or list per column (a scalar appends one row)."""
        if set(values) != set(self.columns):
            raise ValueError(f"columns {sorted(values)} do not match {sorted(self.columns)}")
        for column, value in values.items():
            self._pieces[column].append(value if isinstance(value, (list, np.ndarray)) else [value])

    def collect(self) -> dict[str, np.ndarray]:
        """The chunk's columns, each one array; empties the buffer."""
        joined = {}
        for column, pieces in self._pieces.items():
            dtype = self._dtypes[column]
            joined[column] = np.concatenate(
                [np.asarray(piece, dtype=dtype) for piece in pieces] or [np.array([], dtype=dtype)]
            )
            pieces.clear()
        return joined


def _splitmix64(values: np.ndarray) -> np.ndarray:
    """A fast, well-mixed hash of uint64 positions: per-row choices that depend on the position only."""
    z = values + np.uint64(0x9E3779B97F4A7C15)
    z = (z ^ (z >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
    z = (z ^ (z >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
    return z ^ (z >> np.uint64(31))


def timestamp_styles(table: str, table_number: int, first_position: int, count: int) -> np.ndarray:
    """NAIVE/ZULU/LOCAL per row, from a hash of the row's position in its table."""
    positions = np.arange(first_position, first_position + count, dtype=np.uint64)
    salted = positions + np.uint64(table_number) * np.uint64(0x1000000000)
    uniform = (_splitmix64(salted) >> np.uint64(11)).astype(np.float64) / float(2**53)
    return np.searchsorted(np.cumsum(TIMESTAMP_STYLE_WEIGHTS[table]), uniform, side="right").clip(0, 2)


def _last_sunday(year: int, month: int) -> date:
    last = date(year + (month == 12), month % 12 + 1, 1) - timedelta(days=1)
    return last - timedelta(days=(last.weekday() + 1) % 7)


def _dst_transitions(first_year: int = 1970, last_year: int = 2200) -> np.ndarray:
    """Epoch seconds of the EU summer-time starts and ends (01:00 UTC on the last Sunday of March/October)."""
    epoch = datetime(1970, 1, 1)
    transitions = []
    for year in range(first_year, last_year + 1):
        for month in (3, 10):
            moment = datetime.combine(_last_sunday(year, month), datetime.min.time()) + timedelta(hours=1)
            transitions.append(int((moment - epoch).total_seconds()))
    return np.array(transitions, dtype=np.int64)


_DST_TRANSITIONS = _dst_transitions()


def central_european_offset(seconds: np.ndarray) -> np.ndarray:
    """UTC offset in seconds of Central European Time at each instant: +01:00, or +02:00 in summer time."""
    in_summer = np.searchsorted(_DST_TRANSITIONS, seconds, side="right") % 2 == 1
    return np.where(in_summer, 7200, 3600)


def format_timestamps(seconds: np.ndarray, styles: np.ndarray) -> list[str | None]:
    """ISO 8601 text of UTC epoch seconds: naive (UTC), with Z, or the local time with its offset."""
    seconds = np.asarray(seconds, dtype=np.int64)
    is_null = seconds == NULL_INT
    offsets = np.where(styles == LOCAL, central_european_offset(seconds), 0)
    shown = np.where(is_null, 0, seconds + offsets).astype("datetime64[s]")
    texts = np.datetime_as_string(shown, unit="s").tolist()
    suffixes = np.where(
        styles == ZULU, "Z", np.where(offsets == 7200, "+02:00", np.where(offsets, "+01:00", ""))
    )
    return [
        None if null else text + suffix
        for text, suffix, null in zip(texts, suffixes.tolist(), is_null.tolist(), strict=True)
    ]


def format_dates(days: np.ndarray) -> list[str | None]:
    """Epoch days as ISO dates ('2026-09-30'); NULL_INT as None."""
    days = np.asarray(days, dtype=np.int64)
    is_null = days == NULL_INT
    texts = np.datetime_as_string(np.where(is_null, 0, days).astype("datetime64[D]")).tolist()
    return [None if null else text for text, null in zip(texts, is_null.tolist(), strict=True)]


def format_ids(numbers: np.ndarray, prefix: str) -> list[str | None]:
    """Numbers as keys: prefix + the number zero-padded to ID_WIDTH digits ('ACC-000000042'); NULL_INT as
    None."""
    return [None if number == NULL_INT else f"{prefix}{number:0{ID_WIDTH}d}" for number in numbers.tolist()]


def format_money(cents: np.ndarray) -> list[str | None]:
    """Cents to text with a dot and exactly two decimals (integer arithmetic: no float rounding)."""
    texts = []
    for value in cents.tolist():
        if value == NULL_INT:
            texts.append(None)
        else:
            units, rest = divmod(abs(value), 100)
            texts.append(f"{'-' if value < 0 else ''}{units}.{rest:02d}")
    return texts


def format_integers(values: np.ndarray) -> list[str | None]:
    """Integers as text; NULL_INT as None."""
    return [None if value == NULL_INT else str(value) for value in values.tolist()]


def format_booleans(values: np.ndarray) -> list[str | None]:
    """1/0 as 'true'/'false'; NULL_INT as None."""
    return [None if value == NULL_INT else ("true" if value else "false") for value in values.tolist()]


def format_column(
    kind: object, values: np.ndarray, styles: np.ndarray, lookups: dict[str, Sequence[str]]
) -> list:
    """One typed column to its text values (None = empty field)."""
    if kind == "text":
        return [None if value is None else str(value) for value in values.tolist()]
    if kind == "timestamp":
        return format_timestamps(values, styles)
    if kind == "date":
        return format_dates(values)
    if kind == "money":
        return format_money(values)
    if kind == "int":
        return format_integers(values)
    if kind == "bool":
        return format_booleans(values)
    if kind in lookups:
        labels = lookups[kind]
        return [labels[index] for index in values.tolist()]
    if isinstance(kind, tuple) and kind[0] == "id":
        return format_ids(values, kind[1])
    raise ValueError(f"unknown column kind {kind!r}")


def format_rows(
    table: str,
    table_number: int,
    columns: Sequence[str],
    typed: dict[str, np.ndarray],
    first_position: int,
    lookups: dict[str, Sequence[str]],
) -> list[Row]:
    """The chunk's rows of one table as text tuples in contract column order."""
    count = len(typed[columns[0]])
    kinds = COLUMN_KINDS[table]
    styles = (
        timestamp_styles(table, table_number, first_position, count)
        if table in TIMESTAMP_STYLE_WEIGHTS
        else np.zeros(count, dtype=np.int64)
    )
    formatted = [format_column(kinds[column], typed[column], styles, lookups) for column in columns]
    return list(zip(*formatted, strict=True))


class CsvTableWriter:
    """Appends rows to <table>.csv: header, comma, UTF-8, RFC 4180 quoting (CRLF), empty field = null.

    Counts the physical lines it writes (a value with a line break spans several, as the loader counts them:
    CRLF, LF and CR each end one), so it can say on which line a row starts: the record key the warehouse
    gives a row the loader cannot read. Text may carry undecodable bytes as lone surrogates (U+DC80-U+DCFF,
    Python's surrogateescape): they are written as those bytes.
    """

    def __init__(self, path: Path, columns: Sequence[str]):
        self._file = path.open("w", encoding="utf-8", errors="surrogateescape", newline="")
        self._buffer = io.StringIO()
        self._writer = csv.writer(self._buffer)
        self._next_line = 1
        self._write_segment([tuple(columns)])

    def write(self, rows: Sequence[Row], starts_of: Sequence[int] = ()) -> list[int]:
        """Append the rows; returns the line on which each row of `starts_of` (indexes, ascending) starts."""
        starts, done = [], 0
        for index in starts_of:
            self._write_segment(rows[done:index])
            starts.append(self._next_line)
            done = index
        self._write_segment(rows[done:])
        return starts

    def _write_segment(self, rows: Sequence[Row]) -> None:
        self._writer.writerows(rows)
        text = self._buffer.getvalue()
        self._next_line += text.count("\n") + text.count("\r") - text.count("\r\n")
        self._file.write(text)
        self._buffer.seek(0)
        self._buffer.truncate()

    def close(self) -> None:
        """Close the file."""
        self._file.close()


class ParquetTableWriter:
    """Appends rows to <table>.parquet, every column a string, in row groups of a fixed size.

    Fixed-size row groups (instead of one per chunk) keep the file's bytes independent of the chunk size;
    rows wait for their row group as Arrow tables, which hold strings far more compactly than Python tuples.
    """

    ROW_GROUP_ROWS = 65_536

    def __init__(self, path: Path, columns: Sequence[str]):
        self._schema = pa.schema([(column, pa.string()) for column in columns])
        self._writer = pq.ParquetWriter(path, self._schema, compression="zstd")
        self._pending: list[pa.Table] = []
        self._pending_rows = 0

    def write(self, rows: Sequence[Row], starts_of: Sequence[int] = ()) -> list[int]:
        """Append the rows. A Parquet file has no lines: `starts_of` must be empty (CSV faults only)."""
        if starts_of:
            raise ValueError("a Parquet file has no line numbers")
        if not rows:
            return []
        columns = zip(*rows, strict=True)
        arrays = [pa.array(values, type=pa.string()) for values in columns]
        self._pending.append(pa.Table.from_arrays(arrays, schema=self._schema))
        self._pending_rows += len(rows)
        while self._pending_rows >= self.ROW_GROUP_ROWS:
            waiting = pa.concat_tables(self._pending)
            self._write_row_group(waiting.slice(0, self.ROW_GROUP_ROWS))
            rest = waiting.slice(self.ROW_GROUP_ROWS).combine_chunks()
            self._pending, self._pending_rows = [rest], rest.num_rows
        return []

    def _write_row_group(self, table: pa.Table) -> None:
        self._writer.write_table(table.combine_chunks(), row_group_size=self.ROW_GROUP_ROWS)

    def close(self) -> None:
        """Write the rows still pending as a last row group and close the file."""
        if self._pending_rows:
            self._write_row_group(pa.concat_tables(self._pending))
        self._pending, self._pending_rows = [], 0
        self._writer.close()


def open_writer(path: Path, columns: Sequence[str], file_format: str) -> CsvTableWriter | ParquetTableWriter:
    """The writer for <table>.csv or <table>.parquet (`file_format` 'csv', else Parquet), header or
    schema from `columns`."""
    return CsvTableWriter(path, columns) if file_format == "csv" else ParquetTableWriter(path, columns)
