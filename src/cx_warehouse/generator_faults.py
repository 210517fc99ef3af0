"""Injected bad rows of the demo-data generator, and the manifest of what the warehouse must quarantine.

Which rows go bad depends only on a row's position in its table: position i (0-based, counting the valid rows)
carries a fault when floor((i + 1) * bad_rate + 0.5) > floor(i * bad_rate + 0.5). That marks exactly
round-half-up(n * bad_rate) of n rows without knowing n in advance, so the file can be streamed in chunks
of any size.

Every quarantine rule that can fire on a table is exercised: a marked row gets the fault kind its table has
used least so far (ties drawn at random), and when the table ends, one more bad row is appended for each kind
still unused (from a recent valid row it fits). So with any bad_rate > 0 each table holds every one of its
kinds, and a table's bad rows are max(its number of kinds, round-half-up(n * bad_rate)) whenever each marked
row fits a kind not yet used (always, except that out_of_scale needs a scored answer).

Each bad row has exactly one fault, and its random choices come from a generator seeded from
(seed, table, fault number), so the output does not depend on the chunk size. A quarantined row never
orphans valid children: a table with a key of its own (all but the three leaf tables below) only gets extra
rows, with fresh keys that nothing references:
- copy: the valid row is written twice (duplicate_key; the manifest names the key once, for the copy);
- extra: the valid row is written, then a changed copy with a fresh key (or the faulty key) and one fault;
- in place: the row itself is changed. Only for leaf tables whose key leaves no room for a fresh one
  (survey_answers, churn_events, onboarding_projects); the rows appended at a table's end are extra rows
  instead, with the valid row's key, which the warehouse tells apart by their reason.
A changed row breaks exactly one of the warehouse's rules (models/intermediate/int_<table>__checked.sql,
first match wins), so its reason is the one in the manifest.
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
NULL_KEY_PART = "<null>"  # how macros/quarantine.sql record_key shows an empty key column
TAIL_ROWS = 200  # recent valid rows kept per table, as templates for the bad rows appended at its end

FRESH_KEY_BASE = 900_000_000
UNKNOWN_KEY_BASE = 800_000_000
KEY_PREFIXES = {
    "accounts": "ACC-",
    "contacts": "CON-",
    "contracts": "CTR-",
    "invoices": "INV-",
    "surveys": "SRV-",
    "survey_questions": "QST-",
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
    "boolean": ("maybe", "n/a", "unknown", "tru"),
}
FUTURE_YEAR = 2099
# Currencies without a rate in seeds/fx_rates.csv.
UNKNOWN_CURRENCIES = ("CHF", "JPY", "PLN", "ISK")
# Questions whose scale the warehouse cannot score, one per invalid_scale check of
# int_survey_questions__checked: (question_code, metric, scale_min, scale_max, higher_is_better, weight).
INVALID_SCALES = (
    ("nps_3_point", "nps", "1", "3", "true", None),  # a scale with no row in seeds/scale_cutoffs.csv
    ("csat_reversed", "csat", "5", "1", "true", None),  # scale_min >= scale_max
    ("ces_no_direction", "ces", "1", "7", None, None),  # no higher_is_better
    ("csi_zero_weight", "csi_item", "1", "10", "true", "0"),  # a csi item without a positive weight
    ("driver_no_minimum", "driver", None, "5", "true", None),  # no scale_min
)


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

    def days(self, low: int, high: int) -> int:
        return int(self.rng.integers(low, high + 1))


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
    if kind in ("timestamp", "date"):
        return kind
    return "boolean" if kind == "bool" else "number"


def _filled_or_all(draw: FaultDraw, columns: Sequence[str]) -> list[str]:
    """The columns that hold a value, or all of them when none does (a fault may also fill an empty one)."""
    return [name for name in columns if draw.row[name] is not None] or list(columns)


def _unparseable(columns: Sequence[str]) -> Callable[[FaultDraw], None]:
    def change(draw: FaultDraw) -> None:
        column = draw.choose(_filled_or_all(draw, columns))
        draw.row[column] = draw.choose(UNPARSEABLE[_column_type(draw.table, column)])

    return change


def _emptied(columns: Sequence[str]) -> Callable[[FaultDraw], None]:
    """Empty one of the columns: missing_key for key columns, missing_value for required ones."""

    def change(draw: FaultDraw) -> None:
        draw.row[draw.choose(columns)] = None

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


def _before(later: Sequence[str], earlier: str) -> Callable[[FaultDraw], None]:
    """invalid_order: one of the `later` columns 1-30 days before `earlier` (with its format and offset).

    Only a later column moves, and only back in time, so no timestamp reaches the future.
    """

    def change(draw: FaultDraw) -> None:
        column = draw.choose(_filled_or_all(draw, later))
        is_date = COLUMN_KINDS[draw.table][earlier] == "date"
        draw.row[column] = _shift_text(draw.row[earlier], -draw.days(1, 30), is_date)

    return change


def _unknown_currency(draw: FaultDraw) -> None:
    draw.row["currency"] = draw.choose(UNKNOWN_CURRENCIES)


def _negative(columns: Sequence[str]) -> Callable[[FaultDraw], None]:
    """negative_amount: money turns into its negative (or -250.00 when it was zero), counts into -1 to -3."""

    def change(draw: FaultDraw) -> None:
        column = draw.choose(columns)
        value = draw.row[column]
        if COLUMN_KINDS[draw.table][column] != "money":
            draw.row[column] = str(-draw.days(1, 3))
        elif value is not None and float(value) > 0:
            draw.row[column] = f"-{value}"
        else:
            draw.row[column] = "-250.00"

    return change


def _empty_answer(draw: FaultDraw) -> None:
    draw.row.update(score=None, answer_text=None)


def _invalid_scale(draw: FaultDraw) -> None:
    """A question (on the template's survey, with a fresh key) whose scale the warehouse cannot score."""
    code, metric, low, high, higher_is_better, weight = draw.choose(INVALID_SCALES)
    draw.row.update(
        question_code=code,
        metric=metric,
        scale_min=low,
        scale_max=high,
        higher_is_better=higher_is_better,
        weight=weight,
        driver_name=None,
    )


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
    """The faults each table can get: one per reason its int_<table>__checked model can give.

    missing_value empties a column that model requires; invalid_order, unknown_currency and negative_amount
    break the model's conditions of those names.
    """

    def extra(reason, change):
        return FaultKind(reason, "extra", change)

    def in_place(reason, change, applies=FaultKind.applies):
        return FaultKind(reason, "in_place", change, applies)

    def missing_key(table, mode=extra):
        return mode("missing_key", _emptied(key_columns(table, list(COLUMN_KINDS[table]))))

    def missing_value(*columns, mode=extra):
        return mode("missing_value", _emptied(columns))

    return {
        "accounts": (
            DUPLICATE,
            missing_key("accounts"),
            extra("unparseable_value", _unparseable(["created_at"])),
            missing_value("created_at", "tier"),
            FUTURE,
            extra("invalid_category", _invalid_category({"tier": ("gold", "platinum", "vip")})),
        ),
        "contacts": (
            DUPLICATE,
            missing_key("contacts"),
            extra("unparseable_value", _unparseable(["created_at"])),
            missing_value("account_id", "created_at"),
            FUTURE,
            extra("unknown_reference", _unknown_reference({"account_id": "accounts"})),
        ),
        "contracts": (
            DUPLICATE,
            missing_key("contracts"),
            extra("unparseable_value", _unparseable(["start_date", "end_date", "arr"])),
            missing_value("account_id", "start_date", "arr", "currency"),
            extra("invalid_order", _before(["end_date"], "start_date")),
            extra("unknown_currency", _unknown_currency),
            extra("negative_amount", _negative(["arr"])),
            extra("unknown_reference", _unknown_reference({"account_id": "accounts"})),
        ),
        "invoices": (
            DUPLICATE,
            missing_key("invoices"),
            extra("unparseable_value", _unparseable(["invoice_date", "amount"])),
            missing_value("account_id", "invoice_date", "amount", "currency"),
            FUTURE,
            extra("unknown_currency", _unknown_currency),
            extra("unknown_reference", _unknown_reference({"account_id": "accounts"})),
        ),
        "churn_events": (
            DUPLICATE,
            missing_key("churn_events", mode=in_place),
            in_place("unparseable_value", _unparseable(["churned_at"])),
            missing_value("churned_at", "reason_category", mode=in_place),
            in_place("future_timestamp", _future),
            in_place(
                "invalid_category", _invalid_category({"reason_category": ("budget", "merger", "relocation")})
            ),
            extra("unknown_reference", _unknown_reference({"account_id": "accounts"})),
        ),
        "onboarding_projects": (
            DUPLICATE,
            missing_key("onboarding_projects", mode=in_place),
            in_place("unparseable_value", _unparseable(["kickoff_at", "go_live_at"])),
            missing_value("kickoff_at", mode=in_place),
            in_place("future_timestamp", _future),
            in_place("invalid_order", _before(["go_live_at"], "kickoff_at")),
            extra("unknown_reference", _unknown_reference({"account_id": "accounts"})),
        ),
        "feedback_cases": (
            DUPLICATE,
            missing_key("feedback_cases"),
            extra("unparseable_value", _unparseable(["opened_at", "first_contact_at", "closed_at"])),
            missing_value("response_id", "opened_at"),
            FUTURE,
            extra("invalid_order", _before(["first_contact_at", "closed_at"], "opened_at")),
            extra("invalid_category", _invalid_category({"outcome": ("escalated", "pending", "closed")})),
            extra("unknown_reference", _unknown_reference({"response_id": "survey_responses"})),
        ),
        "support_tickets": (
            DUPLICATE,
            missing_key("support_tickets"),
            extra(
                "unparseable_value",
                _unparseable(
                    ["created_at", "first_response_at", "solved_at", "agent_replies", "reopened_count"]
                ),
            ),
            missing_value("account_id", "created_at", "channel", "priority"),
            FUTURE,
            extra("invalid_order", _before(["first_response_at", "solved_at"], "created_at")),
            extra(
                "invalid_category",
                _invalid_category(
                    {"channel": ("fax", "twitter", "walk_in"), "priority": ("p1", "critical", "blocker")}
                ),
            ),
            extra("negative_amount", _negative(["agent_replies", "reopened_count"])),
            extra(
                "unknown_reference", _unknown_reference({"account_id": "accounts", "contact_id": "contacts"})
            ),
        ),
        "surveys": (
            DUPLICATE,
            missing_key("surveys"),
            extra("unparseable_value", _unparseable(["created_at"])),
            missing_value("touchpoint", "created_at"),
            FUTURE,
            extra("invalid_category", _invalid_category({"touchpoint": ("website", "event", "webinar")})),
        ),
        "survey_questions": (
            DUPLICATE,
            missing_key("survey_questions"),
            extra(
                "unparseable_value", _unparseable(["scale_min", "scale_max", "higher_is_better", "weight"])
            ),
            missing_value("survey_id", "question_code", "metric"),
            extra("invalid_category", _invalid_category({"metric": ("rating", "nss", "effort_score")})),
            extra("invalid_scale", _invalid_scale),
            extra("unknown_reference", _unknown_reference({"survey_id": "surveys"})),
        ),
        "survey_invitations": (
            DUPLICATE,
            missing_key("survey_invitations"),
            extra("unparseable_value", _unparseable(["sent_at"])),
            missing_value("survey_id", "contact_id", "sent_at", "channel"),
            FUTURE,
            extra("invalid_category", _invalid_category({"channel": ("fax", "letter", "whatsapp")})),
            extra(
                "unknown_reference", _unknown_reference({"survey_id": "surveys", "contact_id": "contacts"})
            ),
        ),
        "survey_responses": (
            DUPLICATE,
            missing_key("survey_responses"),
            extra("unparseable_value", _unparseable(["submitted_at"])),
            missing_value("survey_id", "contact_id", "submitted_at", "language"),
            FUTURE,
            extra("invalid_category", _invalid_category({"language": ("de", "sv", "fi")})),
            extra(
                "unknown_reference",
                _unknown_reference(
                    {"survey_id": "surveys", "contact_id": "contacts", "invitation_id": "survey_invitations"}
                ),
            ),
        ),
        "survey_answers": (
            DUPLICATE,
            missing_key("survey_answers", mode=in_place),
            in_place("unparseable_value", _unparseable(["score"])),
            in_place("empty_answer", _empty_answer),
            extra("unknown_reference", _answer_unknown_reference),
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
        self._uses: dict[str, Counter[str]] = {table: Counter() for table in contract}
        self._tail: dict[str, list[Row]] = {table: [] for table in contract}
        self._parts = {table: out_dir / f".{table}.quarantine.part" for table in contract}
        self._part_files = {
            table: path.open("w", encoding="utf-8", newline="") for table, path in self._parts.items()
        }

    def inject(self, table: str, rows: list[Row], first_position: int) -> list[Row]:
        """The chunk's rows with the bad rows of the marked positions put in."""
        if not rows or self.bad_rate == 0:
            return rows
        positions = np.arange(first_position, first_position + len(rows), dtype=np.float64)
        before = np.floor(positions * self.bad_rate + 0.5)
        marked = np.flatnonzero(np.floor((positions + 1) * self.bad_rate + 0.5) > before)
        output: list[Row] = []
        done = 0
        for index, number in zip(marked.tolist(), before[marked].astype(np.int64).tolist(), strict=True):
            output.extend(rows[done:index])
            output.extend(self._bad(table, rows[index], number))
            done = index + 1
        output.extend(rows[done:])
        self._keep_tail(table, rows, set(marked.tolist()))
        return output

    def finish(self, table: str) -> list[Row]:
        """One bad row per fault kind the table has not had yet, to append at its end.

        Each is made from the latest unchanged valid row it fits; an in-place kind is written as an extra
        row with that row's key, as the valid row is already written.
        """
        tail = self._tail[table]
        if self.bad_rate == 0 or not tail:
            return []
        output: list[Row] = []
        for kind in FAULT_KINDS[table]:
            if self._uses[table][kind.reason]:
                continue
            fits = (row for row in reversed(tail) if kind.applies(self._as_dict(table, row), self.questions))
            template = next(fits, None)
            if template is None:
                continue
            number = self.bad_rows[table]
            output.append(self._apply(table, template, number, kind, self._rng(table, number)))
        return output

    def _keep_tail(self, table: str, rows: list[Row], marked: set[int]) -> None:
        """Remember the last TAIL_ROWS rows that were written unchanged (templates for finish); counted in
        unchanged rows, so the tail is the same whatever the chunk size."""
        unchanged: list[Row] = []
        index = len(rows) - 1
        while index >= 0 and len(unchanged) < TAIL_ROWS:
            if index not in marked:
                unchanged.append(rows[index])
            index -= 1
        self._tail[table] = (self._tail[table] + unchanged[::-1])[-TAIL_ROWS:]

    def _rng(self, table: str, number: int) -> np.random.Generator:
        return np.random.default_rng([self.seed, FAULT_STREAM, self.table_numbers[table], number])

    def _bad(self, table: str, template: Row, number: int) -> list[Row]:
        """The rows written for a marked row: the kind used least so far among those that fit it."""
        rng = self._rng(table, number)
        valid = self._as_dict(table, template)
        uses = self._uses[table]
        kinds = [kind for kind in FAULT_KINDS[table] if kind.applies(valid, self.questions)]
        fewest = min(uses[kind.reason] for kind in kinds)
        least_used = [kind for kind in kinds if uses[kind.reason] == fewest]
        kind = least_used[int(rng.integers(len(least_used)))]
        bad = self._apply(table, template, number, kind, rng)
        return [bad] if kind.mode == "in_place" else [template, bad]

    def _as_dict(self, table: str, row: Row) -> dict[str, str | None]:
        return dict(zip(self.contract[table], row, strict=True))

    def _apply(
        self, table: str, template: Row, number: int, kind: FaultKind, rng: np.random.Generator
    ) -> Row:
        """The bad row made from a valid one; writes its manifest line."""
        columns = self.contract[table]
        draw = FaultDraw(self._as_dict(table, template), rng, number, table, self.questions)
        if kind.mode == "extra" and table in KEY_PREFIXES:
            draw.row[columns[0]] = fresh_key(table, number)
        kind.change(draw)
        key = "|".join(
            NULL_KEY_PART if draw.row[column] is None else draw.row[column]
            for column in key_columns(table, columns)
        )
        csv.writer(self._part_files[table]).writerow((table, key, kind.reason))
        self.bad_rows[table] += 1
        self._uses[table][kind.reason] += 1
        return tuple(draw.row[column] for column in columns)

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
