"""The fault kinds of the demo-data generator: each way a valid raw row is made into a bad row (one the
warehouse quarantines, with the reason it must give) or into a finding (a row that stays valid and is
reported: an orphan, a value new to seeds/label_synonyms.csv, a known value in another spelling).

Where the warehouse's check comes from the raw contract (models/staging/*/_*__sources.yml, read through
cx_warehouse.runtime.raw_contract), so does the kind, so the two cannot drift apart: the key columns
(missing_key), the typed columns (unparseable_value), the required ones (missing_value), those dated against
the as-of day (future_timestamp), the codes without a fallback (their invalid_reason: invalid_category,
unknown_currency), the references that quarantine (unknown_reference) and those that orphan, the labels with a
vocabulary and the codes with a fallback (new values), every label and code with a vocabulary (known
spellings). The rules of a table's own model (models/validation/<source>/int_<table>__checked.sql) are
listed in _table_rules, the changed column of a conflicting copy in CONFLICTING_COLUMNS; the loader's errors,
which only a CSV file can hold, are LOADER_FAULTS.

A bad row breaks exactly one of the warehouse's checks (they run in order and the first match wins, so a
second broken check could change its reason), and a finding none. A kind is written
- in place: the valid row itself is changed (new values and known spellings, and the faults of
  survey_answers, whose two-column key leaves no room for an extra row);
- after the valid row, as an extra row: with a fresh key that nothing references where the table has a key
  of its own, so that a quarantined row never orphans valid children; else (churn events, onboarding
  projects: keyed by their account) with the valid row's key. An orphan is such an extra row, pointing at a
  key no table has;
- as a copy with the valid row's key: duplicate_row after it, conflicting_duplicate before it (the later copy
  wins, so the valid row is kept and the valid data is unchanged); a double submission before it too.
"""

from __future__ import annotations

import csv
import re
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from functools import cache
from pathlib import Path

import numpy as np
import yaml

from cx_warehouse.generator.output import Row
from cx_warehouse.runtime.project import project_dir
from cx_warehouse.runtime.raw_contract import RawColumn, RawTable

Values = dict[str, str | None]

IN_PLACE, BEFORE, AFTER = "in_place", "before", "after"
# What a finding kind leaves in the warehouse (the row stays valid); a fault kind's row is quarantined.
ORPHAN, NEW_VALUE, KNOWN_SPELLING = "orphan", "new_value", "known_spelling"
NULL_KEY_PART = "<null>"  # how macros/quarantine.sql record_key shows an empty key column

FRESH_KEY_BASE = 900_000_000  # keys of extra rows (nothing references them)
UNKNOWN_KEY_BASE = 800_000_000  # keys an orphan points at (no table has them)
_KEY_PREFIX = re.compile(r"^[A-Z]+-")

