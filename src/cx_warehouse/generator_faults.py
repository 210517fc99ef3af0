"""Injected bad rows of the demo-data generator, and the manifest of what the warehouse must quarantine.

Which rows go bad depends only on a row's position in its table: position i (0-based, counting the valid rows)
carries a fault when floor((i + 1) * bad_rate + 0.5) > floor(i * bad_rate + 0.5). That marks exactly
round-half-up(n * bad_rate) of n rows without knowing n in advance, so the file can be streamed in chunks
of any size; a table whose share rounds to zero still gets one bad row (appended at its end).

Each marked row gets exactly one fault, drawn from the kinds that fit its table, with a generator seeded
from (seed, table, fault number). Parent tables (accounts, contacts, surveys, invitations, responses) only get
extra rows with fresh keys that nothing references, so a quarantined row never orphans valid children:
- copy: the valid row is written twice (duplicate_key; the manifest names the key once, for the copy);
- extra: the valid row is written, then a changed copy with a fresh key (or the faulty key) and one fault;
- in place: the row itself is changed. Only for leaf tables whose key leaves no room for a fresh one
  (survey_answers, churn_events, onboarding_projects).
A changed row breaks exactly one of the warehouse's rules, so its reason is the one in the manifest.
"""

from __future__ import annotations

import csv
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path

import numpy as np

from cx_warehouse.generator_output import COLUMN_KINDS, Row

FAULT_STREAM = 1
MANIFEST_NAME = "_expected_quarantine.csv"
MANIFEST_COLUMNS = ("source_table", "record_key", "reason_code")

FRESH_KEY_BASE = 900_000_000
UNKNOWN_KEY_BASE = 800_000_000
KEY_PREFIXES = {
    "accounts": "ACC-",
    "contacts": "CON-",
    "contracts": "CTR-",
    "invoices": "INV-",
    "surveys": "SRV-",
    "survey_invitations": "IVT-",
    "survey_responses": "RSP-",
    "support_tickets": "TCK-",
    "feedback_cases": "CAS-",
}
KEY_COLUMNS = {
    "survey_answers": ("response_id", "question_id"),
    "onboarding_projects": ("account_id",),
    "churn_events": ("account_id",),
}

# Values that do not cast to their column's type (checked against DuckDB's try_cast in the tests).
UNPARSEABLE = {
    "timestamp": ("2025-13-45 25:61", "yesterday", "n/a", "31/02/2025 10:00", "TBD"),
    "date": ("2025-13-45", "n/a", "31.02.2025", "soon"),
    "number": ("n/a", "twelve", "12,50", "-"),
}
FUTURE_YEAR = 2099


def key_columns(table: str, columns: Sequence[str]) -> tuple[str, ...]:
    return KEY_COLUMNS.get(table, (columns[0],))


def fresh_key(table: str, number: int) -> str:
    return f"{KEY_PREFIXES[table]}{FRESH_KEY_BASE + number}"


def unknown_key(table: str, number: int) -> str:
    return f"{KEY_PREFIXES[table]}{UNKNOWN_KEY_BASE + number}"


@dataclass(frozen=True)
class QuestionInfo:
    """What a fault on an answer needs to know about the question catalog."""

    scale: dict[str, tuple[int, int]]  # question_id -> (scale_min, scale_max); scale questions only
    survey: dict[str, str]  # question_id -> survey_id


@dataclass
class FaultDraw:
    """The row being made bad and what the fault needs: its random generator and fault number."""

    row: dict[str, str | None]
    rng: np.random.Generator
    number: int
    table: str
    questions: QuestionInfo

    def choose(self, options: Sequence):
        return options[int(self.rng.integers(len(options)))]


@dataclass(frozen=True)
class FaultKind:
    """One way to make a row bad: the manifest reason, how it is written, and the change to the row."""

    reason: str
    mode: str  # "copy", "extra" or "in_place"
    change: Callable[[FaultDraw], None]
    applies: Callable[[dict[str, str | None], QuestionInfo], bool] = lambda row, questions: True


