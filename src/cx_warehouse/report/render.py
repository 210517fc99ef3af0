"""Rendering the leadership report: plotly figures from the rows of cx_warehouse.report.marts, each as an
HTML fragment without plotly's JavaScript, put into the Jinja2 template with plotly.js inlined once, so the
page works offline from a file: no CDN, no font or script fetched."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path

import jinja2
import plotly.graph_objects as go
from plotly.offline import get_plotlyjs

from cx_warehouse.report import marts
from cx_warehouse.runtime.warehouse import connect

#: One colour per cascade status (mart_metric_cascade.status; None: no value or too small a sample), used by
#: the table's badges; the CSS class of a status is `status-<key>`.
STATUS_COLOURS: dict[str | None, str] = {
    "on_track": "#2e7d32",
    "at_risk": "#f9a825",
    "off_track": "#c62828",
    None: "#9e9e9e",
}
STATUS_LABELS: dict[str | None, str] = {
    "on_track": "On track",
    "at_risk": "At risk",
    "off_track": "Off track",
    None: "No status",
}
#: Series colours of the charts (plotly's defaults would differ between plotly versions).
SERIES_COLOURS = {"nps": "#1f4e79", "csat": "#2e7d32", "ces": "#8e44ad", "churn": "#c62828", "grr": "#6d6d6d"}
LOW_SAMPLE_COLOUR = "#b7c7d9"
UNIT_SUFFIXES = {"percent": " %", "nps_points": "", "index_0_100": "", "hours": " h", "days": " d"}
CHART_HEIGHT_PX = 320
TEMPLATE = "leadership_report.html.j2"


def status_class(status: str | None) -> str:
    """The CSS class of a cascade status: status-on_track, status-at_risk, status-off_track, status-none."""
    return f"status-{status or 'none'}"


def format_value(value: float | None, unit: str) -> str:
    """A cascade value for the table, in its unit: 'n/a' when missing, one decimal."""
    return "n/a" if value is None else f"{value:,.1f}{UNIT_SUFFIXES.get(unit, '')}"


def trend_arrow(direction: str | None) -> str:
    """▲ improving, ▼ worsening, ► steady, blank without a trend (mart_metric_cascade.trend_direction)."""
    return {"improving": "▲", "worsening": "▼", "steady": "►"}.get(direction or "", "")


def _layout(figure: go.Figure, y_title: str, **layout: object) -> str:
    """The figure in the report's style (`layout` overrides it) as an HTML fragment without plotly.js."""
    figure.update_layout(
        {
            "height": CHART_HEIGHT_PX,
            "margin": {"l": 60, "r": 20, "t": 20, "b": 50},
            "template": "plotly_white",
            "yaxis_title": y_title,
            "legend": {"orientation": "h", "y": -0.2},
            **layout,
        }
    )
    return figure.to_html(full_html=False, include_plotlyjs=False, config={"displayModeBar": False})


def nps_trend_chart(rows: marts.Rows) -> str | None:
    """Company NPS per month with its 95 % interval as a shaded band."""
    if not rows:
        return None
    months = [row["period_start"] for row in rows]
    figure = go.Figure(
        [
            go.Scatter(
                x=months,
                y=[row["nps_upper"] for row in rows],
                mode="lines",
                line={"width": 0},
                showlegend=False,
                hoverinfo="skip",
            ),
            go.Scatter(
                x=months,
                y=[row["nps_lower"] for row in rows],
                mode="lines",
                line={"width": 0},
                fill="tonexty",
                fillcolor="rgba(31, 78, 121, 0.18)",
                name="95 % interval",
            ),
            go.Scatter(
                x=months,
                y=[row["nps"] for row in rows],
                mode="lines+markers",
                name="NPS",
                line={"color": SERIES_COLOURS["nps"]},
            ),
        ]
    )
    return _layout(figure, "NPS (points)")


def nps_by_segment_chart(rows: marts.Rows) -> str | None:
    """The quarter's NPS per segment, a horizontal bar each with its 95 % interval."""
    rows = [row for row in rows if row["nps"] is not None]
    if not rows:
        return None
    labels = [f"{row['segment_dimension']}: {row['segment_value']}" for row in rows]
    figure = go.Figure(
        go.Bar(
            y=labels,
            x=[row["nps"] for row in rows],
            orientation="h",
            # The mart's interval is centred on the adjusted estimate and kept within -100..100, so the bar's
            # whiskers reach its bounds rather than +- the margin around the observed NPS.
            error_x={
                "type": "data",
                "symmetric": False,
                "array": [max(row["nps_upper"] - row["nps"], 0) for row in rows],
                "arrayminus": [max(row["nps"] - row["nps_lower"], 0) for row in rows],
            },
            # A segment below var min_sample_responses is drawn pale: its NPS says little.
            marker_color=[
                LOW_SAMPLE_COLOUR if row["is_low_sample"] else SERIES_COLOURS["nps"] for row in rows
            ],
            name="NPS",
        )
    )
    return _layout(
        figure,
        "",
        xaxis_title="NPS (points), with its 95 % interval; pale: small sample",
        yaxis={"autorange": "reversed"},
        height=max(CHART_HEIGHT_PX, 18 * len(rows) + 80),
    )


def journey_chart(rows: marts.Rows) -> str | None:
    """CSAT and CES (shares 0-100) at each stage of the journey, in the journey's order, as grouped bars (a
    stage without answers of a metric has no bar)."""
    if not rows:
        return None
    stages = [row["touchpoint"] for row in rows]
    figure = go.Figure(
        [
            go.Bar(
                x=stages,
                y=[row[metric] for row in rows],
                name=name,
                marker_color=SERIES_COLOURS[metric],
                text=[None if row[metric] is None else f"{row[metric]:.0f}" for row in rows],
            )
            for metric, name in (("csat", "CSAT (% satisfied)"), ("ces", "CES (% low effort)"))
        ]
    )
    return _layout(figure, "% of answers", yaxis_range=[0, 100], barmode="group")


