"""The raw loader: one export folder (one `<table>.csv` or `<table>.parquet` per raw table) to a landing
folder of canonical Parquet files that dbt reads, before dbt runs.

Exports come from CRMs, survey tools and help desks, often saved again by Excel on Danish/Norwegian machines:
Windows-1252 or UTF-8 (with or without BOM) or UTF-16, `;` and decimal commas, CRLF, quoted comments with line
breaks, a stray quote, a cell with bytes of another encoding. The loader never loses a row: a line it cannot
split becomes a row with `_load_error = 'malformed_line'`, a record with undecodable bytes keeps its values
(U+FFFD for the bad bytes) with `_load_error = 'undecodable_value'`; dbt quarantines both with the reason and
the line. A file it cannot read at all raises RawExportError with one line naming the file, the line, the
problem and the option that fixes it.

Landing file `<table>.parquet`: every contract column as text (normalised by its kind, see `_normalised_sql`),
then `_row_number` (1-based record position in the file), `_line_number` (physical line where the record
starts, header = 1; null for Parquet input), `_load_error` and `_load_detail`.

CSV is read in one of two ways:
- fast path: DuckDB's strict reader with an explicit dialect on the UTF-8 bytes (a clean Windows-1252 or
  UTF-16 file is first transcoded to a temporary UTF-8 file beside the landing file). Line numbers come from
  the record position plus the line breaks inside earlier values; the path is only trusted when the file's
  physical line count equals header + records + those breaks + trailing blank lines, and no value starts
  with blanks before a quote (where DuckDB and the exact reader disagree). Anything else (a reject, mixed
  line ends, a blank line in the middle, undecodable bytes) falls back to
- an exact line-by-line Python reader (`_CsvRecords`) that flags bad lines and resumes on the next line.
Either way the values are normalised in DuckDB, about a million rows per query, each result ordered by
_row_number (see _write_chunks for why the order is never assumed).

Measured on the shared 2-core development container (DuckDB 2.0.1, pyarrow 26): a throw-away script (not
committed) wrote 10,000,000-row CSV files with DuckDB's COPY, put header-only CSVs for the 12 other tables
beside each, and timed load_raw_dir with time.perf_counter, at least two runs each (the spread is the
shared machine):
- survey_answers, clean UTF-8 (303 MB, one extra column, about 1 row in 4 with a quoted value): fast path
  7.8-8.5 s, 1.2-1.3 M rows/s;
- survey_responses, clean UTF-8 with a timestamp per row (naive, Z or +01:00; 741 MB): fast path 18-23 s
  (one run at 34 s), 0.43-0.55 M rows/s;
- the survey_answers rows as Windows-1252 with ';', decimal commas, 'Køge €' and CRLF (209 MB, transcoded
  first): fast path 15-20 s, 0.5-0.67 M rows/s;
- survey_answers with one unclosed quote on line 2 (DuckDB refuses the file, exact reader): 37-46 s,
  0.22-0.27 M rows/s.
Peak memory was about 1.1 GB (rows are processed in chunks of _BATCH_ROWS, not all at once).
"""

from __future__ import annotations

import codecs
import hashlib
import hmac
import json
import os
import re
import tempfile
from collections import defaultdict, deque
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field, fields, replace
from functools import cache
from operator import itemgetter
from pathlib import Path

import duckdb
import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import yaml

from cx_warehouse.runtime.raw_contract import RawTable, raw_tables


class RawExportError(Exception):
    """A raw file cannot be read; str(error) is one line:
    '<file> line <n>: <problem>. <what to do / which option>' (no 'line <n>' where a line means nothing)."""


@dataclass(frozen=True)
class TableOptions:
    """How one raw table's file is read (raw_options.yml, see read_options)."""

    format: str = "auto"  # auto | csv | parquet  (auto: whichever of <table>.csv / <table>.parquet exists)
    encoding: str = "auto"  # auto | utf-8 | cp1252 | latin-1 | utf-16
    delimiter: str = "auto"  # auto | , | ; | \t | |
    decimal_mark: str = "auto"  # auto | . | ,   (auto: ',' when the file's delimiter is ';', else '.')
    date_order: str = "DMY"  # DMY | MDY : how non-ISO dates like 04-03-2024 are read
    time_zone: str = "UTC"  # IANA zone of timestamps written without a UTC offset


OPTIONS_FILE = "raw_options.yml"
REPORT_NAME = "_load_report.json"
OPTION_NAMES = tuple(option.name for option in fields(TableOptions))
_CHOICES = {
    "format": ("auto", "csv", "parquet"),
    "encoding": ("auto", "utf-8", "cp1252", "latin-1", "utf-16"),
    "delimiter": ("auto", ",", ";", "\t", "|"),
    "decimal_mark": ("auto", ".", ","),
    "date_order": ("DMY", "MDY"),
}
# Spellings users type for the same choice (a tab is hard to write in YAML or on a command line).
_ALIASES = {
    "encoding": {"utf8": "utf-8", "windows-1252": "cp1252", "latin1": "latin-1", "iso-8859-1": "latin-1",
                 "utf16": "utf-16"},
    "delimiter": {"tab": "\t", "\\t": "\t"},
}  # fmt: skip


@dataclass
class TableLoad:
    """What was loaded for one table (for the build summary and the JSON report)."""

    table: str
    file: Path
    format: str
    encoding: str
    delimiter: str | None
    decimal_mark: str
    rows: int  # data rows written to landing (malformed lines included)
    malformed_lines: int  # rows with _load_error = 'malformed_line'
    undecodable_rows: int  # rows with _load_error = 'undecodable_value'


@dataclass
class LoadReport:
    """The tables of one load, in contract order."""

    raw_dir: Path
    landing_dir: Path
    tables: dict[str, TableLoad] = field(default_factory=dict)

    def to_json(self) -> str:
        """The report as indented JSON, paths as text."""
        return json.dumps(asdict(self), indent=2, ensure_ascii=False, default=str)


# ------------------------------------------------------------------------------------------------ options


def _option_value(name: str, value: str, where: str) -> str:
    """One option value checked and reduced to its canonical spelling; `where` prefixes the error."""
    if name == "time_zone":
        if value not in _time_zones():
            raise RawExportError(
                f"{where}: time_zone {value!r} is not an IANA time zone. "
                "Use a name like Europe/Copenhagen or UTC."
            )
        return value
    spelled = value.upper() if name == "date_order" else value.lower()  # choices are case-insensitive
    spelled = _ALIASES.get(name, {}).get(spelled, spelled)
    if spelled not in _CHOICES[name]:
        allowed = ", ".join(repr(choice) for choice in _CHOICES[name])
        raise RawExportError(
            f"{where}: {name} {value!r} is not one of {allowed}. Write one of them (quoted in YAML)."
        )
    return spelled


@cache
def _time_zones() -> frozenset[str]:
    """The zones DuckDB's ICU knows (it converts the timestamps, offline)."""
    with duckdb.connect() as con:
        return frozenset(row[0] for row in con.execute("SELECT name FROM pg_timezone_names()").fetchall())


def _yaml_mapping(node: yaml.Node | None, path: Path, what: str) -> list[tuple[str, yaml.Node, int]]:
    """(key, value node, line) of a YAML mapping node; None (an empty entry) is an empty mapping."""
    if node is None or (isinstance(node, yaml.ScalarNode) and node.value == ""):
        return []
    if not isinstance(node, yaml.MappingNode):
        raise RawExportError(
            f"{path} line {node.start_mark.line + 1}: {what} must be a mapping of keys to values."
        )
    return [(key.value, value, key.start_mark.line + 1) for key, value in node.value]


