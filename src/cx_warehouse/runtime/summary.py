"""What a build tells its user on the terminal: the headline figures leadership reads first, and the
data-quality findings that say whether those figures can be trusted (shares of quarantined and orphaned rows
per raw table against the thresholds, values new to the seeds, incomplete revenue periods)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path

from cx_warehouse.runtime.project import project_vars
from cx_warehouse.runtime.raw_contract import raw_tables
from cx_warehouse.runtime.warehouse import connect


def last_complete_quarter_start(as_of: date) -> date:
    """The first day of the latest calendar quarter that has ended on or before the as-of day: the quarter
    before the one holding the day after as_of."""
    next_day = as_of + timedelta(days=1)
    quarter_number = next_day.year * 4 + (next_day.month - 1) // 3 - 1
    return date(quarter_number // 4, 3 * (quarter_number % 4) + 1, 1)


@dataclass(frozen=True)
class RiskyAccount:
    """One of the accounts mart_churn_risk scores as likeliest to churn: its id, tier, the probability (0-1)
    of churning within the model's horizon, its ARR (EUR) and the first of its top three reasons."""

    account_id: str
    tier: str | None
    churn_probability: float
    arr_eur: float | None
    top_reason: str | None


@dataclass(frozen=True)
class AnalyticsHeadline:
    """The analytics marts' answers for the quarter (None where a mart has no figure): account-weighted and
    ARR-weighted NPS and ARR at risk (EUR, ARR of detractor accounts; mart_account_health_by_segment), the
    strongest NPS driver of the latest year with a fitted model (mart_key_drivers: its key, survey, share of
    R2 0-1, quadrant) and the accounts likeliest to churn (mart_churn_risk)."""

    account_weighted_nps: float | None
    arr_weighted_nps: float | None
    arr_at_risk_eur: float | None
    arr_at_risk_pct: float | None
    revenue_coverage_pct: float | None
    top_driver: str | None
    top_driver_year: date | None
    top_driver_share: float | None
    top_driver_quadrant: str | None
    riskiest_accounts: tuple[RiskyAccount, ...] = ()


@dataclass(frozen=True)
class Headline:
    """The headline figures of one quarter, read from the marts. Percent figures: nps (-100..100,
    promoters minus detractors; Reichheld, HBR 2003), csat (share of satisfied, top-box answers), ces
    (share of low-effort answers; Customer Effort Score, Dixon, Freeman and Toman, HBR 2010), csi (0-100),
    logo_churn_rate, grr and nrr (docs/metrics_revenue.md); arr_end_eur in EUR; None where the quarter has
    no figure. raw_rows and quarantined_rows count all raw tables."""

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
    #: Responses the export dates in the quarter, and how many of them are valid: they say why a figure is
    #: missing (no data in the quarter, or all of it quarantined).
    raw_responses_in_quarter: int = 0
    valid_responses_in_quarter: int = 0
    incomplete_accounts: int = 0
    #: Half the width of the NPS's 95 % interval (adjusted Wald; mart_nps_by_segment.nps_margin_of_error).
    nps_margin_of_error: float | None = None
    analytics: AnalyticsHeadline | None = None


# Ratios are recomputed from the marts' additive counts, so the touchpoints combine correctly.
_HEADLINE_SQL = """
with nps as (
    select nps, nps_band, responses, nps_margin_of_error
    from mart_nps_by_segment
    where period_grain = 'quarter' and period_start = $quarter and segment_dimension = 'all'
),
csat as (
    select sum(satisfied) * 100.0 / nullif(sum(responses), 0) as csat
    from mart_csat_by_touchpoint
    where period_grain = 'quarter' and period_start = $quarter and touchpoint <> 'all'
),
ces as (
    select sum(positive) * 100.0 / nullif(sum(responses), 0) as ces
    from mart_ces_by_touchpoint
    where period_grain = 'quarter' and period_start = $quarter and touchpoint <> 'all'
),
csi as (
    select csi from mart_csi where period_grain = 'quarter' and period_start = $quarter
),
churn as (
    select logo_churn_rate, grr, nrr, arr_end, incomplete_accounts
    from mart_churn
    where period_grain = 'quarter' and period_start = $quarter and segment_dimension = 'all'
),
quality as (
    select sum(raw_rows) as raw_rows, sum(quarantined_rows) as quarantined_rows
    from mart_raw_reconciliation
),
responses as (
    select
        count(*) as raw_responses,
        count(case when quarantine_reason is null then 1 end) as valid_responses
    from int_survey_responses__checked
    where submitted_at >= $quarter and submitted_at < $quarter_end
)
select
    (select nps from nps), (select nps_band from nps), coalesce((select responses from nps), 0),
    (select csat from csat), (select ces from ces), (select csi from csi),
    cast((select logo_churn_rate from churn) as double), cast((select grr from churn) as double),
    cast((select nrr from churn) as double), cast((select arr_end from churn) as double),
    (select raw_rows from quality), (select quarantined_rows from quality),
    (select raw_responses from responses), (select valid_responses from responses),
    coalesce((select incomplete_accounts from churn), 0), (select nps_margin_of_error from nps)
"""