# Values that the loader leaves as written and staging cannot cast (macros/casting.sql): a whole number must
# be written as one ('NaN', '1e9' and '3.5' are not), a number or amount with the decimal mark of the file.
UNPARSEABLE = {
    "timestamp": ("2025-13-45 25:61", "yesterday", "n/a", "31/02/2025 10:00", "TBD"),
    "date": ("2025-13-45", "n/a", "31.02.2025", "soon"),
    "integer": ("NaN", "1e9", "3.5", "twelve", "n/a"),
    "number": ("NaN", "n/a", "twelve", "12,50"),
    "money": ("n/a", "twelve", "12,50", "-"),
}
FUTURE_YEAR = 2099
# Spellings the seeds do not know, per vocabulary: written into a code column without a fallback they
# quarantine the row; into a label or a code with a fallback (other, unknown) they are kept as new values.
UNKNOWN_CODES = {
    "metric": ("rating", "nss", "effort_score"),
    "boolean": ("maybe", "unknown", "tru"),
    "currency": ("CHF", "JPY", "PLN", "ISK"),
}
NEW_SPELLINGS = {
    "tier": ("gold", "platinum"),
    "industry": ("energy", "healthcare"),
    "employee_band": ("5000+", "10000+"),
    "region": ("North America", "Baltics"),
    "country": ("US", "PL"),
    "product": ("CX Suite Starter", "Survey Booster add-on"),
    "touchpoint": ("implementation", "event"),
    "channel": ("fax", "whatsapp", "letter"),
    "language": ("sv", "de", "fi"),
    "priority": ("p1", "critical"),
    "ticket_category": ("security", "performance"),
    "churn_reason": ("budget", "merger", "relocation"),
    "feedback_outcome": ("escalated", "closed"),
    "boolean": ("maybe", "måske", "vet ikke"),
}
# The content column a conflicting copy changes: one a source system edits (an account renamed, ARR
# corrected, a ticket re-prioritised, a score changed). Never a key, reference or code, so the copy breaks no
# check, and never the latest of the table's version_by timestamps, so both copies are equally new and the
# later in the file (the valid row) wins.
CONFLICTING_COLUMNS = {
    "accounts": "account_name",
    "contacts": "full_name",
    "contracts": "arr",
    "invoices": "amount",
    "churn_events": "reason_text",
    "onboarding_projects": "kickoff_at",
    "feedback_cases": "owner",
    "support_tickets": "priority",
    "surveys": "survey_name",
    "survey_questions": "question_code",
    "survey_invitations": "channel",
    "survey_responses": "language",
    "survey_answers": "score",
}
# Questions whose scale the warehouse cannot score, one per invalid_scale check of
# int_survey_questions__checked: (question_code, metric, scale_min, scale_max, higher_is_better, weight).
INVALID_SCALES = (
    ("nps_3_point", "nps", "1", "3", "true", None),  # a scale with no row in seeds/scale_cutoffs.csv
    ("csat_reversed", "csat", "5", "1", "true", None),  # scale_min >= scale_max
    ("ces_no_direction", "ces", "1", "7", None, None),  # no higher_is_better
    ("csi_zero_weight", "csi_item", "1", "10", "true", "0"),  # a csi item without a positive weight
    ("driver_no_minimum", "driver", None, "5", "true", None),  # no scale_min
)
# A planted double submission is this many seconds (inclusive range) earlier than its original.
DOUBLE_SUBMISSION_LEAD_S = (1, 120)
# The byte a row the loader cannot decode holds: invalid in UTF-8 and undefined in Windows-1252, so the
# loader flags the row whichever of the two it detects for the file.
UNDECODABLE_BYTE = "\udc81"


def label_key(text: str) -> str:
    """The key two spellings of a value share (macro label_key): spaces collapsed and trimmed, lower case."""
    return re.sub(" +", " ", text).strip(" ").lower()


def double_submission_window_s() -> int:
    """The warehouse's double-submission window (var double_submission_window_minutes), in seconds."""
    variables = yaml.safe_load((project_dir() / "dbt_project.yml").read_text())["vars"]
    return int(variables["double_submission_window_minutes"]) * 60


class Vocabularies:
    """The known spellings: seeds/label_synonyms.csv (vocabulary, spelling, display_value) plus each currency
    of seeds/fx_rates.csv as a code of its own, matched by label_key as the warehouse matches them."""

    def __init__(self, seeds_dir: Path):
        self._display: dict[str, dict[str, str]] = defaultdict(dict)
        self._spellings: dict[str, dict[str, list[str]]] = defaultdict(lambda: defaultdict(list))
        with (seeds_dir / "label_synonyms.csv").open(encoding="utf-8", newline="") as lines:
            for row in csv.DictReader(lines):
                self._add(row["vocabulary"], row["spelling"], row["display_value"])
        with (seeds_dir / "fx_rates.csv").open(encoding="utf-8", newline="") as lines:
            for row in csv.DictReader(lines):
                self._add("currency", row["currency_code"], row["currency_code"])

    def _add(self, vocabulary: str, spelling: str, display: str) -> None:
        self._display[vocabulary][label_key(spelling)] = display
        self._spellings[vocabulary][display].append(spelling)

    @property
    def names(self) -> set[str]:
        """The vocabularies the seeds list (a value of another vocabulary is never new)."""
        return set(self._display)

    def display(self, vocabulary: str, spelling: str) -> str | None:
        """The value a spelling means, None when the seeds do not know it."""
        return self._display[vocabulary].get(label_key(spelling))

    def values(self, vocabulary: str) -> list[str]:
        """The vocabulary's values (display values), sorted."""
        return sorted(self._spellings[vocabulary])

    def spellings(self, vocabulary: str, values: Sequence[str]) -> list[str]:
        """Every spelling the seeds give the values of a vocabulary."""
        return [spelling for value in values for spelling in self._spellings[vocabulary].get(value, [])]

    def other_spellings(self, vocabulary: str, spelling: str) -> list[str]:
        """Other ways to write the value `spelling` means: its synonyms in the seed, and it in other case or
        with blanks around it (which the warehouse trims)."""
        synonyms = [
            text
            for text in self.spellings(vocabulary, [self.display(vocabulary, spelling)])
            if text != spelling
        ]
        variants = {spelling.upper(), spelling.lower(), spelling.capitalize(), f" {spelling} "} - {spelling}
        return synonyms + sorted(variants)