def _yaml_options(node: yaml.Node | None, path: Path, what: str) -> dict[str, str]:
    options = {}
    for key, value, line in _yaml_mapping(node, path, what):
        if key not in OPTION_NAMES:
            raise RawExportError(
                f"{path} line {line}: unknown key {key!r} in {what}. Use one of: {', '.join(OPTION_NAMES)}."
            )
        if not isinstance(value, yaml.ScalarNode):
            raise RawExportError(f"{path} line {line}: {key} in {what} must be a single value.")
        options[key] = _option_value(key, value.value, f"{path} line {line}")
    return options


def _checked_options(options: dict[str, str] | None) -> dict[str, str]:
    """Options given in code or on the command line, checked like the file's."""
    checked = {}
    for key, value in (options or {}).items():
        if key not in OPTION_NAMES:
            raise RawExportError(f"option {key!r}: unknown option. Use one of: {', '.join(OPTION_NAMES)}.")
        checked[key] = _option_value(key, value, f"option {key}")
    return checked


def read_options(
    raw_dir: Path, overrides: dict[str, str] | None = None, defaults: dict[str, str] | None = None
) -> dict[str, TableOptions]:
    """Options per raw table: TableOptions defaults, then `defaults` (folder-wide settings implied by the
    build,
    e.g. naive timestamps in the reporting time zone), then raw_dir/raw_options.yml (keys `defaults:` and
    `tables: {<table>: {...}}`, both optional), then `overrides` (folder-wide, e.g. from command-line flags;
    they win over the file's defaults but not over its per-table entries). Unknown keys, tables or values ->
    RawExportError naming the file and key (and its line)."""
    path = Path(raw_dir) / OPTIONS_FILE
    file_defaults: dict[str, str] = {}
    per_table: dict[str, dict[str, str]] = {}
    if path.is_file():
        try:
            root = yaml.compose(path.read_text(encoding="utf-8-sig"), Loader=yaml.SafeLoader)
        except yaml.YAMLError as error:
            mark = getattr(error, "problem_mark", None)
            line = f" line {mark.line + 1}" if mark else ""
            problem = getattr(error, "problem", None) or "not valid YAML"
            raise RawExportError(
                f'{path}{line}: {problem}. Fix the YAML (quote symbols, e.g. delimiter: "," or "|").'
            ) from None
        tables = raw_tables()
        for key, value, line in _yaml_mapping(root, path, OPTIONS_FILE):
            if key == "defaults":
                file_defaults = _yaml_options(value, path, "defaults")
            elif key == "tables":
                for table, entry, table_line in _yaml_mapping(value, path, "tables"):
                    if table not in tables:
                        raise RawExportError(
                            f"{path} line {table_line}: unknown table {table!r} under tables. "
                            f"Use one of: {', '.join(tables)}."
                        )
                    per_table[table] = _yaml_options(entry, path, f"tables: {table}")
            else:
                raise RawExportError(
                    f"{path} line {line}: unknown key {key!r}. Use `defaults:` and/or `tables:`."
                )
    folder = replace(
        TableOptions(), **(_checked_options(defaults) | file_defaults | _checked_options(overrides))
    )
    return {table: replace(folder, **per_table.get(table, {})) for table in raw_tables()}


# ---------------------------------------------------------------------------------- SQL and normalisation


def _lit(text: str) -> str:
    """A SQL string literal (quotes doubled): patterns, zones and delimiters never reach SQL unescaped."""
    return "'" + text.replace("'", "''") + "'"


def _ident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


# Characters stripped around every value: blanks, no-break spaces, tabs, line breaks.
_TRIM = " \t\r\n\v\f\u00a0\u2007\u202f"
_BLANKS = r"[ \x{00A0}\x{202F}]"
_CURRENCY = r"(?:€|\$|£|kr\.?|dkk|nok|sek|eur|usd|gbp|chf)"
_CURRENCY_FIRST = r"(?i)^([-+]?)" + _BLANKS + "*" + _CURRENCY + _BLANKS + "*"
_CURRENCY_LAST = r"(?i)" + _BLANKS + "*" + _CURRENCY + "$"
_EXPONENT = r"(?:[eE][-+]?\d+)?"
# A date: ISO (year first) or day/month with a 4-digit year, separators - / or . (checked equal in SQL).
_DATE = r"(?:(\d{4})([-/.])(\d{1,2})([-/.])(\d{1,2})|(\d{1,2})([-/.])(\d{1,2})([-/.])(\d{4}))"
_DATE_GROUPS = ("iy", "is1", "im", "is2", "id", "na", "ns1", "nb", "ns2", "ny")
_DATE_VALUE = r"(?i)^" + _DATE + r"(?:T.*| \d{1,2}[:.]\d{2}.*)?$"
_TIMESTAMP_VALUE = (
    r"(?i)^" + _DATE + r"(?:[T ](\d{1,2})([:.])(\d{2})(?:([:.])(\d{2})(?:[.,](\d{1,9}))?)?)?"
    r"(?: ?(?:(Z|UTC|GMT)|([-+])(\d{2})(?::?([0-5]\d))?))?$"
)
_TIMESTAMP_GROUPS = (*_DATE_GROUPS, "hh", "ts1", "mi", "ts2", "ss", "frac", "z", "osign", "oh", "om")

Refs = Callable[[str], str]  # binding name ('raw', 's', ...) -> the SQL column holding it for one column
Stage = tuple[str, Callable[[Refs], str]]


def _number_stages(decimal_mark: str) -> list[Stage]:
    """A number, money or integer value to '-?digits[.digits][exponent]', or left as written if it is not one.

    't' is the value without currency, accounting brackets, ',-' and grouping blanks; 'v' then reads its
    marks: the table's decimal mark once is the point, the other mark (or the decimal mark repeated) only
    groups when it makes groups of three, and with both marks the rightmost is the point.
    """
    dm, group = decimal_mark, "," if decimal_mark == "." else "."
    dm_re, group_re = re.escape(dm), re.escape(group)
    # Already canonical: no rewriting needed (the common case, kept cheap).
    canonical = r"-?\d+(?:\.\d+)?" if dm == "." else r"-?\d+"
    point_only = rf"-?\d+(?:{dm_re}\d+)?{_EXPONENT}"
    other_groups = rf"-?\d{{1,3}}(?:{group_re}\d{{3}})+(?:{dm_re}\d+)?{_EXPONENT}"
    mark_groups = (
        rf"(?:-?\d{{1,3}}(?:{dm_re}\d{{3}})+{group_re}\d+|-?\d{{1,3}}(?:{dm_re}\d{{3}}){{2,}}){_EXPONENT}"
    )

    def without_currency(sql: str) -> str:
        first_removed = f"regexp_replace({sql}, {_lit(_CURRENCY_FIRST)}, '\\1')"
        return f"regexp_replace({first_removed}, {_lit(_CURRENCY_LAST)}, '')"

    def cleaned(r: Refs) -> str:
        bracketed = f"regexp_replace({without_currency(r('s'))}, '^\\((.*)\\)$', '-\\1')"
        dashed = f"regexp_replace({without_currency(bracketed)}, ',-$', '')"
        grouping = r"^\+|[ \x{00A0}\x{202F}'’]"
        return (
            f"CASE WHEN regexp_full_match({r('s')}, {_lit(canonical)}) THEN {r('s')} "
            f"ELSE regexp_replace({dashed}, {_lit(grouping)}, '', 'g') END"
        )

    def value(r: Refs) -> str:
        t = r("t")
        return (
            f"CASE WHEN regexp_full_match({t}, {_lit(point_only)}) THEN replace({t}, {_lit(dm)}, '.') "
            f"WHEN regexp_full_match({t}, {_lit(other_groups)}) "
            f"THEN replace(replace({t}, {_lit(group)}, ''), {_lit(dm)}, '.') "
            f"WHEN regexp_full_match({t}, {_lit(mark_groups)}) "
            f"THEN replace(replace({t}, {_lit(dm)}, ''), {_lit(group)}, '.') "
            f"ELSE {r('s')} END"
        )

    return [("t", cleaned), ("v", value)]