def _quarter_end(quarter_start: date) -> date:
    month = quarter_start.month + 3
    return date(quarter_start.year + (month > 12), (month - 1) % 12 + 1, 1)


_ACCOUNT_HEALTH_SQL = """
select
    account_weighted_nps, arr_weighted_nps, cast(arr_at_risk_eur as double), arr_at_risk_pct,
    revenue_coverage_pct
from mart_account_health_by_segment
where period_grain = 'quarter' and period_start = $quarter and segment_dimension = 'all'
"""

# The driver explaining the most NPS variance (R2 share, comparable across surveys, unlike a share of one
# survey's R2) for the whole population in the latest year with a fitted model.
_TOP_DRIVER_SQL = """
select driver_key, period_start, importance_share, quadrant
from mart_key_drivers
where importance_status = 'fitted' and segment_dimension = 'all'
order by period_start desc, importance_r2 desc, driver_key
limit 1
"""

_RISKIEST_ACCOUNTS_SQL = """
select account_id, tier, cast(churn_probability as double), cast(arr_eur as double), reason_1_text
from mart_churn_risk
where churn_probability is not null
order by churn_probability desc, account_id
limit $top
"""

#: The marts the analytics headline reads; a database without them (an engine where the Python models do not
#: run) has no analytics headline.
ANALYTICS_MARTS = ("mart_account_health_by_segment", "mart_key_drivers", "mart_churn_risk")


def read_analytics(connection, quarter: date, top_accounts: int = 3) -> AnalyticsHeadline | None:
    """The analytics headline of `quarter` from an open connection to a built database, None when one of
    ANALYTICS_MARTS is missing."""
    present = {
        name for (name,) in connection.execute("select table_name from information_schema.tables").fetchall()
    }
    if not present.issuperset(ANALYTICS_MARTS):
        return None
    health = connection.execute(_ACCOUNT_HEALTH_SQL, {"quarter": quarter}).fetchone() or (None,) * 5
    driver = connection.execute(_TOP_DRIVER_SQL).fetchone() or (None,) * 4
    risky = connection.execute(_RISKIEST_ACCOUNTS_SQL, {"top": top_accounts}).fetchall()
    return AnalyticsHeadline(*health, *driver, tuple(RiskyAccount(*row) for row in risky))


def read_headline(database: Path, as_of: date) -> Headline:
    """Read the headline figures of the last complete quarter before `as_of` from a built database."""
    quarter = last_complete_quarter_start(as_of)
    with connect(database) as connection:
        row = connection.execute(
            _HEADLINE_SQL, {"quarter": quarter, "quarter_end": _quarter_end(quarter)}
        ).fetchone()
        analytics = read_analytics(connection, quarter)
    return Headline(quarter, *row, analytics=analytics)


def _number(value: float | None, unit: str = "", signed: bool = False, missing: str = "n/a") -> str:
    if value is None:
        return missing
    return f"{value:+.1f}{unit}" if signed else f"{value:.1f}{unit}"


def _missing_survey_figure(headline: Headline) -> str:
    """What stands in for a survey figure the quarter does not have: never a bare n/a for a quarter that had
    data in the export."""
    if headline.raw_responses_in_quarter == 0:
        return "no data"
    if headline.valid_responses_in_quarter == 0:
        return "all quarantined"
    return "not asked"


def _why_missing(headline: Headline) -> str:
    """The sentence behind _missing_survey_figure."""
    if headline.raw_responses_in_quarter == 0:
        return "no survey responses in the export for the quarter"
    if headline.valid_responses_in_quarter == 0:
        return (
            f"all {headline.raw_responses_in_quarter:,} responses of the quarter are quarantined "
            "(see fct_quarantined_rows)"
        )
    return "no answer to that metric in the quarter"


