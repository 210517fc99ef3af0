"""Which rows of the demo data go bad or become findings, and the manifests of what the warehouse must report.

Which rows are changed depends only on a row's position in its table: position i (0-based, counting the valid
rows in the order they are generated) is marked when floor((i + 1) * bad_rate + 0.5) > floor(i * bad_rate +
0.5). That marks exactly round-half-up(n * bad_rate) of n rows without knowing n in advance, so the files can
be streamed in chunks of any size. A marked row gets the kind (cx_warehouse.generator.faults) its table has
used least so far among those that fit it, ties drawn at random, from a generator seeded from (seed, table,
fault number): so the output does not depend on the chunk size.

The last HELD_BACK positions of each table are held back until the table ends. Then every kind the table has
not had yet is put on the latest held-back row it fits (in place, or an extra row beside it), and a CSV file
gets one malformed line and one undecodable row (from a stream of their own, so a Parquet data set is the CSV
one without those two rows). So with any bad_rate > 0 each table holds every one of its kinds; only a finding
written in place needs a row of its own, which a table of a handful of rows may lack.

Also when bad_rate > 0, some contacts are deleted from the CRM for privacy (DELETED_TABLE, round-up of
bad_rate x DELETED_SHARE of its rows, the first always): they are not written, while their invitations,
responses and tickets are, as orphans.

The manifests, in the output folder, say exactly what the warehouse must report:
- _expected_quarantine.csv (source_table, record_key, reason_code): one line per quarantined row; record_key
  as macros/quarantine.sql writes it (key columns joined with '|', '<null>' for an empty one), 'line N' for a
  row the loader cannot read (N: the line of the CSV where it starts, the header is line 1);
- _expected_orphans.csv (source_table, record_key, reference_column, missing_key): one line per valid row and
  reference whose parent is missing (fct_orphaned_rows);
- _expected_new_values.csv (source_table, source_column, spelling): the spellings mart_label_values flags as
  new (is_new_value).
"""

from __future__ import annotations

import csv
from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from cx_warehouse.generator.faults import (
    BEFORE,
    IN_PLACE,
    LOADER_FAULTS,
    NULL_KEY_PART,
    ORPHAN,
    Context,
    FaultDraw,
    FaultKind,
    LoaderFault,
    QuestionInfo,
    Values,
    fault_kinds,
    fresh_key,
    has_fresh_keys,
    vocabularies,
)
from cx_warehouse.generator.output import Row
from cx_warehouse.runtime.raw_contract import RawTable

FAULT_STREAM = 1
LOADER_STREAM = 2
HELD_BACK = 200  # positions per table kept unwritten until the table ends, for the kinds it has not had yet
DELETED_TABLE = "contacts"
DELETED_SHARE = 0.2  # deleted contacts per bad row (of bad_rate)

QUARANTINE, ORPHANS, NEW_VALUES = "quarantine", "orphans", "new_values"
MANIFESTS = {
    QUARANTINE: ("_expected_quarantine.csv", ("source_table", "record_key", "reason_code")),
    ORPHANS: ("_expected_orphans.csv", ("source_table", "record_key", "reference_column", "missing_key")),
    NEW_VALUES: ("_expected_new_values.csv", ("source_table", "source_column", "spelling")),
}
MANIFEST_NAME = MANIFESTS[QUARANTINE][0]


@dataclass
class _Written:
    """One row written for a marked position: quarantined with `reason` (None: valid), keyed by its line when
    the loader cannot read it."""

    row: Row
    reason: str | None = None
    by_line: bool = False


@dataclass
class _Entry:
    """The rows written for one marked position, in file order; `template` is the index of the unchanged valid
    row among them (None once a kind changed it in place); new_values: the new spellings written."""

    written: list[_Written]
    template: int | None = 0
    new_values: list[tuple[str, str]] = field(default_factory=list)