def _date_parts(p: str, date_order: str) -> tuple[str, str, str, str]:
    """SQL for (separators consistent, year, month, day) of a regexp_extract struct over _DATE."""
    first_is_day = date_order == "DMY"
    month, day = (f"{p}.nb", f"{p}.na") if first_is_day else (f"{p}.na", f"{p}.nb")
    iso = f"{p}.iy <> ''"
    consistent = f"(({iso} AND {p}.is1 = {p}.is2) OR ({p}.ny <> '' AND {p}.ns1 = {p}.ns2))"
    return (
        consistent,
        f"(CASE WHEN {iso} THEN {p}.iy ELSE {p}.ny END)::BIGINT",
        f"(CASE WHEN {iso} THEN {p}.im ELSE {month} END)::BIGINT",
        f"(CASE WHEN {iso} THEN {p}.id ELSE {day} END)::BIGINT",
    )


def _extract(r: Refs, canonical: str, pattern: str, groups: Sequence[str]) -> str:
    """The regexp_extract struct of 's'; NULL when 's' is null or already canonical (nothing to rewrite)."""
    names = "[" + ", ".join(_lit(group) for group in groups) + "]"
    return (
        f"CASE WHEN regexp_full_match({r('s')}, {_lit(canonical)}) THEN NULL "
        f"ELSE regexp_extract({r('s')}, {_lit(pattern)}, {names}) END"
    )


def _date_stages(date_order: str) -> list[Stage]:
    """A date to 'YYYY-MM-DD' (a time part after it dropped); an impossible or unknown form is kept."""

    def value(r: Refs) -> str:
        consistent, year, month, day = _date_parts(r("p"), date_order)
        iso = f"strftime(try(make_date({year}, {month}, {day})), '%Y-%m-%d')"
        return f"CASE WHEN {consistent} THEN coalesce({iso}, {r('s')}) ELSE {r('s')} END"

    return [("p", lambda r: _extract(r, r"\d{4}-\d{2}-\d{2}", _DATE_VALUE, _DATE_GROUPS)), ("v", value)]


def _timestamp_stages(date_order: str, time_zone: str) -> list[Stage]:
    """A timestamp to the UTC instant 'YYYY-MM-DDTHH:MM:SS[.ffffff]Z'; without an offset the written time
    is local time in `time_zone` (DST-aware, by DuckDB's ICU). An impossible or unknown form is kept."""

    def local(r: Refs) -> str:
        p = r("p")
        consistent, year, month, day = _date_parts(p, date_order)
        time_ok = f"({p}.ts2 = '' OR {p}.ts2 = {p}.ts1) AND ({p}.ts1 <> '.' OR {p}.ny <> '')"
        hour, minute, second = (f"coalesce(nullif({p}.{part}, '')::BIGINT, 0)" for part in ("hh", "mi", "ss"))
        micros = f"rpad(left({p}.frac, 6), 6, '0')::BIGINT"
        stamp = f"try(make_timestamp({year}, {month}, {day}, {hour}, {minute}, {second}))"
        return f"CASE WHEN {consistent} AND {time_ok} THEN {stamp} + to_microseconds({micros}) END"

    def utc(r: Refs) -> str:
        p, ts = r("p"), r("local")
        offset_minutes = (
            f"(CASE WHEN {p}.osign = '-' THEN -1 ELSE 1 END) * "
            f"({p}.oh::BIGINT * 60 + coalesce(nullif({p}.om, '')::BIGINT, 0))"
        )
        return (
            f"CASE WHEN {p}.z <> '' THEN {ts} WHEN {p}.osign <> '' THEN {ts} - to_minutes({offset_minutes}) "
            f"ELSE timezone('UTC', timezone({_lit(time_zone)}, {ts})) END"
        )

    def value(r: Refs) -> str:
        formatted = f"strftime({r('utc')}, '%Y-%m-%dT%H:%M:%S.%fZ')"
        return f"coalesce(regexp_replace({formatted}, '\\.000000Z$', 'Z'), {r('s')})"

    canonical = r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d{6})?Z"
    return [
        ("p", lambda r: _extract(r, canonical, _TIMESTAMP_VALUE, _TIMESTAMP_GROUPS)),
        ("local", local),
        ("utc", utc),
        ("v", value),
    ]


@dataclass(frozen=True)
class _ValueRules:
    """What normalisation needs of a table's options, with the decimal mark resolved."""

    decimal_mark: str
    date_order: str
    time_zone: str


def _stripped(r: Refs) -> str:
    """SQL: the raw value without blanks around it, NULL when empty. trim() with a character list is slow,
    so it only runs on values that start or end with one of those characters."""
    raw, blanks = r("raw"), _lit(_TRIM)
    edged = f"contains({blanks}, left({raw}, 1)) OR contains({blanks}, right({raw}, 1))"
    return f"nullif(CASE WHEN {edged} THEN trim({raw}, {blanks}) ELSE {raw} END, '')"


def _stages(kind: str, rules: _ValueRules) -> list[Stage]:
    """The bindings that turn a raw column into canonical text; the first strips, the last is the value."""
    strip: Stage = ("s", _stripped)
    if kind in ("number", "money", "integer"):
        return [strip, *_number_stages(rules.decimal_mark)]
    if kind == "date":
        return [strip, *_date_stages(rules.date_order)]
    if kind == "timestamp":
        return [strip, *_timestamp_stages(rules.date_order, rules.time_zone)]
    return [strip]


def _normalised_sql(source: str, kinds: Sequence[str], rules: _ValueRules, keep: Sequence[str]) -> str:
    """SELECT over `source` (raw text columns _c0.._c<n-1> plus `keep`) giving the canonical text as
    _c0.., then `keep`. Each binding of a column's stages is one nested projection, so a value computed once
    (e.g. the parsed parts of a timestamp) is reused, not recomputed."""
    programs = [_stages(kind, rules) for kind in kinds]

    def refs(index: int) -> Refs:
        return lambda name: _ident(f"_c{index}" if name == "raw" else f"_c{index}_{name}")

    query = source
    for level in range(max((len(program) for program in programs), default=0)):
        added = [
            f"{program[level][1](refs(index))} AS {refs(index)(program[level][0])}"
            for index, program in enumerate(programs)
            if level < len(program)
        ]
        query = f"SELECT *, {', '.join(added)} FROM ({query})"
    outputs = [f"{refs(index)(program[-1][0])} AS _c{index}" for index, program in enumerate(programs)]
    return f"SELECT {', '.join([*outputs, *map(_ident, keep)])} FROM ({query})"


def _connect() -> duckdb.DuckDBPyConnection:
    con = duckdb.connect()
    con.execute("SET TimeZone = 'UTC'")  # TIMESTAMPTZ Parquet columns cast to text with '+00'
    return con


def _normalise_one(text: str | None, kind: str, rules: _ValueRules) -> str | None:
    """One value through the same SQL as a whole column (for tests and single look-ups)."""
    with _connect() as con:
        sql = _normalised_sql("SELECT CAST(? AS VARCHAR) AS _c0", [kind], rules, [])
        return con.execute(sql, [text]).fetchone()[0]