def format_headline(headline: Headline) -> str:
    """The headline figures; a missing survey figure says why (no data in the quarter, all of it quarantined,
    or the metric not asked) instead of a bare n/a."""
    quarter = f"Q{(headline.quarter_start.month - 1) // 3 + 1} {headline.quarter_start.year}"
    share_quarantined = headline.quarantined_rows * 100.0 / headline.raw_rows if headline.raw_rows else 0.0
    arr = "n/a" if headline.arr_end_eur is None else f"{headline.arr_end_eur / 1e6:,.2f} M EUR"
    band = f"  {headline.nps_band}" if headline.nps_band else ""
    margin = "" if headline.nps_margin_of_error is None else f" ± {headline.nps_margin_of_error:.1f}"
    missing = _missing_survey_figure(headline)
    lines = [
        f"Headline metrics, {quarter} (from {headline.quarter_start.isoformat()})",
        f"  NPS   {_number(headline.nps, signed=True, missing=missing):>7}{margin}{band}"
        f"  ({headline.nps_responses:,} responses{', 95 % margin of error' if margin else ''})",
        f"  CSAT  {_number(headline.csat, ' %', missing=missing):>9}   satisfied answers, all touchpoints",
        f"  CES   {_number(headline.ces, ' %', missing=missing):>9}   low-effort answers, all touchpoints",
        f"  CSI   {_number(headline.csi, missing=missing):>7}",
        f"  Logo churn {_number(headline.logo_churn_rate, ' %')}   GRR {_number(headline.grr, ' %')}"
        f"   NRR {_number(headline.nrr, ' %')}   ARR at quarter end {arr}",
    ]
    if None in (headline.nps, headline.csat, headline.ces, headline.csi):
        lines.append(f"  ({missing}: {_why_missing(headline)})")
    if headline.incomplete_accounts:
        lines.append(
            f"  ({headline.incomplete_accounts:,} accounts with quarantined contracts or churn events in the "
            "quarter are kept out of the churn figures: mart_churn.incomplete_accounts)"
        )
    if headline.analytics:
        lines += format_analytics(headline.analytics)
    lines.append(
        f"Data quality: {headline.quarantined_rows:,} of {headline.raw_rows:,} raw rows quarantined "
        f"({share_quarantined:.2f} %), listed with reasons in fct_quarantined_rows"
    )
    return "\n".join(lines)


def _eur(value: float | None) -> str:
    return "n/a" if value is None else f"{value / 1e6:,.2f} M EUR"


def format_analytics(analytics: AnalyticsHeadline) -> list[str]:
    """The analytics lines of the headline: account health, the top NPS driver, the riskiest accounts."""
    lines = [
        f"  Account NPS {_number(analytics.account_weighted_nps, signed=True)} (each account once)"
        f"   ARR-weighted NPS {_number(analytics.arr_weighted_nps, signed=True)}",
        f"  ARR at risk {_eur(analytics.arr_at_risk_eur)} "
        f"({_number(analytics.arr_at_risk_pct, ' %')} of ARR, detractor accounts)"
        f"   revenue coverage {_number(analytics.revenue_coverage_pct, ' %')}",
    ]
    if analytics.top_driver:
        lines.append(
            f"  Top NPS driver {analytics.top_driver} ({analytics.top_driver_year.year}): "
            f"{analytics.top_driver_share * 100:.0f} % of the explained variance, "
            f"{analytics.top_driver_quadrant}"
        )
    for account in analytics.riskiest_accounts:
        lines.append(
            f"  Churn risk {account.churn_probability * 100:4.0f} %  account {account.account_id}"
            f" ({account.tier or 'unknown'}, ARR {_eur(account.arr_eur)}): "
            f"{account.top_reason or 'no reason given'}"
        )
    return lines


# ------------------------------------------------------------------------------------------- data quality


