"""The headline figures of a built warehouse, for the terminal: what leadership would read first."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

import duckdb


def last_complete_quarter_start(as_of: date) -> date:
    """The first day of the latest calendar quarter that has ended on or before the as-of day: the quarter
    before the one holding the day after as_of."""
    next_day = as_of + timedelta(days=1)
    quarter_number = next_day.year * 4 + (next_day.month - 1) // 3 - 1
    return date(quarter_number // 4, 3 * (quarter_number % 4) + 1, 1)


@dataclass(frozen=True)
class Headline:
    quarter_start: date
    nps: float | None
    nps_band: str | None
    nps_responses: int
    csat: float | None
    ces: float | None
    csi: float | None
    logo_churn_rate: float | None
    grr: float | None
    nrr: float | None
    arr_end_eur: float | None
    raw_rows: int
    quarantined_rows: int


# Ratios are recomputed from the marts' additive counts, so the touchpoints combine correctly.
_HEADLINE_SQL = """
with nps as (
    select nps, nps_band, responses
    from mart_nps_by_segment
    where period_grain = 'quarter' and period_start = $quarter and segment_dimension = 'all'
),
csat as (
    select sum(satisfied) * 100.0 / nullif(sum(responses), 0) as csat
    from mart_csat_by_touchpoint
    where period_grain = 'quarter' and period_start = $quarter
),
ces as (
    select sum(positive) * 100.0 / nullif(sum(responses), 0) as ces
    from mart_ces_by_touchpoint
    where period_grain = 'quarter' and period_start = $quarter
),
csi as (
    select csi from mart_csi where period_grain = 'quarter' and period_start = $quarter
),
churn as (
    select logo_churn_rate, grr, nrr, arr_end
    from mart_churn
    where period_grain = 'quarter' and period_start = $quarter and segment_dimension = 'all'
),
quality as (
    select sum(raw_rows) as raw_rows, sum(quarantined_rows) as quarantined_rows
    from mart_raw_reconciliation
)
select
    (select nps from nps), (select nps_band from nps), coalesce((select responses from nps), 0),
    (select csat from csat), (select ces from ces), (select csi from csi),
    cast((select logo_churn_rate from churn) as double), cast((select grr from churn) as double),
    cast((select nrr from churn) as double), cast((select arr_end from churn) as double),
    (select raw_rows from quality), (select quarantined_rows from quality)
"""


def read_headline(database: Path, as_of: date) -> Headline:
    """Read the headline figures of the last complete quarter before `as_of` from a built database."""
    quarter = last_complete_quarter_start(as_of)
    with duckdb.connect(str(database), read_only=True) as connection:
        row = connection.execute(_HEADLINE_SQL, {"quarter": quarter}).fetchone()
    return Headline(quarter, *row)


def _number(value: float | None, unit: str = "", signed: bool = False) -> str:
    if value is None:
        return "n/a"
    return f"{value:+.1f}{unit}" if signed else f"{value:.1f}{unit}"


def format_headline(headline: Headline) -> str:
    quarter = f"Q{(headline.quarter_start.month - 1) // 3 + 1} {headline.quarter_start.year}"
    share_quarantined = headline.quarantined_rows * 100.0 / headline.raw_rows if headline.raw_rows else 0.0
    arr = "n/a" if headline.arr_end_eur is None else f"{headline.arr_end_eur / 1e6:,.2f} M EUR"
    lines = [
        f"Headline metrics, {quarter} (from {headline.quarter_start.isoformat()})",
        f"  NPS   {_number(headline.nps, signed=True):>7}  {headline.nps_band or ''}"
        f"  ({headline.nps_responses:,} responses)",
        f"  CSAT  {_number(headline.csat, ' %'):>9}   satisfied answers, all touchpoints",
        f"  CES   {_number(headline.ces, ' %'):>9}   low-effort answers, all touchpoints",
        f"  CSI   {_number(headline.csi):>7}",
        f"  Logo churn {_number(headline.logo_churn_rate, ' %')}   GRR {_number(headline.grr, ' %')}"
        f"   NRR {_number(headline.nrr, ' %')}   ARR at quarter end {arr}",
        f"Data quality: {headline.quarantined_rows:,} of {headline.raw_rows:,} raw rows quarantined "
        f"({share_quarantined:.2f} %), listed with reasons in fct_quarantined_rows",
    ]
    return "\n".join(lines)