def normalise_number(text: str | None, decimal_mark: str = ".") -> str | None:
    """'1.234,50 kr' with decimal_mark ',' -> '1234.50'; a value that is not a number is returned stripped."""
    return _normalise_one(text, "number", _ValueRules(decimal_mark, "DMY", "UTC"))


def normalise_date(text: str | None, date_order: str = "DMY") -> str | None:
    """'4.3.2024' -> '2024-03-04' (DMY) or '2024-04-03' (MDY); an impossible or unknown date: stripped."""
    return _normalise_one(text, "date", _ValueRules(".", date_order, "UTC"))


def normalise_timestamp(text: str | None, date_order: str = "DMY", time_zone: str = "UTC") -> str | None:
    """'04.03.2024 10.15' -> '2024-03-04T09:15:00Z' in time_zone Europe/Copenhagen; unknown: stripped."""
    return _normalise_one(text, "timestamp", _ValueRules(".", date_order, time_zone))


# ------------------------------------------------------------------------------------------------- landing

_META = (
    pa.field("_row_number", pa.int64()),
    pa.field("_line_number", pa.int64()),
    pa.field("_load_error", pa.string()),
    pa.field("_load_detail", pa.string()),
)
_META_NAMES = [meta.name for meta in _META]
_BATCH_ROWS = 1_000_000  # rows per normalising query (and per chunk of the exact reader)
_SCAN_ROWS = 100_000  # rows per Arrow record batch handed to DuckDB: one batch is scanned by one thread


#: The environment variable holding the key of the personal-data pseudonyms (README, "Personal data").
PII_KEY_VARIABLE = "CXW_PII_KEY"
#: The loader's detail for a bad line of a table holding personal data, instead of the line's text.
PERSONAL_DETAIL = "the line's text is not kept: the table holds personal data (find it by its line number)"
# Without a key the pseudonyms are still one-way, but anyone can compute them for a guessed e-mail address.
_DEFAULT_PII_KEY = b"cx-warehouse: set CXW_PII_KEY"


def pii_key() -> bytes:
    """The key of the pseudonyms: environment variable CXW_PII_KEY (UTF-8), else a fixed default."""
    configured = os.environ.get(PII_KEY_VARIABLE)
    return configured.encode("utf-8") if configured else _DEFAULT_PII_KEY


def pseudonym(value: str | None, key: bytes) -> str | None:
    """The pseudonym of a personal-data value: HMAC-SHA256 (RFC 2104, FIPS 180-4) with `key` of the value as
    written, trimmed (like every text value), as 64 hex digits; None and blank stay None. One-way: the value
    cannot be read back, only matched by someone who holds the key. Case is kept, as in every other text
    column: a copy of a contact whose name an older import wrote in capitals still differs from it."""
    if value is None or not value.strip():
        return None
    return hmac.new(key, value.strip().encode("utf-8"), hashlib.sha256).hexdigest()


class _LandingFile:
    """landing_dir/<table>.parquet, written under a temporary name in the same folder and os.replace'd by
    commit(), so dbt never reads half a file; restart() drops what was written (the CSV fast path gave up).
    Columns the raw contract marks `pii` are written as pseudonyms (pseudonym): names and e-mail addresses
    never reach the landing folder, nor anything built from it."""

    def __init__(self, landing_dir: Path, table: RawTable):
        self.path = landing_dir / f"{table.name}.parquet"
        self.personal = [index for index, column in enumerate(table.columns) if column.pii]
        self.key = pii_key() if self.personal else b""
        self.schema = pa.schema(
            [pa.field(column.name, pa.string()) for column in table.columns] + list(_META)
        )
        handle, name = tempfile.mkstemp(prefix=f".{table.name}.", suffix=".tmp", dir=landing_dir)
        os.close(handle)
        self.temporary = Path(name)
        self._writer: pq.ParquetWriter | None = None
        self.restart()

    def restart(self) -> None:
        if self._writer is not None:
            self._writer.close()
        self._writer = pq.ParquetWriter(self.temporary, self.schema)
        self.rows = 0

    def write(self, chunk: pa.Table) -> None:
        """Append normalised rows: the contract columns in contract order, then the meta columns."""
        chunk = chunk.rename_columns(self.schema.names).cast(self.schema)
        for index in self.personal:
            values = [pseudonym(value, self.key) for value in chunk.column(index).to_pylist()]
            chunk = chunk.set_column(index, self.schema.field(index), pa.array(values, pa.string()))
        if self.personal:
            # A malformed line's text would carry the personal data its columns hide.
            detail = self.schema.get_field_index("_load_detail")
            withheld = [
                None if text is None else PERSONAL_DETAIL for text in chunk.column(detail).to_pylist()
            ]
            chunk = chunk.set_column(detail, self.schema.field(detail), pa.array(withheld, pa.string()))
        self._writer.write_table(chunk)
        self.rows += chunk.num_rows

    def commit(self) -> None:
        self._writer.close()
        os.replace(self.temporary, self.path)

    def discard(self) -> None:
        self._writer.close()
        self.temporary.unlink(missing_ok=True)


@contextmanager
def _landing(landing_dir: Path, table: RawTable) -> Iterator[_LandingFile]:
    """The landing file of a table: committed when the block ends, discarded when it raises."""
    out = _LandingFile(landing_dir, table)
    try:
        yield out
    except BaseException:
        out.discard()
        raise
    out.commit()


def _raw_chunk(values: Sequence[pa.Array | list], first_row: int, lines: pa.Array | list | None = None,
               errors: list | None = None, details: list | None = None) -> pa.Table:  # fmt: skip
    """Raw rows for _write_chunks: contract columns _c0.. (text, or any type for Parquet) and the meta
    columns; _row_number counts on from `first_row`, missing meta columns are null."""
    rows = len(values[0])
    meta = [
        pa.array(np.arange(first_row, first_row + rows, dtype=np.int64)),
        pa.nulls(rows, pa.int64()) if lines is None else pa.array(lines, pa.int64()),
        pa.nulls(rows, pa.string()) if errors is None else pa.array(errors, pa.string()),
        pa.nulls(rows, pa.string()) if details is None else pa.array(details, pa.string()),
    ]
    columns = [column if isinstance(column, pa.Array | pa.ChunkedArray) else pa.array(column, pa.string())
               for column in values]  # fmt: skip
    return pa.table([*columns, *meta], names=[*(f"_c{n}" for n in range(len(values))), *_META_NAMES])


def _write_chunks(con: duckdb.DuckDBPyConnection, chunks: Iterable[pa.Table], table: RawTable,
                  rules: _ValueRules, out: _LandingFile) -> None:  # fmt: skip
    """Normalise chunks of raw rows (see _raw_chunk) in DuckDB, about _BATCH_ROWS per query, and append them
    to `out` in row order.

    The meta columns travel through the query and each result is ordered by _row_number: DuckDB keeps row
    order only through plain scans and projections and turns some expressions into joins (a long IN list
    becomes a hash join), so the order of a normalised result is never assumed.
    """
    raw = ", ".join(f"CAST(_c{n} AS VARCHAR) AS _c{n}" for n in range(len(table.columns)))
    source = f"SELECT {raw}, {', '.join(_META_NAMES)} FROM _cxw_chunk"
    kinds = [column.kind for column in table.columns]
    sql = f"{_normalised_sql(source, kinds, rules, _META_NAMES)} ORDER BY _row_number"

    def write(pending: list[pa.Table]) -> None:
        batches = pa.concat_tables(pending).to_batches(max_chunksize=_SCAN_ROWS)
        con.register("_cxw_chunk", pa.Table.from_batches(batches))
        try:
            out.write(con.sql(sql).to_arrow_table())
        finally:
            con.unregister("_cxw_chunk")

    pending: list[pa.Table] = []
    for chunk in chunks:
        pending.append(chunk)
        if sum(part.num_rows for part in pending) >= _BATCH_ROWS:
            write(pending)
            pending = []
    if pending:
        write(pending)