@dataclass(frozen=True)
class Thresholds:
    """Shares of a raw table's rows (percent) above which the build warns, and fails, and the fewest rows a
    share must hold to be judged unless it is the whole table (the dbt vars)."""

    quarantine_warn_pct: float
    quarantine_error_pct: float
    orphan_warn_pct: float
    orphan_error_pct: float
    data_quality_min_rows: float

    @classmethod
    def from_vars(cls, overrides: dict[str, object] | None = None) -> Thresholds:
        """The thresholds from dbt_project.yml's vars, with `overrides` (e.g. the build's --var)
        winning. Raises KeyError when a var is missing."""
        values = {**project_vars(), **(overrides or {})}
        return cls(*(float(values[name]) for name in cls.__dataclass_fields__))


@dataclass(frozen=True)
class TableQuality:
    """Data quality of one raw table (mart_raw_reconciliation): rows in the export, quarantined rows
    (settled_copies of them are copies of a row that counts), orphaned rows, and the top reasons and
    missing parents as text."""

    table: str
    raw_rows: int
    quarantined_rows: int
    settled_copies: int  # of quarantined_rows: copies of a counted row (duplicates, double submissions)
    orphaned_rows: int
    top_reasons: str  # 'unparseable_value in score (312), missing_key in response_id (4)'
    orphan_parents: str  # '12 point at contacts missing from the export or quarantined'

    @property
    def missing_rows(self) -> int:
        """The rows missing from the figures: quarantined rows other than settled copies, as the dbt threshold
        test on mart_raw_reconciliation.quarantined_pct counts them."""
        return self.quarantined_rows - self.settled_copies

    @property
    def quarantined_pct(self) -> float:
        """Percent of the table's rows missing from the figures: quarantined rows that are not
        settled copies (0 for an empty table)."""
        return self.missing_rows * 100.0 / self.raw_rows if self.raw_rows else 0.0

    @property
    def orphaned_pct(self) -> float:
        """Percent of the table's rows that are orphans (0 for an empty table)."""
        return self.orphaned_rows * 100.0 / self.raw_rows if self.raw_rows else 0.0


@dataclass(frozen=True)
class DataQuality:
    """A build's data-quality findings: per raw table, the values new to the seeds (table, column,
    spelling, rows, shown as), incomplete churn account-periods and CLV accounts, and the thresholds they
    are judged by."""

    tables: list[TableQuality]
    new_values: list[tuple[str, str, str, int, str | None]]  # table, column, spelling, rows, shown as
    incomplete_account_periods: int  # quarter account-periods kept out of mart_churn's figures
    incomplete_clv_accounts: int
    thresholds: Thresholds = field(default_factory=lambda: Thresholds.from_vars())

    def problems(self) -> tuple[list[str], list[str]]:
        """(errors, warnings): one line per table whose share of quarantined or orphaned rows passes a
        threshold, naming the table, the share and its main cause. As the dbt tests, a share is judged only
        when it holds data_quality_min_rows rows or the whole table."""
        errors, warnings = [], []
        limits = self.thresholds
        for table in self.tables:
            for rows, share, warn, error, what, cause in (
                (table.missing_rows, table.quarantined_pct, limits.quarantine_warn_pct,
                 limits.quarantine_error_pct, "quarantined", table.top_reasons),
                (table.orphaned_rows, table.orphaned_pct, limits.orphan_warn_pct, limits.orphan_error_pct,
                 "orphaned (their parent is missing or quarantined)", table.orphan_parents),
            ):  # fmt: skip
                if rows < limits.data_quality_min_rows and rows < table.raw_rows:
                    continue
                if share > error:
                    errors.append(f"{table.table}: {share:.1f} % of rows {what}, above {error:g} %: {cause}")
                elif share > warn:
                    warnings.append(f"{table.table}: {share:.1f} % of rows {what}, above {warn:g} %: {cause}")
        return errors, warnings


_TABLES_SQL = """
with reasons as (
    select source_table, quarantine_reason, quarantine_column, count(*) as rows_with_reason
    from fct_quarantined_rows
    where quarantine_reason not in (select reason_code from quarantine_reasons where is_settled_copy)
    group by all
),
ranked as (
    select *, row_number() over (partition by source_table order by rows_with_reason desc, quarantine_reason)
        as rank
    from reasons
),
top_reasons as (
    select source_table,
        string_agg(quarantine_reason || ' in ' || quarantine_column || ' (' || rows_with_reason || ')', ', '
                   order by rank) as top_reasons
    from ranked where rank <= 3
    group by source_table
),
parents as (
    select source_table, parent_table, count(*) as orphans
    from fct_orphaned_rows
    group by all
),
orphan_parents as (
    select source_table,
        string_agg(orphans || ' point at ' || parent_table || ' missing from the export or quarantined', ', '
                   order by orphans desc) as orphan_parents
    from parents
    group by source_table
)
select r.source_table, r.raw_rows, r.quarantined_rows, r.settled_copies, r.orphaned_rows,
    coalesce(t.top_reasons, ''), coalesce(o.orphan_parents, '')
from mart_raw_reconciliation as r
left join top_reasons as t on r.source_table = t.source_table
left join orphan_parents as o on r.source_table = o.source_table
order by r.source_table
"""