def _no_change(draw: FaultDraw) -> None:
    """A duplicate is the valid row itself."""


def _column_type(table: str, column: str) -> str:
    kind = COLUMN_KINDS[table][column]
    return kind if kind in ("timestamp", "date") else "number"


def _unparseable(columns: Sequence[str]) -> Callable[[FaultDraw], None]:
    def change(draw: FaultDraw) -> None:
        column = draw.choose([name for name in columns if draw.row[name] is not None])
        draw.row[column] = draw.choose(UNPARSEABLE[_column_type(draw.table, column)])

    return change


def _unknown_reference(references: dict[str, str]) -> Callable[[FaultDraw], None]:
    """Point one foreign key (column -> referenced table) at a key that does not exist."""

    def change(draw: FaultDraw) -> None:
        column = draw.choose([name for name in references if draw.row[name] is not None])
        draw.row[column] = unknown_key(references[column], draw.number)

    return change


def _invalid_category(values: dict[str, Sequence[str]]) -> Callable[[FaultDraw], None]:
    def change(draw: FaultDraw) -> None:
        column = draw.choose(list(values))
        draw.row[column] = draw.choose(values[column])

    return change


def _shift_text(text: str, days: int, is_date: bool) -> str:
    """Move a date or timestamp text by whole days, keeping its format and UTC offset."""
    if is_date:
        return (date.fromisoformat(text) + timedelta(days=days)).isoformat()
    local, suffix = text[:19], text[19:]
    return (datetime.fromisoformat(local) + timedelta(days=days)).isoformat() + suffix


def _future(draw: FaultDraw) -> None:
    """Move all of the row's timestamps and dates by the same number of days, the first into 2099.

    Shifting together keeps their order, so future_timestamp is the only rule the row breaks.
    """
    kinds = COLUMN_KINDS[draw.table]
    columns = [
        name for name, kind in kinds.items() if kind in ("timestamp", "date") and draw.row[name] is not None
    ]
    first_year = int(draw.row[columns[0]][:4])
    days = (date(FUTURE_YEAR, 1, 1) - date(first_year, 1, 1)).days
    for column in columns:
        draw.row[column] = _shift_text(draw.row[column], days, kinds[column] == "date")


def _is_scale_answer(row: dict[str, str | None], questions: QuestionInfo) -> bool:
    return row["question_id"] in questions.scale and row["score"] is not None


def _out_of_scale(draw: FaultDraw) -> None:
    """A score above or below the scale, or between two of its whole points (as an averaging export does)."""
    low, high = draw.questions.scale[draw.row["question_id"]]
    where = draw.rng.random()
    if where < 0.5:
        draw.row["score"] = str(high + int(draw.rng.integers(1, 4)))
    elif where < 0.8:
        draw.row["score"] = str(low - int(draw.rng.integers(1, 3)))
    else:
        draw.row["score"] = f"{int(draw.rng.integers(low, high))}.5"


def _answer_unknown_reference(draw: FaultDraw) -> None:
    """An answer to a response that does not exist, or to another survey's question (with a valid score)."""
    if draw.rng.random() < 0.5:
        draw.row["response_id"] = unknown_key("survey_responses", draw.number)
        return
    own_survey = draw.questions.survey[draw.row["question_id"]]
    others = sorted(
        q for q, survey in draw.questions.survey.items() if survey != own_survey and q in draw.questions.scale
    )
    question = draw.choose(others)
    low, high = draw.questions.scale[question]
    draw.row.update(question_id=question, score=str(int(draw.rng.integers(low, high + 1))), answer_text=None)


DUPLICATE = FaultKind("duplicate_key", "copy", _no_change)
FUTURE = FaultKind("future_timestamp", "extra", _future)