# DuckDB expands these even in a path that exists (reading a sibling folder too), so such a path is read
# through a link with a plain name. The path itself is always a query parameter, never SQL text.
_GLOB_CHARACTERS = re.compile(r"[*?\[]")


@contextmanager
def _duckdb_path(path: Path) -> Iterator[str]:
    resolved = str(path.resolve())
    if not _GLOB_CHARACTERS.search(resolved):
        yield resolved
        return
    with tempfile.TemporaryDirectory(prefix="cxw-load-") as folder:
        link = Path(folder) / f"raw{path.suffix}"
        link.symlink_to(resolved)
        yield str(link)


def _first_line(message: str) -> str:
    return message.strip().splitlines()[0] if message.strip() else "unknown error"


_NAME_SEPARATORS = re.compile(r"[\s\-]+")


def column_key(name: str) -> str:
    """A file's column name as the contract's: BOM stripped, trimmed, case-folded, each run of blanks or
    hyphens an underscore ('Account ID', 'account-id' -> 'account_id')."""
    return _NAME_SEPARATORS.sub("_", name.replace("\ufeff", "").strip(_TRIM).casefold())


def _header_index(names: Sequence[str], table: RawTable) -> tuple[list[int], list[str]]:
    """Position of each contract column among a file's column names (matched by column_key; the first of
    two that match; -1 if absent) and the contract columns that are missing."""
    positions: dict[str, int] = {}
    for position, name in enumerate(names):
        positions.setdefault(column_key(name), position)
    index = [positions.get(column.name, -1) for column in table.columns]
    return index, [column.name for column, position in zip(table.columns, index, strict=True) if position < 0]


# ------------------------------------------------------------------------------------------------- Parquet


class _ParquetExport:
    """A Parquet raw file whose schema holds the contract columns (checked on creation, before any load)."""

    def __init__(self, path: Path, table: RawTable, options: TableOptions):
        self.path, self.table = path, table
        decimal_mark = "." if options.decimal_mark == "auto" else options.decimal_mark
        self.rules = _ValueRules(decimal_mark, options.date_order, options.time_zone)
        try:
            names = pq.read_schema(path).names
        except (OSError, pa.ArrowException) as error:
            raise RawExportError(
                f"{path}: not a readable Parquet file ({_first_line(str(error))}). Export it again, or set "
                f"`format: csv` for table {table.name} in {OPTIONS_FILE} if it is a CSV file."
            ) from None
        index, missing = _header_index(names, table)
        if missing:
            raise RawExportError(
                f"{path}: the file lacks column(s) {', '.join(missing)} of table {table.name} (found: "
                f"{_shown(', '.join(names))}). Add the columns to the export."
            )
        self.columns = [names[at] for at in index]

    def load(self, con: duckdb.DuckDBPyConnection, landing_dir: Path) -> TableLoad:
        """Every contract column cast to text by DuckDB and normalised like CSV text; rows in file order."""

        def chunks(parquet: pq.ParquetFile) -> Iterator[pa.Table]:
            first = 1
            for batch in parquet.iter_batches(_BATCH_ROWS, columns=self.columns):
                yield _raw_chunk(batch.columns, first)
                first += batch.num_rows

        with _landing(landing_dir, self.table) as out, pq.ParquetFile(self.path) as parquet:
            try:
                _write_chunks(con, chunks(parquet), self.table, self.rules, out)
            except (pa.ArrowException, duckdb.Error) as error:
                raise RawExportError(
                    f"{self.path}: cannot be read ({_first_line(str(error))}). Export it again."
                ) from None
        return TableLoad(self.table.name, self.path, "parquet", "utf-8", None, self.rules.decimal_mark,
                         out.rows, 0, 0)  # fmt: skip


# ----------------------------------------------------------------------------------------------- encodings

_MARK_HANDLER = "cxw-load-mark"


def _mark_undecodable(error: UnicodeError) -> tuple[str, int]:
    """Each undecodable byte becomes the lone surrogate U+DC00+byte: decoding never yields those otherwise,
    so a record's bad bytes are found (and their column named) after splitting, then shown as U+FFFD."""
    if not isinstance(error, UnicodeDecodeError):
        raise error
    return "".join(chr(0xDC00 + byte) for byte in error.object[error.start : error.end]), error.end


codecs.register_error(_MARK_HANDLER, _mark_undecodable)
_MARKS = re.compile("[\udc00-\udcff]")
_CHUNK = 1 << 24  # bytes per read when scanning or transcoding a file
# A valid UTF-8 multi-byte sequence (no overlongs, no surrogates): one in a file says it is UTF-8.
_UTF8_MULTIBYTE = re.compile(
    rb"[\xc2-\xdf][\x80-\xbf]|\xe0[\xa0-\xbf][\x80-\xbf]|[\xe1-\xec\xee\xef][\x80-\xbf]{2}"
    rb"|\xed[\x80-\x9f][\x80-\xbf]|\xf0[\x90-\xbf][\x80-\xbf]{2}|[\xf1-\xf3][\x80-\xbf]{3}"
    rb"|\xf4[\x80-\x8f][\x80-\xbf]{2}"
)


def _chunks(path: Path, overlap: int = 0) -> Iterator[bytes]:
    """The file in chunks; each chunk also starts with the last `overlap` bytes of the previous one."""
    tail = b""
    with path.open("rb") as handle:
        while chunk := handle.read(_CHUNK):
            yield tail + chunk
            tail = chunk[-overlap:] if overlap else b""


def _is_utf8(path: Path) -> bool:
    decoder = codecs.getincrementaldecoder("utf-8")()
    try:
        for chunk in _chunks(path):
            decoder.decode(chunk)
        decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        return False
    return True


@dataclass(frozen=True)
class _Encoding:
    name: str  # for the report: utf-8, cp1252, latin-1 or utf-16
    codec: str  # the Python codec that reads the file (utf-8-sig drops a UTF-8 BOM, utf-16 its BOM)
    clean_utf8: bool  # valid UTF-8 as it is: DuckDB can read the file itself


def _detect_encoding(path: Path, option: str) -> _Encoding:
    """The encoding of a CSV file. auto: a BOM decides; else valid UTF-8 is UTF-8; else a file without a
    single valid UTF-8 multi-byte character is single-byte Windows-1252 (Excel on Danish/Norwegian Windows),
    and one with some is UTF-8 with bad bytes (their records are flagged)."""
    with path.open("rb") as handle:
        start = handle.read(4)
    has_bom = start.startswith(codecs.BOM_UTF8)
    name, valid = option, None
    if option == "auto":
        if start.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
            name = "utf-16"
        elif has_bom or (valid := _is_utf8(path)):
            name = "utf-8"
        else:
            found = any(_UTF8_MULTIBYTE.search(chunk) for chunk in _chunks(path, overlap=3))
            name = "utf-8" if found else "cp1252"
    if name != "utf-8":
        return _Encoding(name, name, False)
    return _Encoding(name, "utf-8-sig" if has_bom else "utf-8", _is_utf8(path) if valid is None else valid)