@cache
def vocabularies() -> Vocabularies:
    """The known spellings of every vocabulary, read from the project's seeds."""
    return Vocabularies(project_dir() / "seeds")


@dataclass(frozen=True)
class QuestionInfo:
    """What a fault on an answer needs to know about the question catalog."""

    scale: dict[str, tuple[int, int]]  # question_id -> (scale_min, scale_max); scale questions only
    survey: dict[str, str]  # question_id -> survey_id


@dataclass(frozen=True)
class Context:
    """What a change reads besides the row: the table's contract, the question catalog and the seeds."""

    table: RawTable
    questions: QuestionInfo
    vocabularies: Vocabularies


@dataclass
class FaultDraw:
    """The row being changed, its random generator and fault number, and the new spellings it was given."""

    row: Values
    rng: np.random.Generator
    number: int
    context: Context
    new_values: list[tuple[str, str]] = field(default_factory=list)  # (column, spelling)

    def choose(self, options: Sequence):
        """One of `options`, drawn from the fault's random stream."""
        return options[int(self.rng.integers(len(options)))]

    def integer(self, low: int, high: int) -> int:
        """An integer from low to high, both included, drawn from the fault's random stream."""
        return int(self.rng.integers(low, high + 1))

    def column(self, name: str) -> RawColumn:
        """The contract's declaration of column `name` of the faulted row's table."""
        return self.context.table.column(name)

    def write_new(self, column: str, spelling: str) -> None:
        """Write a spelling the seeds do not know: the warehouse lists it as a new value."""
        self.row[column] = spelling
        self.new_values.append((column, spelling))


Change = Callable[[FaultDraw], None]
Applies = Callable[[Values, Context], bool]


def _always(row: Values, context: Context) -> bool:
    return True


@dataclass(frozen=True)
class FaultKind:
    """One way to change a valid row: its name (the quarantine reason, or the finding), where the changed row
    is written (IN_PLACE, BEFORE or AFTER the valid row), whether it takes a fresh key, the change, and which
    valid rows it fits."""

    name: str
    placement: str
    change: Change
    applies: Applies = _always
    fresh_key: bool = False
    finding: str | None = None  # ORPHAN, NEW_VALUE or KNOWN_SPELLING: the changed row stays valid

    @property
    def reason(self) -> str | None:
        """The quarantine reason of the changed row; None for a finding."""
        return None if self.finding else self.name


@dataclass(frozen=True)
class LoaderFault:
    """A row the loader cannot read, written after a valid row as an extra row: `make` gives the written
    fields (a malformed line has one too many). CSV only; the warehouse keys it by its line."""

    reason: str
    make: Callable[[Values, RawTable, np.random.Generator], Row]
    applies: Callable[[Values, RawTable], bool]


def has_fresh_keys(table: RawTable) -> bool:
    """Whether an extra row of the table takes a fresh key: a key of its own. An extra churn event or
    onboarding project keeps its valid row's account (a bad one concerns a known account, as the warehouse's
    revenue gaps assume); survey_answers' two-column key has no room for extra rows (faults go in place)."""
    return len(table.key) == 1 and table.column(table.key[0]).references is None


def key_prefix(value: str) -> str:
    """'ACC-' of 'ACC-000000012': fresh and unknown keys look like the table's own."""
    match = _KEY_PREFIX.match(value)
    return match.group(0) if match else ""


def fresh_key(value: str, number: int) -> str:
    """A key like `value` (same prefix) that no row has: FRESH_KEY_BASE + number, for an extra row."""
    return f"{key_prefix(value)}{FRESH_KEY_BASE + number}"


def unknown_key(value: str, number: int) -> str:
    """A key like `value` (same prefix) that no table holds: UNKNOWN_KEY_BASE + number, for an orphan's
    reference."""
    return f"{key_prefix(value)}{UNKNOWN_KEY_BASE + number}"