@dataclass
class Batch:
    """Rows ready to be written, with what the manifests need of them: the quarantined rows (index, reason,
    keyed by line) and the new spellings (column, spelling), in file order."""

    rows: list[Row] = field(default_factory=list)
    quarantined: list[tuple[int, str, bool]] = field(default_factory=list)
    new_values: list[tuple[str, str]] = field(default_factory=list)

    @property
    def line_rows(self) -> list[int]:
        """Indexes of the rows the warehouse keys by their line."""
        return [index for index, _, by_line in self.quarantined if by_line]

    def add(self, entry: _Entry) -> None:
        """Append an entry's written rows, noting the quarantined ones (their index, reason and whether
        they are keyed by line) and its new values."""
        for written in entry.written:
            if written.reason is not None:
                self.quarantined.append((len(self.rows), written.reason, written.by_line))
            self.rows.append(written.row)
        self.new_values.extend(entry.new_values)


@dataclass
class _Pending:
    """A table's valid rows not written yet (from position `first` on) and the entries of marked ones."""

    rows: list[Row] = field(default_factory=list)
    first: int = 0
    entries: dict[int, _Entry] = field(default_factory=dict)

    def template(self, position: int) -> Row:
        return self.rows[position - self.first]


class _Manifests:
    """The manifests, written per table into part files as rows are written, joined at the end with the tables
    in contract order; per-table line counts for the summary."""

    def __init__(self, out_dir: Path, tables: list[str]):
        self.out_dir = out_dir
        self.counts: dict[str, Counter[str]] = {name: Counter() for name in MANIFESTS}
        self._parts = {
            (name, table): out_dir / f".{table}.{name}.part" for name in MANIFESTS for table in tables
        }  # fmt: skip
        self._files = {
            part: path.open("w", encoding="utf-8", newline="") for part, path in self._parts.items()
        }
        self._writers = {part: csv.writer(handle) for part, handle in self._files.items()}

    def add(self, name: str, table: str, *values: str) -> None:
        self._writers[(name, table)].writerow((table, *values))
        self.counts[name][table] += 1

    def join(self) -> None:
        for handle in self._files.values():
            handle.close()
        for name, (file_name, columns) in MANIFESTS.items():
            with (self.out_dir / file_name).open("w", encoding="utf-8", newline="") as manifest:
                csv.writer(manifest).writerow(columns)
                for (part_name, _), path in self._parts.items():
                    if part_name == name:
                        with path.open(encoding="utf-8", newline="") as part:
                            manifest.write(part.read())
                        path.unlink()

    def abandon(self) -> None:
        for part, handle in self._files.items():
            handle.close()
            self._parts[part].unlink(missing_ok=True)