def _transcode(path: Path, codec: str, target: Path) -> bool:
    """Write the file as UTF-8 to `target`; False when some bytes do not decode (then only the exact reader
    can flag their records)."""
    decoder = codecs.getincrementaldecoder(codec)()
    try:
        with target.open("wb") as out:
            for chunk in _chunks(path):
                out.write(decoder.decode(chunk).encode("utf-8"))
            out.write(decoder.decode(b"", final=True).encode("utf-8"))
    except UnicodeDecodeError:
        return False
    return True


def _line_stats(path: Path) -> tuple[int, int]:
    """(physical lines, blank lines at the end) of a file; CRLF, LF and CR each end one line."""
    lines, last = 0, b""
    with path.open("rb") as handle:
        while chunk := handle.read(_CHUNK):
            split_crlf = last == b"\r" and chunk.startswith(b"\n")  # one line end across two chunks
            lines += chunk.count(b"\n") + chunk.count(b"\r") - chunk.count(b"\r\n") - split_crlf
            last = chunk[-1:]
        handle.seek(max(0, handle.tell() - 65536))
        tail = handle.read()
    if tail and not tail.endswith((b"\r", b"\n")):
        lines += 1  # a last line without a line end
    ends = tail[len(tail.rstrip(b"\r\n")) :].replace(b"\r\n", b"\n").replace(b"\r", b"\n")
    # The first line end closes the last non-blank line; each further one closes a blank line.
    return lines, max(0, len(ends) - 1)


# --------------------------------------------------------------------------------------------- CSV records

_MAX_RECORD_CHARS = 2_000_000  # a quoted value still open after this many characters counts as not closed
_QUOTED = re.compile(r'"((?:[^"]++|"")*+)"')
_SNIPPET = 200  # characters of a raw line shown in a detail or an error


def _split_record(text: str, delimiter: str) -> list[str] | str:
    """The fields of one record (RFC 4180: '"' quotes, '""' inside quotes is a quote), or 'open' when a
    quoted value is not closed, 'after_quote' when text follows a closing quote.

    A field whose first non-blank character is '"' is quoted, and blanks around the quotes are ignored (as
    DuckDB does for one blank before and any after); a quote inside an unquoted field is kept as written.
    """
    if '"' not in text:
        return text.split(delimiter)
    blanks = " " if delimiter == "\t" else " \t"
    values: list[str] = []
    position, end = 0, len(text)
    while True:
        start = position
        while position < end and text[position] in blanks:
            position += 1
        if position < end and text[position] == '"':
            match = _QUOTED.match(text, position)
            if match is None:
                return "open"
            values.append(match.group(1).replace('""', '"'))
            position = match.end()
            while position < end and text[position] in blanks:
                position += 1
            if position < end and text[position] != delimiter:
                return "after_quote"
        else:
            found = text.find(delimiter, start)
            position = end if found < 0 else found
            values.append(text[start:position])
        if position >= end:
            return values
        position += 1  # past the delimiter; one at the very end leaves one more, empty, field
        if position == end:
            values.append("")
            return values


def _body(line: str) -> str:
    """A physical line without its line end (a line holds at most one: a CR alone also ends a line)."""
    return line.rstrip("\r\n")


def _is_blank(text: str) -> bool:
    return not text or text.isspace()


def _shown(text: str) -> str:
    """Raw text for a message: undecodable bytes as U+FFFD, at most _SNIPPET characters."""
    shown = _MARKS.sub("\ufffd", text)
    return shown if len(shown) <= _SNIPPET else shown[:_SNIPPET] + "…"


@dataclass(slots=True)
class _Record:
    line: int  # physical line where the record starts
    fields: list[str] | None  # None: malformed
    detail: str | None = None  # why it is malformed, with the start of the line
    marked: bool = False  # holds undecodable bytes (surrogate marks)


class _CsvRecords:
    """The records of a decoded CSV file, exactly: CRLF, LF and CR end lines; blank lines are skipped; a
    quoted value may span lines; a record whose quoted value never closes (or whose joined lines give the
    wrong number of fields) costs only its first line, and reading resumes on the next physical line."""

    def __init__(self, path: Path, codec: str, check_marks: bool = True):
        self._handle = path.open(encoding=codec, errors=_MARK_HANDLER, newline="")
        self._check_marks = check_marks  # False when the file is known to decode cleanly (faster)
        self._pending: deque[tuple[int, str]] = deque()  # lines read ahead, to be read again
        self._line = 0
        self.field_count: int | None = None  # from the header; records of another length are malformed

    def close(self) -> None:
        self._handle.close()

    @property
    def lines_read(self) -> int:
        """The number of the last physical line consumed (lines read ahead and given back do not count)."""
        return self._pending[0][0] - 1 if self._pending else self._line

    def first_text_line(self) -> tuple[int, str] | None:
        """(number, text) of the first non-blank line, left unread: the header, whose delimiter is unknown."""
        while (entry := self._next_line()) is not None:
            if not _is_blank(_body(entry[1])):
                self._pending.appendleft(entry)
                return entry[0], _body(entry[1])
        return None

    def _next_line(self) -> tuple[int, str] | None:
        if self._pending:
            return self._pending.popleft()
        line = self._handle.readline()
        if not line:
            return None
        self._line += 1
        return self._line, line

    def records(self, delimiter: str) -> Iterator[_Record]:
        """The records from the next unread line on, in file order."""
        count, check_marks = self.field_count, self._check_marks
        while (first := self._next_line()) is not None:
            text = _body(first[1])
            if _is_blank(text):
                continue
            if '"' not in text:  # the usual line: nothing to unquote, no line to join
                values = _without_trailing_empties(text.split(delimiter), count)
                if count is None or len(values) == count:
                    yield _Record(first[0], values, marked=check_marks and _MARKS.search(text) is not None)
                    continue
            yield self._record(first, text, delimiter)

    def _record(self, first: tuple[int, str], text: str, delimiter: str) -> _Record:
        """The record starting on line `first` (text: without its line end), quoted values and all."""
        number, line = first
        values = _split_record(text, delimiter)
        joined = [first]
        problem = None
        if values == "open":
            values = self._close_quote(joined, delimiter)
            if not isinstance(values, list) or (
                self.field_count is not None and len(values) != self.field_count
            ):
                self._pending.extendleft(reversed(joined[1:]))  # read again as records of their own
                problem = "a quoted value is not closed"
        elif values == "after_quote":
            problem = 'text follows a closing quote (a quote inside a quoted value is written "")'
        elif self.field_count is not None:
            values = _without_trailing_empties(values, self.field_count)
            if len(values) != self.field_count:
                problem = f"{len(values)} fields where the header has {self.field_count}"
        if problem:
            return _Record(number, None, f"{problem}; the line starts: {_shown(text)}")
        marked = self._check_marks and any(_MARKS.search(raw) for _, raw in joined)
        return _Record(number, values, marked=marked)

    def _close_quote(self, joined: list[tuple[int, str]], delimiter: str) -> list[str] | str:
        """Append lines to a record whose quoted value is open until it closes; 'open' if it never does.

        A following line starts inside the open value, so its own state is that of '"' + line: the whole
        record is split again only once a line closes the value (linear in the record's length).
        """
        length = len(joined[0][1])
        while length <= _MAX_RECORD_CHARS and (following := self._next_line()) is not None:
            joined.append(following)
            length += len(following[1])
            body = _body(following[1])
            if '"' in body and _split_record('"' + body, delimiter) != "open":
                return _split_record(_body("".join(raw for _, raw in joined)), delimiter)
        return "open"