def read_data_quality(
    database: Path, as_of: date, var_overrides: dict[str, object] | None = None
) -> DataQuality:
    """The data-quality findings of a built database, judged against the thresholds of the dbt vars."""
    quarter = last_complete_quarter_start(as_of)
    with connect(database) as connection:
        tables = [TableQuality(*row) for row in connection.execute(_TABLES_SQL).fetchall()]
        new_values = connection.execute(
            "select source_table, source_column, spelling, row_count, shown_as from mart_label_values "
            "where is_new_value order by row_count desc, source_table, source_column, spelling"
        ).fetchall()
        incomplete = connection.execute(
            "select coalesce(sum(incomplete_accounts), 0) from mart_churn "
            "where period_grain = 'quarter' and period_start = $quarter and segment_dimension = 'all'",
            {"quarter": quarter},
        ).fetchone()[0]
        clv_incomplete = connection.execute(
            "select count(*) from mart_clv where is_revenue_incomplete"
        ).fetchone()[0]
    return DataQuality(
        tables, new_values, int(incomplete), int(clv_incomplete), Thresholds.from_vars(var_overrides)
    )


def format_data_quality(quality: DataQuality, shown_values: int = 8) -> str:
    """The findings as terminal text: the thresholds, one line per table (rows, quarantined and
    orphaned, percent, reasons), at most `shown_values` new values, and the warnings and errors."""
    limits = quality.thresholds
    lines = [
        "Data quality (quarantined: rows missing from the figures; settled copies: duplicates and double "
        "submissions whose other copy counts)\n"
        "  Thresholds: warn above "
        f"{limits.quarantine_warn_pct:g} % quarantined / {limits.orphan_warn_pct:g} % orphaned rows, "
        f"fail above {limits.quarantine_error_pct:g} % / {limits.orphan_error_pct:g} %",
        f"  {'table':<20} {'raw rows':>11} {'quarantined':>20} {'settled copies':>15} {'orphaned':>18}",
    ]
    for table in quality.tables:
        missing = table.quarantined_rows - table.settled_copies
        lines.append(
            f"  {table.table:<20} {table.raw_rows:>11,} "
            f"{f'{missing:,} ({table.quarantined_pct:.2f} %)':>20} {table.settled_copies:>15,} "
            f"{f'{table.orphaned_rows:,} ({table.orphaned_pct:.2f} %)':>18}"
        )
    if quality.new_values:
        lines.append(
            f"  Values new to seeds/label_synonyms.csv ({len(quality.new_values)}; kept, "
            "listed in mart_label_values):"
        )
        for table, column, spelling, rows, shown_as in quality.new_values[:shown_values]:
            shown = f" -> counted as {shown_as}" if shown_as not in (None, spelling) else ""
            if shown_as is None:
                unusable = raw_tables()[table].column(column).quarantines_unknown_code
                shown = " -> quarantined (unknown code)" if unusable else " -> kept as unknown"
            count = f"{rows:,} row{'s' if rows != 1 else ''}"
            lines.append(f"    {table}.{column} = '{spelling}' ({count}){shown}")
        if len(quality.new_values) > shown_values:
            lines.append(f"    ... and {len(quality.new_values) - shown_values} more")
    if quality.incomplete_account_periods or quality.incomplete_clv_accounts:
        lines.append(
            f"  Incomplete revenue: {quality.incomplete_account_periods:,} accounts in the last complete "
            f"quarter and {quality.incomplete_clv_accounts:,} CLV accounts have quarantined contracts, "
            "invoices or churn events; they are kept out of the churn rates and get no CLV (mart_churn, "
            "mart_clv)"
        )
    errors, warnings = quality.problems()
    lines += [f"  WARNING {line}" for line in warnings]
    lines += [f"  ERROR {line}" for line in errors]
    return "\n".join(lines)