def _filled(columns: Sequence[str]) -> Applies:
    def applies(row: Values, context: Context) -> bool:
        return any(row[name] is not None for name in columns)

    return applies


def _filled_or_all(draw: FaultDraw, columns: Sequence[str]) -> list[str]:
    """The columns that hold a value, or all of them when none does (a fault may also fill an empty one)."""
    return [name for name in columns if draw.row[name] is not None] or list(columns)


# --- time text -----------------------------------------------------------------------------------------


def _shifted(text: str, seconds: int, is_date: bool) -> str:
    """A date or timestamp text moved by `seconds` (whole days for a date), keeping its format and offset."""
    if is_date:
        return (date.fromisoformat(text) + timedelta(seconds=seconds)).isoformat()
    local, suffix = text[:19], text[19:]
    return (datetime.fromisoformat(local) + timedelta(seconds=seconds)).isoformat() + suffix


def _utc(text: str) -> datetime:
    """The instant of a timestamp text (no offset = UTC)."""
    moment = datetime.fromisoformat(text)
    return moment.astimezone(UTC) if moment.tzinfo else moment.replace(tzinfo=UTC)


def _seconds_into_utc_day(text: str) -> int:
    moment = _utc(text)
    return moment.hour * 3600 + moment.minute * 60 + moment.second


# --- changes for the contract's checks ------------------------------------------------------------------


def _unchanged(draw: FaultDraw) -> None:
    """A duplicate is the valid row itself."""


def _emptied(columns: Sequence[str]) -> Change:
    """Empty one of the columns: missing_key for key columns, missing_value for required ones."""

    def change(draw: FaultDraw) -> None:
        draw.row[draw.choose(columns)] = None

    return change


def _unparseable(columns: Sequence[str]) -> Change:
    """A value of one typed column that the loader leaves as written and staging cannot cast."""

    def change(draw: FaultDraw) -> None:
        column = draw.choose(_filled_or_all(draw, columns))
        draw.row[column] = draw.choose(UNPARSEABLE[draw.column(column).kind])

    return change


def _future(draw: FaultDraw) -> None:
    """Move all of the row's timestamps and dates by the same number of days, the first into 2099.

    Shifting together keeps their order, so future_timestamp is the only check the row fails.
    """
    columns = [
        column for column in draw.context.table.columns
        if column.kind in ("timestamp", "date") and draw.row[column.name] is not None
    ]  # fmt: skip
    first_year = int(draw.row[columns[0].name][:4])
    days = (date(FUTURE_YEAR, 1, 1) - date(first_year, 1, 1)).days
    for column in columns:
        draw.row[column.name] = _shifted(draw.row[column.name], days * 86_400, column.kind == "date")


def _unknown_code(columns: Sequence[RawColumn]) -> Change:
    """A code spelling its vocabulary does not know (the warehouse also lists it as a new value)."""

    def change(draw: FaultDraw) -> None:
        column = draw.choose(columns)
        draw.write_new(column.name, draw.choose(UNKNOWN_CODES[column.vocabulary]))

    return change


def _unknown_reference(columns: Sequence[str]) -> Change:
    """Point one reference at a key its parent table does not have."""

    def change(draw: FaultDraw) -> None:
        column = draw.choose([name for name in columns if draw.row[name] is not None])
        draw.row[column] = unknown_key(draw.row[column], draw.number)

    return change


def _conflicting(column: str) -> Change:
    """Another value of a content column, of the kind the column holds (see CONFLICTING_COLUMNS)."""

    def change(draw: FaultDraw) -> None:
        value, contract = draw.row[column], draw.column(column)
        if contract.kind == "number":  # an answer's score: another point of its question's scale
            low, high = draw.context.questions.scale[draw.row["question_id"]]
            draw.row[column] = str(
                draw.choose([score for score in range(low, high + 1) if str(score) != value])
            )
        elif contract.kind == "money":
            cents = round(float(value) * 100) * (10 + draw.integer(1, 3)) // 10
            draw.row[column] = f"{'-' if cents < 0 else ''}{abs(cents) // 100}.{abs(cents) % 100:02d}"
        elif contract.kind == "timestamp":
            draw.row[column] = _shifted(value, -60 * draw.integer(1, 59), is_date=False)
        elif contract.vocabulary:
            vocabulary = draw.context.vocabularies
            shown = vocabulary.display(contract.vocabulary, value)
            draw.row[column] = draw.choose([v for v in vocabulary.values(contract.vocabulary) if v != shown])
        else:  # text, as an earlier import wrote it
            draw.row[column] = value.upper() if value.upper() != value else f"{value} (old)"

    return change