def churn_trend_chart(rows: marts.Rows) -> str | None:
    """Logo churn rate as bars and GRR, NRR as lines, per quarter, in percent."""
    if not rows:
        return None
    quarters = [row["period_start"] for row in rows]

    def series(name: str) -> list[float | None]:
        return [row[name] for row in rows]

    figure = go.Figure(
        [
            go.Bar(
                x=quarters,
                y=series("logo_churn_rate"),
                name="Logo churn rate",
                marker_color=SERIES_COLOURS["churn"],
                yaxis="y2",
                opacity=0.6,
            ),
            go.Scatter(
                x=quarters,
                y=series("nrr"),
                mode="lines+markers",
                name="NRR",
                line={"color": SERIES_COLOURS["nps"]},
            ),
            go.Scatter(
                x=quarters,
                y=series("grr"),
                mode="lines+markers",
                name="GRR",
                line={"color": SERIES_COLOURS["grr"]},
            ),
        ]
    )
    return _layout(
        figure,
        "Revenue retention (%)",
        yaxis2={
            "title": "Logo churn (%)",
            "overlaying": "y",
            "side": "right",
            "rangemode": "tozero",
            "tickformat": ".1f",
            "showgrid": False,
        },
    )


def churn_by_nps_category_chart(rows: marts.Rows) -> str | None:
    """Churned accounts of the last twelve months by the NPS category of their last answer."""
    if not rows:
        return None
    figure = go.Figure(
        go.Bar(
            x=[row["last_nps_category"] for row in rows],
            y=[row["churned_accounts"] for row in rows],
            text=[f"{row['share_pct']:.0f} %" for row in rows],
            marker_color=SERIES_COLOURS["churn"],
            name="Churned accounts",
        )
    )
    return _layout(figure, "Churned accounts")


def themes_chart(rows: marts.Rows) -> str | None:
    """The quarter's top comment themes: comments naming each, the negative ones apart."""
    if not rows:
        return None
    themes = [row["theme"] for row in rows]
    negative = [row["negative_theme_comments"] for row in rows]
    figure = go.Figure(
        [
            go.Bar(
                y=themes, x=negative, orientation="h", name="Negative", marker_color=SERIES_COLOURS["churn"]
            ),
            go.Bar(
                y=themes,
                x=[row["theme_comments"] - n for row, n in zip(rows, negative, strict=True)],
                orientation="h",
                name="Other",
                marker_color=SERIES_COLOURS["grr"],
            ),
        ]
    )
    return _layout(figure, "", barmode="stack", xaxis_title="Comments", yaxis={"autorange": "reversed"})


@dataclass(frozen=True)
class ReportData:
    """Every section's rows, read from one warehouse for one as-of day."""

    periods: marts.ReportPeriods
    cascade: marts.Rows
    nps_trend: marts.Rows
    nps_by_segment: marts.Rows
    journey: marts.Rows
    churn_trend: marts.Rows
    churn_by_nps_category: marts.Rows
    overdue_detractors: marts.Rows
    top_themes: marts.Rows


def read_report_data(database: Path, as_of: date) -> ReportData:
    """Read every section from the warehouse file, opened read-only."""
    with connect(database, read_only=True) as connection:
        periods = marts.report_periods(connection, as_of)
        quarter = periods.quarter_start
        return ReportData(
            periods=periods,
            cascade=marts.read_cascade(connection, quarter),
            nps_trend=marts.read_nps_trend(connection, as_of),
            nps_by_segment=marts.read_nps_by_segment(connection, quarter),
            journey=marts.read_journey(connection, quarter),
            churn_trend=marts.read_churn_trend(connection, as_of),
            churn_by_nps_category=marts.read_churn_by_nps_category(connection, as_of),
            overdue_detractors=marts.read_overdue_detractors(connection, as_of),
            top_themes=marts.read_top_themes(connection, quarter),
        )


def render_html(data: ReportData) -> str:
    """The whole page: the template filled with the data's tables and charts, plotly.js inlined once."""
    environment = jinja2.Environment(
        loader=jinja2.PackageLoader("cx_warehouse.report", "templates"),
        autoescape=jinja2.select_autoescape(["html", "j2"]),
        undefined=jinja2.StrictUndefined,
    )
    environment.filters.update(value=format_value, status_class=status_class, trend_arrow=trend_arrow)
    charts = {
        "nps_trend": nps_trend_chart(data.nps_trend),
        "nps_by_segment": nps_by_segment_chart(data.nps_by_segment),
        "journey": journey_chart(data.journey),
        "churn_trend": churn_trend_chart(data.churn_trend),
        "churn_by_nps_category": churn_by_nps_category_chart(data.churn_by_nps_category),
        "themes": themes_chart(data.top_themes),
    }
    latest_nps = data.nps_trend[-1] if data.nps_trend else None
    return environment.get_template(TEMPLATE).render(
        data=data,
        charts=charts,
        latest_nps=latest_nps,
        overdue_shown=data.overdue_detractors[: marts.OVERDUE_ROWS_SHOWN],
        status_colours=STATUS_COLOURS,
        status_labels=STATUS_LABELS,
        plotly_js=get_plotlyjs(),
    )


def write_report(database: Path, as_of: date, out: Path) -> Path:
    """Render the report of the warehouse file for the as-of day into `out` (folders created); returns it."""
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(render_html(read_report_data(database, as_of)), encoding="utf-8")
    return out
