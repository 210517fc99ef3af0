"""What the leadership report reads: one small function per section, each one SQL query against the marts
of a built warehouse, returning plain rows (dicts) in display order. A mart that is absent (the Python
models' marts on Spark) or has no row for the period gives an empty list, which the page shows as "not
available"."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import duckdb

from cx_warehouse.runtime.warehouse import BI_SCHEMA

Rows = list[dict[str, object]]

#: Rows of the overdue-detractor table and of the theme chart: enough for a page, not a work list.
OVERDUE_ROWS_SHOWN = 10
THEMES_SHOWN = 8
#: Segment cuts of the NPS-by-segment chart (mart_nps_by_segment.segment_dimension), in display order.
NPS_SEGMENT_DIMENSIONS = ("tier", "region", "industry")


@dataclass(frozen=True)
class ReportPeriods:
    """The periods the report shows: the latest complete quarter of the cascade (quarter_start) and the
    as-of day that bounds every trend."""

    as_of: date
    quarter_start: date | None


def mart_exists(connection: duckdb.DuckDBPyConnection, mart: str) -> bool:
    """True when the BI schema holds a table or view named `mart`."""
    found = connection.execute(
        "select count(*) from information_schema.tables where table_schema = ? and table_name = ?",
        [BI_SCHEMA, mart],
    ).fetchone()[0]
    return found > 0


def _rows(connection: duckdb.DuckDBPyConnection, mart: str, sql: str, parameters: list[object]) -> Rows:
    """The query's rows as dicts, or [] when `mart` (the one relation it reads) is not in the warehouse."""
    if not mart_exists(connection, mart):
        return []
    cursor = connection.execute(sql, parameters)
    names = [column[0] for column in cursor.description]
    return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


def report_periods(connection: duckdb.DuckDBPyConnection, as_of: date) -> ReportPeriods:
    """The latest complete quarter of mart_metric_cascade that starts on or before the as-of day."""
    rows = _rows(
        connection,
        "mart_metric_cascade",
        """
        select max(period_start) as quarter_start
        from mart_metric_cascade
        where period_grain = 'quarter' and is_complete and period_start <= ?
        """,
        [as_of],
    )
    return ReportPeriods(as_of, rows[0]["quarter_start"] if rows else None)


def read_cascade(connection: duckdb.DuckDBPyConnection, quarter_start: date | None) -> Rows:
    """Every cascade metric of the quarter: value, target, status and trend, top level first, each metric
    after its parent's level (level_order), then by name."""
    return _rows(
        connection,
        "mart_metric_cascade",
        """
        select
            metric_code, metric_name, cascade_level, level_order, parent_metric_code, unit,
            metric_value, target, status, trend_change, trend_direction, sample_size, is_low_sample
        from mart_metric_cascade
        where period_grain = 'quarter' and period_start = ?
        order by level_order, parent_metric_code nulls first, metric_name
        """,
        [quarter_start],
    )


def read_nps_trend(connection: duckdb.DuckDBPyConnection, as_of: date) -> Rows:
    """Company NPS by month up to the as-of day with its 95 % adjusted-Wald interval (the mart's 'all'
    rows: nps_lower, nps_upper)."""
    return _rows(
        connection,
        "mart_nps_by_segment",
        """
        select period_start, responses, nps, nps_lower, nps_upper, is_low_sample
        from mart_nps_by_segment
        where period_grain = 'month' and segment_dimension = 'all' and period_start <= ?
        order by period_start
        """,
        [as_of],
    )


def read_nps_by_segment(connection: duckdb.DuckDBPyConnection, quarter_start: date | None) -> Rows:
    """The quarter's NPS per segment of NPS_SEGMENT_DIMENSIONS, with its 95 % interval's bounds."""
    dimensions = list(NPS_SEGMENT_DIMENSIONS)
    return _rows(
        connection,
        "mart_nps_by_segment",
        """
        select segment_dimension, segment_value, responses, nps, nps_lower, nps_upper, is_low_sample
        from mart_nps_by_segment
        where period_grain = 'quarter' and period_start = ? and list_contains(?, segment_dimension)
        order by list_position(?, segment_dimension), segment_value
        """,
        [quarter_start, dimensions, dimensions],
    )


def read_journey(connection: duckdb.DuckDBPyConnection, quarter_start: date | None) -> Rows:
    """The quarter's NPS, CSAT and CES per journey stage, in the journey's order (seed touchpoint_journey)."""
    return _rows(
        connection,
        "mart_journey",
        """
        select touchpoint, journey_position, responses, nps, csat, ces, is_weakest_stage
        from mart_journey
        where period_grain = 'quarter' and period_start = ?
        order by journey_position, touchpoint
        """,
        [quarter_start],
    )


def read_churn_trend(connection: duckdb.DuckDBPyConnection, as_of: date) -> Rows:
    """Logo churn rate, GRR and NRR (percent) of every complete quarter up to the as-of day, all accounts."""
    return _rows(
        connection,
        "mart_churn",
        """
        select
            period_start, accounts_start, churned_accounts,
            cast(logo_churn_rate as double) as logo_churn_rate,
            cast(grr as double) as grr,
            cast(nrr as double) as nrr
        from mart_churn
        where period_grain = 'quarter' and segment_dimension = 'all' and is_complete and period_start <= ?
        order by period_start
        """,
        [as_of],
    )


def read_churn_by_nps_category(connection: duckdb.DuckDBPyConnection, as_of: date) -> Rows:
    """Accounts churned in the twelve months up to the as-of day by the NPS category of their last answer
    (mart_churn_reasons, all accounts, monthly rows summed), with the category's share of them."""
    return _rows(
        connection,
        "mart_churn_reasons",
        """
        with churned as (
            select last_nps_category, sum(churned_accounts) as churned_accounts
            from mart_churn_reasons
            where
                period_grain = 'month' and segment_dimension = 'all'
                and period_start <= ? and period_start > ? - interval 12 month
            group by last_nps_category
        )
        select
            last_nps_category,
            churned_accounts,
            churned_accounts * 100.0 / sum(churned_accounts) over () as share_pct
        from churned
        order by
            list_position(['promoter', 'passive', 'detractor', 'no_answer'], last_nps_category) nulls last
        """,
        [as_of, as_of],
    )


def read_overdue_detractors(connection: duckdb.DuckDBPyConnection, as_of: date) -> Rows:
    """NPS detractor alerts past their due time with no first contact at the end of the as-of day (the
    mart's alert_status), largest ARR first: the account's name (no contact, owner or comment), touchpoint,
    score and days overdue on the as-of day."""
    return _rows(
        connection,
        "mart_feedback_alerts",
        """
        select
            account_name, touchpoint, score, answered_on,
            cast(arr_eur as double) as arr_eur,
            date_diff('day', cast(due_at as date), cast(? as date)) as days_overdue
        from mart_feedback_alerts
        where alert_status = 'overdue' and metric = 'nps'
        order by arr_eur desc nulls last, answered_on, response_id
        """,
        [as_of],
    )


def read_top_themes(connection: duckdb.DuckDBPyConnection, quarter_start: date | None) -> Rows:
    """The quarter's most frequent comment themes, all accounts: how many comments name each and how many
    of those are negative (mart_comment_themes; absent on Spark)."""
    return _rows(
        connection,
        "mart_comment_themes",
        """
        select theme, theme_comments, negative_theme_comments, theme_comment_pct
        from mart_comment_themes
        where period_grain = 'quarter' and period_start = ? and segment_dimension = 'all'
        order by theme_comments desc, theme
        limit ?
        """,
        [quarter_start, THEMES_SHOWN],
    )