def _conflict_fits(column: str) -> Applies:
    """A copy can conflict on the column: it is filled; a score is on a scale of more than one point; a
    timestamp can move up to an hour back within its UTC day (a nightly cut keeps or drops both copies) and is
    not the latest of the version_by timestamps (here: a later one is filled)."""

    def applies(row: Values, context: Context) -> bool:
        if row[column] is None:
            return False
        if context.table.column(column).kind == "number":
            return row["question_id"] in context.questions.scale
        if context.table.column(column).kind == "timestamp":
            later = context.table.version_by[context.table.version_by.index(column) + 1 :]
            return any(row[name] is not None for name in later) and _seconds_into_utc_day(row[column]) >= 3600
        return True

    return applies


def _orphaned(column: str, double_submission: Sequence[str]) -> Change:
    """Point the reference at a key no table has: the row stays valid, listed as an orphan. An extra row must
    not double-submit its valid row: unless the column is one of the double_submission columns, the first of
    them is emptied (an anonymous response to an invitation missing from the export)."""
    point = _unknown_reference([column])

    def change(draw: FaultDraw) -> None:
        point(draw)
        if double_submission and column not in double_submission:
            draw.row[double_submission[0]] = None

    return change


def _new_value(column: RawColumn) -> Change:
    """A value the seeds do not know, in a label or a code with a fallback: kept, and listed as new."""

    def change(draw: FaultDraw) -> None:
        draw.write_new(column.name, draw.choose(NEW_SPELLINGS[column.vocabulary]))

    return change


def _known_spelling(column: RawColumn) -> Change:
    """A known value as an export also writes it: a seed synonym ('nb' for no), other case, blanks around."""

    def change(draw: FaultDraw) -> None:
        spellings = draw.context.vocabularies.other_spellings(column.vocabulary, draw.row[column.name])
        draw.row[column.name] = draw.choose(spellings)

    return change


# --- changes for the tables' own rules -----------------------------------------------------------------


def _before(later: Sequence[str], earlier: str) -> Change:
    """invalid_order: one of the `later` columns 1-30 days before `earlier` (with its format and offset).

    Only a later column moves, and only back in time, so no timestamp reaches the future.
    """

    def change(draw: FaultDraw) -> None:
        column = draw.choose(_filled_or_all(draw, later))
        is_date = draw.column(earlier).kind == "date"
        draw.row[column] = _shifted(draw.row[earlier], -86_400 * draw.integer(1, 30), is_date)

    return change


def _negative(columns: Sequence[str]) -> Change:
    """negative_amount: money turns into its negative (or -250.00 when it was zero), counts into -1 to -3."""

    def change(draw: FaultDraw) -> None:
        column = draw.choose(columns)
        value = draw.row[column]
        if draw.column(column).kind != "money":
            draw.row[column] = str(-draw.integer(1, 3))
        elif value is not None and float(value) > 0:
            draw.row[column] = f"-{value}"
        else:
            draw.row[column] = "-250.00"

    return change


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


def _empty_answer(draw: FaultDraw) -> None:
    draw.row.update(score=None, answer_text=None)


def _is_scored_answer(row: Values, context: Context) -> bool:
    return row["question_id"] in context.questions.scale and row["score"] is not None


def _out_of_scale(draw: FaultDraw) -> None:
    """A score above or below the scale, or between two of its whole points (as an averaging export does)."""
    low, high = draw.context.questions.scale[draw.row["question_id"]]
    where = draw.rng.random()
    if where < 0.5:
        draw.row["score"] = str(high + draw.integer(1, 3))
    elif where < 0.8:
        draw.row["score"] = str(low - draw.integer(1, 2))
    else:
        draw.row["score"] = f"{draw.integer(low, high - 1)}.5"


def _other_surveys_question(draw: FaultDraw) -> None:
    """The answer's question is one of another survey (with a score on its scale)."""
    questions = draw.context.questions
    own_survey = questions.survey[draw.row["question_id"]]
    others = sorted(
        q for q, survey in questions.survey.items() if survey != own_survey and q in questions.scale
    )
    question = draw.choose(others)
    low, high = questions.scale[question]
    draw.row.update(question_id=question, score=str(draw.integer(low, high)), answer_text=None)