def _choose_delimiter(path: Path, line: int, header: str, table: RawTable, option: str) -> str:
    """The delimiter option, or (auto) the one that splits the header into the most contract column names."""
    if option != "auto":
        return option
    best, best_count = ",", 0
    for delimiter in (",", ";", "\t", "|"):
        names = _split_record(header, delimiter)
        names = names if isinstance(names, list) else header.split(delimiter)
        found = len(table.columns) - len(_header_index(names, table)[1])
        if found > best_count:
            best, best_count = delimiter, found
    if best_count == 0:
        raise RawExportError(
            f"{path} line {line}: no column of table {table.name} in the header with delimiter , ; tab or | "
            f"(header: {_shown(header)}). Check that this is the {table.name} export, or set `delimiter` or "
            f"`encoding` for this table in {OPTIONS_FILE}."
        )
    return best


@dataclass(frozen=True)
class _CsvLayout:
    """The header as read: delimiter, field count, each contract column's field, the lines it spans."""

    delimiter: str
    field_count: int
    index: tuple[int, ...]
    header_line: int
    header_end_line: int


def _read_layout(path: Path, codec: str, table: RawTable, delimiter_option: str) -> _CsvLayout:
    """The header of a CSV file; RawExportError when there is none or it lacks contract columns."""
    records = _CsvRecords(path, codec)
    try:
        first = records.first_text_line()
        if first is None:
            raise RawExportError(
                f"{path} line 1: the file is empty (no header line). Export the table again with its header."
            )
        delimiter = _choose_delimiter(path, first[0], first[1], table, delimiter_option)
        header = next(records.records(delimiter), None)
        end_line = records.lines_read
    finally:
        records.close()
    if header is None or header.fields is None:
        raise RawExportError(
            f"{path} line {first[0]}: the header has a quoted name that is not closed. Fix the header row."
        )
    index, missing = _header_index([_MARKS.sub("\ufffd", name) for name in header.fields], table)
    if missing:
        shown_delimiter = "tab" if delimiter == "\t" else repr(delimiter)
        # A header split into several names was read with the right delimiter: the names are what differs.
        fix = (
            f"or set `delimiter` (or `encoding`) for this table in {OPTIONS_FILE}"
            if len(header.fields) == 1
            else "or rename them in the header (case, blanks and hyphens do not matter: 'Account ID' is "
            "account_id)"
        )
        raise RawExportError(
            f"{path} line {header.line}: the header lacks column(s) {', '.join(missing)} of table "
            f"{table.name} (read with delimiter {shown_delimiter}; found: "
            f"{_shown(', '.join(name.strip() for name in header.fields))}). Add the columns to the export, "
            f"{fix}."
        )
    return _CsvLayout(delimiter, len(header.fields), tuple(index), header.line, end_line)


# --------------------------------------------------------------------------------------------- CSV loading


def _count_breaks(value: str) -> str:
    """SQL: line breaks inside a value (CRLF, LF and CR each one); 0 without any, cheaply (the usual case)."""
    cr, lf = "chr(13)", "chr(10)"
    every = f"strlen({value}) - strlen(replace(replace({value}, {cr}, ''), {lf}, ''))"
    crlf = f"(strlen({value}) - strlen(replace({value}, {cr} || {lf}, ''))) // 2"
    return f"(CASE WHEN contains({value}, {lf}) OR contains({value}, {cr}) THEN {every} - {crlf} ELSE 0 END)"


def _blank_before_quote(value: str) -> str:
    """SQL: DuckDB kept blanks + a quote as text, where the exact reader unquotes (see _split_record)."""
    return f"(({value} ^@ ' ' OR {value} ^@ chr(9)) AND regexp_matches({value}, '^[ \\t]+\"'))"


class _FastPathRefused(Exception):
    """DuckDB read a value in a way the exact reader would not."""


def _without_trailing_empties(values: list[str], count: int | None) -> list[str]:
    """The record's values without empty fields beyond the header's count: a trailing delimiter (some tools
    end every line with one) is not a field, as DuckDB's reader also reads it."""
    if count is None or len(values) <= count or any(value.strip() for value in values[count:]):
        return values
    return values[:count]


def _load_with_duckdb(con: duckdb.DuckDBPyConnection, utf8_path: Path, layout: _CsvLayout, table: RawTable,
                      rules: _ValueRules, out: _LandingFile) -> bool:  # fmt: skip
    """Read a UTF-8 file with DuckDB's strict reader; False (the caller restarts `out`) when DuckDB rejects
    something or the rows do not account for every physical line of the file."""
    raw = [f"f{position}" for position in range(layout.field_count)]
    columns = "{" + ", ".join(f"{_lit(name)}: 'VARCHAR'" for name in raw) + "}"
    reader = (
        f"read_csv(?, header = true, auto_detect = false, columns = {columns}, "
        f"delim = {_lit(layout.delimiter)}, quote = '\"', escape = '\"', strict_mode = true, "
        "null_padding = false, ignore_errors = false)"
    )
    breaks = " + ".join(_count_breaks(name) for name in raw)
    odd = " OR ".join(_blank_before_quote(name) for name in raw)
    selected = ", ".join(f"{raw[position]} AS _c{n}" for n, position in enumerate(layout.index))
    # A plain single-table SELECT of scalar expressions: DuckDB documents it as keeping the file's row order,
    # so the records are numbered as they arrive (and normalised, order-safe, by _write_chunks).
    scan = f"SELECT {selected}, {breaks} AS _breaks, {odd} AS _odd FROM {reader}"
    breaks_before = 0

    def chunks(batches: Iterable[pa.RecordBatch]) -> Iterator[pa.Table]:
        nonlocal breaks_before
        first = 1
        for batch in batches:
            if batch.column("_odd").true_count:
                raise _FastPathRefused
            # Record k starts after the header, the k-1 records before it and the line breaks in their values.
            breaks = batch.column("_breaks").to_numpy(zero_copy_only=False).astype(np.int64)
            row_numbers = np.arange(first, first + batch.num_rows, dtype=np.int64)
            lines = layout.header_end_line + row_numbers + breaks_before + breaks.cumsum() - breaks
            breaks_before += int(breaks.sum())
            yield _raw_chunk([batch.column(f"_c{n}") for n in range(len(layout.index))], first, lines)
            first += batch.num_rows

    try:
        with _duckdb_path(utf8_path) as readable, con.cursor() as scanner:
            batches = scanner.sql(scan, params=[readable]).to_arrow_reader(_BATCH_ROWS)
            _write_chunks(con, chunks(batches), table, rules, out)
    except (duckdb.Error, _FastPathRefused):
        return False
    lines, blank_at_end = _line_stats(utf8_path)
    return lines == layout.header_end_line + out.rows + breaks_before + blank_at_end


def _load_csv_fast(con: duckdb.DuckDBPyConnection, path: Path, encoding: _Encoding, layout: _CsvLayout,
                   table: RawTable, rules: _ValueRules, out: _LandingFile) -> bool:  # fmt: skip
    """The DuckDB path, on the file itself or on a UTF-8 copy of a clean single-byte or UTF-16 file; False
    when the exact reader must read it (undecodable bytes, a header not on line 1, or DuckDB gave up)."""
    if layout.header_line != 1:
        return False
    if encoding.clean_utf8:
        return _load_with_duckdb(con, path, layout, table, rules, out)
    if encoding.name == "utf-8":
        return False
    copy = out.temporary.with_name(out.temporary.name + ".csv")
    try:
        return _transcode(path, encoding.codec, copy) and _load_with_duckdb(
            con, copy, layout, table, rules, out
        )
    finally:
        copy.unlink(missing_ok=True)


