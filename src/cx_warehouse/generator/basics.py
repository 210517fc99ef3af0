"""What the per-family simulators of one account share: time units and the data's window, key counters,
each account's own random stream, weighted picks and calendar arithmetic on epoch seconds and days.

Times inside the simulation are integers: epoch seconds (UTC) for timestamps, epoch days for dates.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, timedelta

import numpy as np

from cx_warehouse.generator.output import DAY, TableBuffer

EPOCH = date(1970, 1, 1)
HOUR = 3_600
YEAR = int(365.25 * DAY)
ACCOUNT_STREAM = 0


def cumulative(weights) -> np.ndarray:
    """Weights (any positive numbers) as a cumulative distribution ending at 1.0, for pick and pick_many."""
    totals = np.cumsum(np.asarray(weights, dtype=np.float64))
    return totals / totals[-1]


def pick(rng: np.random.Generator, cumulative: np.ndarray) -> int:
    """One index drawn with the probabilities of a cumulative distribution (one uniform draw)."""
    return int(np.searchsorted(cumulative, rng.random(), side="right"))


def pick_many(rng: np.random.Generator, cumulative: np.ndarray, count: int) -> np.ndarray:
    """`count` indexes drawn with the probabilities of a cumulative distribution (an int array)."""
    return np.searchsorted(cumulative, rng.random(count), side="right")


@dataclass(frozen=True)
class Window:
    """The days the data covers: `years` years ending on end_date (inclusive), as epoch days."""

    first_day: int
    last_day: int

    @classmethod
    def ending(cls, end_date: date, years: int) -> Window:
        """2023-10-01 to 2026-09-30 for end_date 2026-09-30 and 3 years (an end on 29 February counts back
        from the 28th)."""
        day = 28 if (end_date.month, end_date.day) == (2, 29) else end_date.day
        first = date(end_date.year - years, end_date.month, day) + timedelta(days=1)
        return cls((first - EPOCH).days, (end_date - EPOCH).days)

    @property
    def first_date(self) -> date:
        """The first day of the window as a date."""
        return EPOCH + timedelta(days=self.first_day)

    @property
    def first_second(self) -> int:
        """The window's first moment, epoch seconds (00:00:00 UTC of first_day)."""
        return self.first_day * DAY

    @property
    def last_second(self) -> int:
        """The window's last moment, epoch seconds (23:59:59 UTC of last_day)."""
        return (self.last_day + 1) * DAY - 1


@dataclass(frozen=True)
class ActivePeriod:
    """When an account can produce events, epoch seconds inclusive: from the later of its creation and the
    window's start, to its churn or the window's end."""

    first_s: int
    last_s: int

    def contains(self, moment: int) -> bool:
        """Whether the moment (epoch seconds) falls inside the period, ends included."""
        return self.first_s <= moment <= self.last_s


class IdCounters:
    """Sequential numeric keys per table, handed out in account order.

    Numbers from RESERVED_FROM up are kept free: injected bad rows take their fresh and unknown keys there.
    """

    RESERVED_FROM = 800_000_000

    def __init__(self) -> None:
        self._next: dict[str, int] = defaultdict(lambda: 1)

    def take(self, table: str, count: int) -> np.ndarray:
        """The next `count` keys of `table` (int64 array). Raises ValueError when they would reach
        RESERVED_FROM."""
        first = self._next[table]
        if first + count >= self.RESERVED_FROM:
            raise ValueError(f"{table}: more than {self.RESERVED_FROM:,} rows; generate fewer accounts")
        self._next[table] = first + count
        return np.arange(first, first + count, dtype=np.int64)


class FamilySimulator:
    """Base of the per-family simulators (crm, revenue, support, ...): the window, the key counters and the
    chunk's table buffers their rows go to."""

    def __init__(self, window: Window, ids: IdCounters, tables: dict[str, TableBuffer]):
        self.window = window
        self.ids = ids
        self.tables = tables


def account_rng(seed: int, account_index: int) -> np.random.Generator:
    """The account's own random stream: PCG64 seeded from (seed, account index) through SeedSequence, so an
    account's rows do not depend on the other accounts or on the chunking."""
    return np.random.Generator(
        np.random.PCG64(np.random.SeedSequence(seed, spawn_key=(ACCOUNT_STREAM, account_index)))
    )


def day_of(seconds: int) -> int:
    """The epoch day of a moment in epoch seconds."""
    return int(seconds // DAY)


def business_time(rng: np.random.Generator, count: int | None = None):
    """Seconds into a working day (06:00-17:00 UTC, about 07-19 local in the regions): one int, or an array
    of `count`."""
    return 6 * HOUR + rng.integers(0, 11 * HOUR, count)


def business_moment(rng: np.random.Generator, day: int) -> int:
    """A moment in working hours of an epoch day, epoch seconds."""
    return int(day * DAY + business_time(rng))