def _either(changes: Sequence[Change]) -> Change:
    """One of several changes that give the same reason, drawn at random."""

    def change(draw: FaultDraw) -> None:
        draw.choose(changes)(draw)

    return change


def _double_submission(columns: Sequence[str]) -> tuple[Change, Applies]:
    """The same contact submitted the same survey 1-120 seconds earlier (a fresh key; nothing answers it), in
    the same UTC day, so that a nightly cut keeps or drops both. columns: the `by` columns, then the time."""
    *by, at = columns

    def change(draw: FaultDraw) -> None:
        draw.row[at] = _shifted(draw.row[at], -draw.integer(*DOUBLE_SUBMISSION_LEAD_S), is_date=False)

    def applies(row: Values, context: Context) -> bool:
        filled = all(row[name] is not None for name in columns)
        return filled and _seconds_into_utc_day(row[at]) > DOUBLE_SUBMISSION_LEAD_S[1]

    return change, applies


# Per table, the columns of its double-submission rule (int_survey_responses__checked): `by`, then the time.
DOUBLE_SUBMISSION = {"survey_responses": ("contact_id", "survey_id", "submitted_at")}


def _table_rules(table: RawTable, placement: str, fresh: bool) -> list[FaultKind]:
    """The kinds of the table's own rules (models/validation/<source>/int_<table>__checked.sql)."""

    def kind(reason: str, change: Change, applies: Applies = _always) -> FaultKind:
        return FaultKind(reason, placement, change, applies, fresh_key=fresh)

    rules = {
        "contracts": [
            kind("invalid_order", _before(["end_date"], "start_date")),
            kind("negative_amount", _negative(["arr"])),
        ],
        "onboarding_projects": [kind("invalid_order", _before(["go_live_at"], "kickoff_at"))],
        "feedback_cases": [kind("invalid_order", _before(["first_contact_at", "closed_at"], "opened_at"))],
        "support_tickets": [
            kind("invalid_order", _before(["first_response_at", "solved_at"], "created_at")),
            kind("negative_amount", _negative(["agent_replies", "reopened_count"])),
        ],
        "survey_questions": [kind("invalid_scale", _invalid_scale)],
        "survey_answers": [
            kind("empty_answer", _empty_answer),
            kind("unknown_reference", _other_surveys_question),
            kind("out_of_scale", _out_of_scale, _is_scored_answer),
        ],
    }
    found = rules.get(table.name, [])
    if table.name in DOUBLE_SUBMISSION:
        change, applies = _double_submission(DOUBLE_SUBMISSION[table.name])
        found.append(FaultKind("double_submission", BEFORE, change, applies, fresh_key=True))
    return found


def fault_kinds(table: RawTable) -> tuple[FaultKind, ...]:
    """The kinds of one table, in a fixed order: the copies, the contract's checks in the warehouse's order,
    the table's own rules, then the findings. Two kinds with one reason (the contract's unknown_reference and
    an answer's question of another survey) are one kind that draws either change."""
    columns = table.columns
    fresh = has_fresh_keys(table)
    extra = AFTER if len(table.key) == 1 else IN_PLACE

    def kind(reason: str, change: Change, applies: Applies = _always) -> FaultKind:
        return FaultKind(reason, extra, change, applies, fresh_key=fresh)

    kinds = [FaultKind("duplicate_row", AFTER, _unchanged)]
    conflict = CONFLICTING_COLUMNS[table.name]
    kinds.append(FaultKind("conflicting_duplicate", BEFORE, _conflicting(conflict), _conflict_fits(conflict)))
    kinds.append(kind("missing_key", _emptied(table.key)))
    typed = [
        column.name for column in columns if column.role != "code" and column.kind not in ("text", "boolean")
    ]
    if typed:
        kinds.append(kind("unparseable_value", _unparseable(typed)))
    required = [column.name for column in columns if column.required and column.role != "key"]
    if required:
        kinds.append(kind("missing_value", _emptied(required)))
    dated = [column.name for column in columns if column.not_after_as_of]
    if dated:
        kinds.append(kind("future_timestamp", _future, _filled(dated)))
    failing_codes: dict[str, list[RawColumn]] = defaultdict(list)
    for column in columns:
        if column.quarantines_unknown_code:
            failing_codes[column.invalid_reason].append(column)
    kinds += [kind(reason, _unknown_code(codes)) for reason, codes in failing_codes.items()]
    quarantining = [
        column.name for column in columns if column.references and column.missing_parent == "quarantine"
    ]
    if quarantining:
        kinds.append(kind("unknown_reference", _unknown_reference(quarantining), _filled(quarantining)))
    kinds += _table_rules(table, extra, fresh)

    double_submission = DOUBLE_SUBMISSION.get(table.name, ())[:-1]
    for column in columns:
        if column.references and column.missing_parent == "orphan":
            orphaned = _orphaned(column.name, double_submission)
            kinds.append(_finding(ORPHAN, column.name, AFTER, orphaned, fresh))
        if column.vocabulary in vocabularies().names:
            if column.role == "label" or not column.quarantines_unknown_code:
                kinds.append(_finding(NEW_VALUE, column.name, IN_PLACE, _new_value(column)))
            kinds.append(_finding(KNOWN_SPELLING, column.name, IN_PLACE, _known_spelling(column)))
    return tuple(_merged(kinds))