def _load_csv_exact(con: duckdb.DuckDBPyConnection, path: Path, encoding: _Encoding, layout: _CsvLayout,
                    table: RawTable, rules: _ValueRules, out: _LandingFile) -> tuple[int, int]:  # fmt: skip
    """Read the file with the exact Python reader; returns (malformed lines, undecodable rows)."""
    names = [column.name for column in table.columns]
    index = layout.index
    take = itemgetter(*index) if len(index) > 1 else (lambda fields: (fields[index[0]],))
    counts = {"malformed_line": 0, "undecodable_value": 0}

    def chunks(records: Iterator[_Record]) -> Iterator[pa.Table]:
        first = 1
        rows: list[tuple] = []
        lines: list[int] = []
        errors: list[str | None] = []
        details: list[str | None] = []
        for record in records:
            error = detail = None
            if record.fields is None:
                error, detail, values = "malformed_line", record.detail, (None,) * len(names)
            else:
                values = take(record.fields)
                if record.marked and (
                    bad := [n for n, value in zip(names, values, strict=True) if _MARKS.search(value)]
                ):
                    error = "undecodable_value"
                    detail = f"bytes that are not valid {encoding.name} in column {', '.join(bad)}"
                    values = tuple(_MARKS.sub("\ufffd", value) for value in values)
            if error:
                counts[error] += 1
            rows.append(values)
            lines.append(record.line)
            errors.append(error)
            details.append(detail)
            if len(rows) == _BATCH_ROWS:
                yield _raw_chunk(list(zip(*rows, strict=True)), first, lines, errors, details)
                first += len(rows)
                rows, lines, errors, details = [], [], [], []
        if rows:
            yield _raw_chunk(list(zip(*rows, strict=True)), first, lines, errors, details)

    records = _CsvRecords(
        path, encoding.codec, check_marks=not encoding.clean_utf8 and encoding.name != "latin-1"
    )
    records.field_count = layout.field_count
    try:
        in_file = records.records(layout.delimiter)
        next(in_file)  # the header, checked by _read_layout
        _write_chunks(con, chunks(in_file), table, rules, out)
    finally:
        records.close()
    return counts["malformed_line"], counts["undecodable_value"]


class _CsvExport:
    """A CSV raw file with its encoding and a header holding the contract columns (checked on creation,
    before any load)."""

    def __init__(self, path: Path, table: RawTable, options: TableOptions):
        self.path, self.table = path, table
        self.encoding = _detect_encoding(path, options.encoding)
        self.layout = _read_layout(path, self.encoding.codec, table, options.delimiter)
        decimal_mark = options.decimal_mark
        if decimal_mark == "auto":
            decimal_mark = "," if self.layout.delimiter == ";" else "."
        self.rules = _ValueRules(decimal_mark, options.date_order, options.time_zone)

    def load(self, con: duckdb.DuckDBPyConnection, landing_dir: Path) -> TableLoad:
        """DuckDB's fast path when it reads the file exactly, else the exact reader."""
        arguments = (con, self.path, self.encoding, self.layout, self.table, self.rules)
        malformed = undecodable = 0
        with _landing(landing_dir, self.table) as out:
            if not _load_csv_fast(*arguments, out):
                out.restart()
                malformed, undecodable = _load_csv_exact(*arguments, out)
        return TableLoad(self.table.name, self.path, "csv", self.encoding.name, self.layout.delimiter,
                         self.rules.decimal_mark, out.rows, malformed, undecodable)  # fmt: skip


# ---------------------------------------------------------------------------------------------- the folder


def _files_by_name(raw_dir: Path) -> dict[str, list[Path]]:
    """The folder's files by case-folded name: Windows tools write 'Invoices.CSV' as readily as
    'invoices.csv'."""
    files: dict[str, list[Path]] = defaultdict(list)
    if raw_dir.is_dir():
        for path in sorted(raw_dir.iterdir()):
            if path.is_file():
                files[path.name.casefold()].append(path)
    return files


def _raw_file(raw_dir: Path, table: str, format_option: str) -> tuple[Path, str]:
    """The table's file and format: <table>.csv or <table>.parquet, in any case (format auto: whichever
    exists)."""
    files = _files_by_name(raw_dir)
    candidates = {}
    for fmt in ("csv", "parquet"):
        found = files.get(f"{table}.{fmt}", [])
        if len(found) > 1:
            names = " and ".join(path.name for path in found)
            raise RawExportError(f"{raw_dir}: {names} differ only in case. Keep one.")
        candidates[fmt] = found[0] if found else raw_dir / f"{table}.{fmt}"
    if format_option == "auto":
        formats = [fmt for fmt, candidate in candidates.items() if candidate.is_file()]
        if len(formats) > 1:
            raise RawExportError(
                f"{raw_dir}: both {table}.csv and {table}.parquet exist. Remove one, or set `format` for "
                f"table {table} in {OPTIONS_FILE}."
            )
    else:
        formats = [format_option] if candidates[format_option].is_file() else []
    if not formats:
        wanted = f"{table}.{format_option}" if format_option != "auto" else f"{table}.csv or {table}.parquet"
        raise RawExportError(
            f"{raw_dir}: {wanted} is missing. Export the table into this folder (one file per raw table), "
            f"or set `format` for table {table} in {OPTIONS_FILE}."
        )
    return candidates[formats[0]], formats[0]


@contextmanager
def _os_errors(path: Path, landing_dir: Path) -> Iterator[None]:
    """An OSError (unreadable file, full disk) as one RawExportError line."""
    try:
        yield
    except OSError as error:
        raise RawExportError(
            f"{path}: cannot be loaded ({error.strerror or error}). Check that the file is readable and that "
            f"{landing_dir} is writable."
        ) from None


def load_raw_dir(
    raw_dir: Path, landing_dir: Path, options: dict[str, TableOptions] | None = None
) -> LoadReport:
    """Read every raw table of the contract from raw_dir and write landing_dir/<table>.parquet plus
    landing_dir/_load_report.json. Raises RawExportError (one line) for a folder/file that cannot be read."""
    raw_dir, landing_dir = Path(raw_dir), Path(landing_dir)
    if not raw_dir.is_dir():
        raise RawExportError(
            f"{raw_dir}: the raw folder does not exist. Give the folder holding the exports."
        )
    if landing_dir.resolve() == raw_dir.resolve():
        raise RawExportError(
            f"{landing_dir}: the landing folder is the raw folder. Give a separate landing folder."
        )
    options = read_options(raw_dir) if options is None else options
    # Every file is found and its header (or schema) checked before the landing folder is touched, so a
    # folder with one unreadable file leaves the previous landing as it was.
    exports: dict[str, _CsvExport | _ParquetExport] = {}
    for name, table in raw_tables().items():
        table_options = options.get(name, TableOptions())
        path, file_format = _raw_file(raw_dir, name, table_options.format)
        with _os_errors(path, landing_dir):
            exports[name] = (_CsvExport if file_format == "csv" else _ParquetExport)(
                path, table, table_options
            )
    landing_dir.mkdir(parents=True, exist_ok=True)
    report = LoadReport(raw_dir, landing_dir)
    with _connect() as con:
        for name, export in exports.items():
            with _os_errors(export.path, landing_dir):
                report.tables[name] = export.load(con, landing_dir)
    handle, temporary = tempfile.mkstemp(prefix=".load_report.", suffix=".tmp", dir=landing_dir)
    with os.fdopen(handle, "w", encoding="utf-8") as report_file:
        report_file.write(report.to_json())
    os.replace(temporary, landing_dir / REPORT_NAME)
    return report