class FaultInjector:
    """Marks rows by position, puts the kinds in, holds back each table's last rows, and writes the manifests.

    Per table: inject() each chunk's valid rows and finish() at its end, each giving a Batch to write;
    record() each Batch with the lines its rows start on, in file order."""

    def __init__(
        self,
        seed: int,
        bad_rate: float,
        tables: dict[str, RawTable],
        questions: QuestionInfo,
        file_format: str,
        out_dir: Path,
    ):
        self.seed = seed
        self.bad_rate = bad_rate
        self.tables = tables
        self.kinds = {name: fault_kinds(table) for name, table in tables.items()}
        self.loader_faults = LOADER_FAULTS if file_format == "csv" else ()
        self._contexts = {name: Context(table, questions, vocabularies()) for name, table in tables.items()}
        self._numbers = {name: number for number, name in enumerate(tables)}
        self._manifests = _Manifests(out_dir, list(tables))
        self._pending = {name: _Pending() for name in tables}
        self._uses: dict[str, Counter[str]] = {name: Counter() for name in tables}
        self._faults: Counter[str] = Counter()  # fault numbers handed out per table
        self._generated: Counter[str] = Counter()  # rows generated per table, deleted ones included
        self._missing: dict[str, set[str]] = defaultdict(set)  # table -> keys it lacks (deleted, unknown)
        self._listed: set[tuple[str, str, str]] = set()  # new spellings already in the manifest
        self._orphan_refs = {
            name: [
                (index, column.name, column.references)
                for index, column in enumerate(table.columns)
                if column.references and column.missing_parent == "orphan"
            ]
            for name, table in tables.items()
        }

    @property
    def quarantined(self) -> Counter[str]:
        """Rows listed in the quarantine manifest so far, per table."""
        return self._manifests.counts[QUARANTINE]

    @property
    def orphaned(self) -> Counter[str]:
        """Orphan records listed in the orphans manifest so far, per table."""
        return self._manifests.counts[ORPHANS]

    @property
    def new_values(self) -> Counter[str]:
        """New values listed in the new-values manifest so far, per table."""
        return self._manifests.counts[NEW_VALUES]

    def inject(self, table: str, rows: list[Row]) -> Batch:
        """The rows to write now for the next chunk of the table's valid rows (the latest are held back)."""
        if self.bad_rate == 0:
            return Batch(rows)
        rows = self._without_deleted(table, rows)
        pending = self._pending[table]
        first = pending.first + len(pending.rows)
        pending.rows.extend(rows)
        positions = np.arange(first, first + len(rows), dtype=np.float64)
        marked = np.flatnonzero(
            np.floor((positions + 1) * self.bad_rate + 0.5) > np.floor(positions * self.bad_rate + 0.5)
        )
        for position in (first + marked).tolist():
            number, rng = self._draw(table)
            values = self._values(table, pending.template(position))
            kinds = [kind for kind in self.kinds[table] if kind.applies(values, self._contexts[table])]
            fewest = min(self._uses[table][kind.name] for kind in kinds)
            least_used = [kind for kind in kinds if self._uses[table][kind.name] == fewest]
            self._put(table, position, least_used[int(rng.integers(len(least_used)))], number, rng)
        return self._flush(table, keep=HELD_BACK)

    def finish(self, table: str) -> Batch:
        """The table's held-back rows, with the kinds it has not had yet put on the latest rows they fit."""
        if self.bad_rate > 0:
            context = self._contexts[table]
            for kind in self.kinds[table]:
                if self._uses[table][kind.name] == 0:
                    in_place = kind.placement == IN_PLACE
                    position = self._latest(
                        table, in_place, lambda values, kind=kind: kind.applies(values, context)
                    )
                    if position is not None:
                        self._put(table, position, kind, *self._draw(table))
            for index, fault in enumerate(self.loader_faults):
                position = self._latest(
                    table, False, lambda values, fault=fault: fault.applies(values, context.table)
                )
                if position is not None:
                    self._put_unreadable(table, position, fault, index)
        return self._flush(table, keep=0)

    def record(self, table: str, batch: Batch, starts: list[int]) -> None:
        """Write the manifest lines of written rows; `starts`: the lines of batch.line_rows, in order."""
        key = [index for index, column in enumerate(self.tables[table].columns) if column.role == "key"]
        lines = iter(starts)
        for index, reason, by_line in batch.quarantined:
            record_key = f"line {next(lines)}" if by_line else _record_key(batch.rows[index], key)
            self._manifests.add(QUARANTINE, table, record_key, reason)
        references = [ref for ref in self._orphan_refs[table] if self._missing[ref[2]]]
        if references:
            quarantined = {index for index, _, _ in batch.quarantined}
            for index, row in enumerate(batch.rows):
                if index in quarantined:
                    continue
                for column_index, column, parent in references:
                    if row[column_index] in self._missing[parent]:
                        self._manifests.add(ORPHANS, table, _record_key(row, key), column, row[column_index])
        for column, spelling in batch.new_values:
            if (table, column, spelling) not in self._listed:
                self._listed.add((table, column, spelling))
                self._manifests.add(NEW_VALUES, table, column, spelling)

    def write_manifests(self) -> None:
        """Finish the manifests (_expected_quarantine.csv, _expected_orphans.csv,
        _expected_new_values.csv) in the output folder."""
        self._manifests.join()

    def abandon(self) -> None:
        """Remove the manifests' parts after a failed run."""
        self._manifests.abandon()

    # --- internals ---------------------------------------------------------------------------------------

    def _values(self, table: str, row: Row) -> Values:
        return dict(zip((column.name for column in self.tables[table].columns), row, strict=True))

    def _next_number(self, table: str) -> int:
        """The next fault number of the table: it numbers fresh and unknown keys and seeds the draws."""
        self._faults[table] += 1
        return self._faults[table] - 1

    def _draw(self, table: str) -> tuple[int, np.random.Generator]:
        """The next fault number of the table and its random generator."""
        number = self._next_number(table)
        return number, np.random.default_rng([self.seed, FAULT_STREAM, self._numbers[table], number])

    def _without_deleted(self, table: str, rows: list[Row]) -> list[Row]:
        """The rows minus the deleted ones (position p of the generated rows is deleted when ceil((p + 1) x
        share) > ceil(p x share): round-up of the share, the first row always); their keys become missing."""
        first = self._generated[table]
        self._generated[table] += len(rows)
        if table != DELETED_TABLE:
            return rows
        share = self.bad_rate * DELETED_SHARE
        positions = np.arange(first, first + len(rows), dtype=np.float64)
        deleted = np.ceil((positions + 1) * share) > np.ceil(positions * share)
        key = [column.name for column in self.tables[table].columns].index(self.tables[table].key[0])
        self._missing[table].update(rows[index][key] for index in np.flatnonzero(deleted).tolist())
        return [row for row, gone in zip(rows, deleted.tolist(), strict=True) if not gone]

    def _latest(self, table: str, in_place: bool, fits: Callable[[Values], bool]) -> int | None:
        """The latest held-back position whose valid row fits: untouched for a kind written in place, else
        still written unchanged."""
        pending = self._pending[table]
        for position in range(pending.first + len(pending.rows) - 1, pending.first - 1, -1):
            entry = pending.entries.get(position)
            free = entry is None if in_place else entry is None or entry.template is not None
            if free and fits(self._values(table, pending.template(position))):
                return position
        return None

    def _put(self, table: str, position: int, kind: FaultKind, number: int, rng: np.random.Generator) -> None:
        """Apply a kind to the valid row at `position`: change it, or write a changed copy beside it."""
        pending = self._pending[table]
        entry = pending.entries.setdefault(position, _Entry([_Written(pending.template(position))]))
        template = self._values(table, pending.template(position))
        draw = FaultDraw(dict(template), rng, number, self._contexts[table])
        key = self.tables[table].key[0]
        if kind.fresh_key:
            draw.row[key] = fresh_key(draw.row[key], number)
        kind.change(draw)
        if kind.finding == ORPHAN:
            for _, column, parent in self._orphan_refs[table]:
                if draw.row[column] not in (None, template[column]):
                    self._missing[parent].add(draw.row[column])
        changed = _Written(tuple(draw.row.values()), kind.reason)
        if kind.placement == IN_PLACE:
            entry.written[entry.template] = changed
            entry.template = None
        elif kind.placement == BEFORE:
            entry.written.insert(entry.template, changed)
            entry.template += 1
        else:
            entry.written.append(changed)
        entry.new_values.extend(draw.new_values)
        self._uses[table][kind.name] += 1

    def _put_unreadable(self, table: str, position: int, fault: LoaderFault, index: int) -> None:
        """Write a row the loader cannot read after the valid row at `position` (a fresh key where the table
        has room for one, from the loader faults' own random stream)."""
        pending = self._pending[table]
        entry = pending.entries.setdefault(position, _Entry([_Written(pending.template(position))]))
        values = self._values(table, pending.template(position))
        contract = self.tables[table]
        if has_fresh_keys(contract):
            values[contract.key[0]] = fresh_key(values[contract.key[0]], self._next_number(table))
        rng = np.random.default_rng([self.seed, LOADER_STREAM, self._numbers[table], index])
        entry.written.append(_Written(fault.make(values, contract, rng), fault.reason, by_line=True))
        self._uses[table][fault.reason] += 1

    def _flush(self, table: str, keep: int) -> Batch:
        """The rows of all but the last `keep` pending positions, in file order."""
        pending = self._pending[table]
        end = pending.first + max(len(pending.rows) - keep, 0)
        batch = Batch()
        done = pending.first
        for position in sorted(position for position in pending.entries if position < end):
            batch.rows.extend(pending.rows[done - pending.first : position - pending.first])
            batch.add(pending.entries.pop(position))
            done = position + 1
        batch.rows.extend(pending.rows[done - pending.first : end - pending.first])
        del pending.rows[: end - pending.first]
        pending.first = end
        return batch


def _record_key(row: Row, key: list[int]) -> str:
    return "|".join(NULL_KEY_PART if row[index] is None else row[index] for index in key)