def _kinds() -> dict[str, tuple[FaultKind, ...]]:
    """The faults each table can get (the warehouse's rules for the table decide which fit)."""

    def extra(reason, change):
        return FaultKind(reason, "extra", change)

    def in_place(reason, change, applies=FaultKind.applies):
        return FaultKind(reason, "in_place", change, applies)

    return {
        "accounts": (
            DUPLICATE,
            extra("unparseable_value", _unparseable(["created_at"])),
            FUTURE,
            extra("invalid_category", _invalid_category({"tier": ("gold", "platinum", "vip")})),
        ),
        "contacts": (
            DUPLICATE,
            extra("unknown_reference", _unknown_reference({"account_id": "accounts"})),
            extra("unparseable_value", _unparseable(["created_at"])),
            FUTURE,
        ),
        "contracts": (
            DUPLICATE,
            extra("unknown_reference", _unknown_reference({"account_id": "accounts"})),
            extra("unparseable_value", _unparseable(["start_date", "end_date", "arr"])),
        ),
        "invoices": (
            DUPLICATE,
            extra("unknown_reference", _unknown_reference({"account_id": "accounts"})),
            extra("unparseable_value", _unparseable(["invoice_date", "amount"])),
            FUTURE,
        ),
        "churn_events": (
            DUPLICATE,
            extra("unknown_reference", _unknown_reference({"account_id": "accounts"})),
            in_place("unparseable_value", _unparseable(["churned_at"])),
            in_place("future_timestamp", _future),
            in_place(
                "invalid_category", _invalid_category({"reason_category": ("budget", "merger", "relocation")})
            ),
        ),
        "onboarding_projects": (
            DUPLICATE,
            extra("unknown_reference", _unknown_reference({"account_id": "accounts"})),
            in_place("unparseable_value", _unparseable(["kickoff_at", "go_live_at"])),
            in_place("future_timestamp", _future),
        ),
        "feedback_cases": (
            DUPLICATE,
            extra("unknown_reference", _unknown_reference({"response_id": "survey_responses"})),
            extra("unparseable_value", _unparseable(["opened_at", "first_contact_at", "closed_at"])),
            FUTURE,
            extra("invalid_category", _invalid_category({"outcome": ("escalated", "pending", "closed")})),
        ),
        "support_tickets": (
            DUPLICATE,
            extra(
                "unknown_reference", _unknown_reference({"account_id": "accounts", "contact_id": "contacts"})
            ),
            extra(
                "unparseable_value",
                _unparseable(
                    ["created_at", "first_response_at", "solved_at", "agent_replies", "reopened_count"]
                ),
            ),
            FUTURE,
            extra(
                "invalid_category",
                _invalid_category(
                    {"channel": ("fax", "twitter", "walk_in"), "priority": ("p1", "critical", "blocker")}
                ),
            ),
        ),
        "surveys": (
            DUPLICATE,
            extra("unparseable_value", _unparseable(["created_at"])),
            FUTURE,
            extra("invalid_category", _invalid_category({"touchpoint": ("website", "event", "webinar")})),
        ),
        "survey_questions": (DUPLICATE,),
        "survey_invitations": (
            DUPLICATE,
            extra(
                "unknown_reference", _unknown_reference({"survey_id": "surveys", "contact_id": "contacts"})
            ),
            extra("unparseable_value", _unparseable(["sent_at"])),
            FUTURE,
            extra("invalid_category", _invalid_category({"channel": ("fax", "letter", "whatsapp")})),
        ),
        "survey_responses": (
            DUPLICATE,
            extra(
                "unknown_reference",
                _unknown_reference(
                    {"survey_id": "surveys", "contact_id": "contacts", "invitation_id": "survey_invitations"}
                ),
            ),
            extra("unparseable_value", _unparseable(["submitted_at"])),
            FUTURE,
            extra("invalid_category", _invalid_category({"language": ("de", "sv", "fi")})),
        ),
        "survey_answers": (
            DUPLICATE,
            extra("unknown_reference", _answer_unknown_reference),
            in_place(
                "unparseable_value", _unparseable(["score"]), lambda row, questions: row["score"] is not None
            ),
            in_place("out_of_scale", _out_of_scale, _is_scale_answer),
        ),
    }