def _finding(finding: str, column: str, placement: str, change: Change, fresh: bool = False) -> FaultKind:
    """A finding on one column, for rows where it is filled: a kind per column, so every column gets one."""
    return FaultKind(f"{finding}:{column}", placement, change, _filled([column]), fresh, finding)


def _merged(kinds: list[FaultKind]) -> list[FaultKind]:
    """One kind per name, in first-seen order; kinds of one name must agree on where they are written."""
    by_name: dict[str, list[FaultKind]] = {}
    for kind in kinds:
        by_name.setdefault(kind.name, []).append(kind)
    merged = []
    for same in by_name.values():
        first = same[0]
        if len(same) > 1:
            fits = [kind.applies for kind in same]
            first = FaultKind(
                first.name,
                first.placement,
                _either([kind.change for kind in same]),
                lambda row, context, fits=fits: all(applies(row, context) for applies in fits),
                first.fresh_key,
                first.finding,
            )
        merged.append(first)
    return merged


# --- the loader's errors (CSV only) --------------------------------------------------------------------


def _undecodable_column(table: RawTable) -> str:
    """Where a byte of another encoding lands: free text, else a label no vocabulary checks, else the key;
    never a column whose value is matched to a vocabulary (it would also be a new value)."""
    for roles in (("text",), ("label",)):
        for column in table.columns:
            if column.role in roles and column.vocabulary is None:
                return column.name
    return table.key[0]


def _malformed(row: Values, table: RawTable, rng: np.random.Generator) -> Row:
    """The row with one field too many: a value with a blank split in two, as an export that does not quote a
    value holding the delimiter writes it; else the last filled value once more at the end of the line. Never
    an empty field at the end, which readers take for a trailing delimiter (DuckDB reads such a line)."""
    values = [row[column.name] for column in table.columns]
    spaced = [index for index, value in enumerate(values) if value and " " in value]
    if not spaced:
        return (*values, next(value for value in reversed(values) if value))
    index = spaced[int(rng.integers(len(spaced)))]
    head, tail = values[index].split(" ", 1)
    return (*values[:index], head, tail, *values[index + 1 :])


def _single_line(row: Values, table: RawTable) -> bool:
    """No value spans lines: the loader flags only the first line of a malformed record, so a malformed row
    that spanned two would leave its second line to be read as a record of its own."""
    return not any(value and ("\n" in value or "\r" in value) for value in row.values())


def _undecodable(row: Values, table: RawTable, rng: np.random.Generator) -> Row:
    """The row with a byte of another encoding inside one text value."""
    column = _undecodable_column(table)
    value = row[column]
    cut = int(rng.integers(1, len(value) + 1))
    changed = dict(row, **{column: value[:cut] + UNDECODABLE_BYTE + value[cut:]})
    return tuple(changed[name.name] for name in table.columns)


def _has_undecodable_column(row: Values, table: RawTable) -> bool:
    return row[_undecodable_column(table)] is not None


LOADER_FAULTS = (
    LoaderFault("malformed_line", _malformed, _single_line),
    LoaderFault("undecodable_value", _undecodable, _has_undecodable_column),
)