FAULT_KINDS = _kinds()


class FaultInjector:
    """Marks rows by position, applies one fault to each, and writes the manifest lines per table."""

    def __init__(
        self,
        seed: int,
        bad_rate: float,
        contract: dict[str, list[str]],
        questions: QuestionInfo,
        out_dir: Path,
    ):
        self.seed = seed
        self.bad_rate = bad_rate
        self.contract = contract
        self.questions = questions
        self.out_dir = out_dir
        self.table_numbers = {table: number for number, table in enumerate(contract)}
        self.bad_rows: Counter[str] = Counter()
        self._last_row: dict[str, Row] = {}
        self._parts = {table: out_dir / f".{table}.quarantine.part" for table in contract}
        self._part_files = {
            table: path.open("w", encoding="utf-8", newline="") for table, path in self._parts.items()
        }

    def inject(self, table: str, rows: list[Row], first_position: int) -> list[Row]:
        """The chunk's rows with the bad rows of the marked positions put in."""
        if not rows:
            return rows
        self._last_row[table] = rows[-1]
        if self.bad_rate == 0:
            return rows
        positions = np.arange(first_position, first_position + len(rows), dtype=np.float64)
        before = np.floor(positions * self.bad_rate + 0.5)
        marked = np.flatnonzero(np.floor((positions + 1) * self.bad_rate + 0.5) > before)
        output: list[Row] = []
        done = 0
        for index, number in zip(marked.tolist(), before[marked].astype(np.int64).tolist(), strict=True):
            output.extend(rows[done:index])
            output.extend(self._bad(table, rows[index], number, in_place_allowed=True))
            done = index + 1
        output.extend(rows[done:])
        return output

    def finish(self, table: str) -> list[Row]:
        """One bad row for a non-empty table that got none, to append at its end."""
        if self.bad_rate == 0 or self.bad_rows[table] or table not in self._last_row:
            return []
        return self._bad(table, self._last_row[table], 0, in_place_allowed=False)[1:]

    def _bad(self, table: str, template: Row, number: int, in_place_allowed: bool) -> list[Row]:
        columns = self.contract[table]
        rng = np.random.default_rng([self.seed, FAULT_STREAM, self.table_numbers[table], number])
        valid = dict(zip(columns, template, strict=True))
        kinds = [
            kind
            for kind in FAULT_KINDS[table]
            if (in_place_allowed or kind.mode != "in_place") and kind.applies(valid, self.questions)
        ]
        kind = kinds[int(rng.integers(len(kinds)))]
        draw = FaultDraw(dict(valid), rng, number, table, self.questions)
        if kind.mode == "extra" and table in KEY_PREFIXES:
            draw.row[columns[0]] = fresh_key(table, number)
        kind.change(draw)
        bad = tuple(draw.row[column] for column in columns)
        key = "|".join(draw.row[column] for column in key_columns(table, columns))
        csv.writer(self._part_files[table]).writerow((table, key, kind.reason))
        self.bad_rows[table] += 1
        return [bad] if kind.mode == "in_place" else [template, bad]

    def write_manifest(self) -> Path:
        """Join the per-table parts into <out>/_expected_quarantine.csv, tables in contract order."""
        path = self.out_dir / MANIFEST_NAME
        for part_file in self._part_files.values():
            part_file.close()
        with path.open("w", encoding="utf-8", newline="") as manifest:
            csv.writer(manifest).writerow(MANIFEST_COLUMNS)
            for part in self._parts.values():
                with part.open(encoding="utf-8", newline="") as lines:
                    for line in lines:
                        manifest.write(line)
                part.unlink()
        return path

    def abandon(self) -> None:
        """Remove the parts after a failed run."""
        for table, part_file in self._part_files.items():
            part_file.close()
            self._parts[table].unlink(missing_ok=True)
