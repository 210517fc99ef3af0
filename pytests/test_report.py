"""The leadership report (cx_warehouse.report, docs/leadership-report.md): its reading functions on a tiny
hand-made warehouse, its status colours, and the whole page rendered from the session warehouse and loaded in
headless Chromium (Debian's chromium driven by Playwright; no browser is downloaded)."""

from __future__ import annotations

import importlib.util
import os
import shutil
from datetime import date
from pathlib import Path

import duckdb
import pytest

from cx_warehouse.report import marts
from cx_warehouse.report.render import (
    STATUS_COLOURS,
    read_report_data,
    render_html,
    status_class,
    write_report,
)
from cx_warehouse.runtime.project import BuildSettings
from cx_warehouse.runtime.warehouse import connect

REPO_ROOT = Path(__file__).resolve().parents[1]
SCREENSHOT = REPO_ROOT / "test-artifacts" / "leadership_report.png"
CHROMIUM = os.environ.get("CXW_CHROMIUM", "/usr/bin/chromium")
#: Chromium as root on a closed network: no sandbox, no GPU, none of its own background fetches.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
AS_OF = date(2026, 9, 30)


def test_status_colours_cover_every_cascade_status_and_name_their_css_class() -> None:
    assert set(STATUS_COLOURS) == {"on_track", "at_risk", "off_track", None}
    assert len(set(STATUS_COLOURS.values())) == 4
    assert [status_class(status) for status in STATUS_COLOURS] == [
        "status-on_track", "status-at_risk", "status-off_track", "status-none",
    ]  # fmt: skip


@pytest.fixture
def tiny_warehouse(tmp_path: Path) -> Path:
    """A hand-made warehouse with a few mart rows: mart_nps_by_segment's company row of two months,
    mart_churn_reasons of three months and mart_feedback_alerts with two overdue detractors; the Python
    models' mart_comment_themes is absent, as on Spark."""
    database = tmp_path / "tiny.duckdb"
    with duckdb.connect(str(database)) as connection:
        connection.execute("create schema marts")
        connection.execute("""
            create table marts.mart_nps_by_segment as select * from (values
                ('month', date '2026-08-01', 'all', 'all', 10, 20.0, 20.0, 0.0, 40.0, false),
                ('month', date '2026-09-01', 'all', 'all', 20, 25.0, 20.0, 5.0, 45.0, false),
                ('month', date '2026-10-01', 'all', 'all', 5, 0.0, 50.0, -50.0, 50.0, true),
                ('month', date '2026-09-01', 'tier', 'key', 8, 50.0, 40.0, 10.0, 90.0, true)
            ) as t(period_grain, period_start, segment_dimension, segment_value, responses, nps,
                   nps_margin_of_error, nps_lower, nps_upper, is_low_sample)
        """)
        connection.execute("""
            create table marts.mart_churn_reasons as select * from (values
                ('month', date '2025-09-01', 'all', 'detractor', 5),
                ('month', date '2025-10-01', 'all', 'detractor', 3),
                ('month', date '2026-09-01', 'all', 'passive', 1),
                ('month', date '2026-09-01', 'tier', 'passive', 1)
            ) as t(period_grain, period_start, segment_dimension, last_nps_category, churned_accounts)
        """)
        connection.execute("""
            create table marts.mart_feedback_alerts as select * from (values
                ('r1', 'nps', 3.0, 'support', 'Small AS', 1000.00, date '2026-09-01',
                 timestamp '2026-09-03 10:00', 'overdue'),
                ('r2', 'nps', 0.0, 'renewal', 'Large A/S', 90000.00, date '2026-09-20',
                 timestamp '2026-09-22 08:00', 'overdue'),
                ('r3', 'csat', 1.0, 'support', 'Small AS', 1000.00, date '2026-09-01',
                 timestamp '2026-09-03 10:00', 'overdue'),
                ('r4', 'nps', 2.0, 'support', 'Small AS', 1000.00, date '2026-09-29',
                 timestamp '2026-10-01 10:00', 'open_within_sla')
            ) as t(response_id, metric, score, touchpoint, account_name, arr_eur, answered_on, due_at,
                   alert_status)
        """)
    return database


def test_reading_functions_on_hand_made_marts(tiny_warehouse: Path) -> None:
    with connect(tiny_warehouse) as connection:
        # Company rows only, up to the as-of day: August and September, not October or the tier row.
        trend = marts.read_nps_trend(connection, AS_OF)
        assert [(row["period_start"], row["nps"], row["nps_lower"]) for row in trend] == [
            (date(2026, 8, 1), 20.0, 0.0), (date(2026, 9, 1), 25.0, 5.0),
        ]  # fmt: skip
        # The twelve months up to 30 Sep 2026 start after 30 Sep 2025: October's 3 detractors and
        # September's 1 passive of the 'all' rows; shares 1/4 = 25 % and 3/4 = 75 %.
        by_category = [
            (row["last_nps_category"], row["churned_accounts"], row["share_pct"])
            for row in marts.read_churn_by_nps_category(connection, AS_OF)
        ]
        assert by_category == [("passive", 1, 25.0), ("detractor", 3, 75.0)]
        # Overdue NPS detractors only (not the CSAT alert, not the one within its SLA), largest ARR first;
        # days overdue from the due day to the as-of day: 22 Sep -> 30 Sep = 8, 3 Sep -> 30 Sep = 27.
        overdue = marts.read_overdue_detractors(connection, AS_OF)
        assert [(row["account_name"], row["days_overdue"]) for row in overdue] == [
            ("Large A/S", 8), ("Small AS", 27),
        ]  # fmt: skip
        # Absent marts read as no rows.
        assert marts.read_top_themes(connection, date(2026, 7, 1)) == []
        assert marts.report_periods(connection, AS_OF).quarter_start is None


def test_page_renders_without_the_missing_marts(tiny_warehouse: Path) -> None:
    page = render_html(read_report_data(tiny_warehouse, AS_OF))
    # No complete quarter in the cascade: every chart but the NPS trend and the churn by NPS category
    assert page.count('data-chart-missing="') == 4
    assert 'data-chart-missing="themes"' in page
    assert "Not available: no cascade rows" in page
    assert '<strong id="overdue-count">2</strong>' in page
    assert "cdn" not in page.lower().split("<script>", 1)[0]  # nothing before the inlined plotly.js


@pytest.fixture(scope="session")
def chromium() -> str:
    """The chromium executable; session-scoped and requested before the warehouse, so a skip builds nothing.
    Skips when it or the playwright package is missing, fails instead under CXW_REQUIRE_BROWSER=1 (CI): a
    browser test that CI skips would prove nothing."""
    missing = [
        *([] if shutil.which(CHROMIUM) else [f"chromium at {CHROMIUM} (CXW_CHROMIUM)"]),
        *([] if importlib.util.find_spec("playwright") else ["the playwright package"]),
    ]
    if not missing:
        return CHROMIUM
    if os.environ.get("CXW_REQUIRE_BROWSER") == "1":
        pytest.fail(f"not found: {', '.join(missing)}, and CXW_REQUIRE_BROWSER=1")
    pytest.skip(f"not found: {', '.join(missing)}")


def test_report_renders_in_headless_chromium(chromium: str, warehouse: BuildSettings, tmp_path: Path) -> None:
    """Renders the report of the session warehouse, loads it from file:// in headless Chromium and checks:
    no console or page errors, no request but the file itself (any other is refused and recorded), a plotly
    SVG with data traces in every chart, every cascade metric of the latest quarter with its status class,
    and figures equal to the marts'. Keeps a full-page screenshot as a test artefact in
    test-artifacts/leadership_report.png at the repository root."""
    report = write_report(warehouse.database, warehouse.as_of_date, tmp_path / "leadership_report.html")
    with connect(warehouse.database) as connection:
        quarter = marts.report_periods(connection, warehouse.as_of_date).quarter_start
        cascade = connection.execute(
            "select metric_code, status from mart_metric_cascade where period_grain = 'quarter' "
            "and period_start = ?",
            [quarter],
        ).fetchall()
        latest_nps = connection.execute(
            "select nps from mart_nps_by_segment where period_grain = 'month' and segment_dimension = 'all' "
            "and period_start <= ? order by period_start desc limit 1",
            [warehouse.as_of_date],
        ).fetchone()[0]
        overdue = connection.execute(
            "select count(*) from mart_feedback_alerts where alert_status = 'overdue' and metric = 'nps'"
        ).fetchone()[0]

    errors: list[str] = []
    outside_requests: list[str] = []
    from playwright.sync_api import sync_playwright  # the dev extra; chromium() checked it is there

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium, headless=True, args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": 1100, "height": 900})
            page.on("console", lambda message: message.type == "error" and errors.append(message.text))
            page.on("pageerror", lambda error: errors.append(str(error)))

            def refuse_outside(route: object) -> None:
                if route.request.url.startswith("file://"):
                    route.continue_()
                else:
                    outside_requests.append(route.request.url)
                    route.abort()

            page.route("**/*", refuse_outside)
            page.goto(report.as_uri(), wait_until="load")
            page.wait_for_function(
                "[...document.querySelectorAll('.chart')].every(c => c.querySelector('.main-svg'))"
            )
            SCREENSHOT.parent.mkdir(exist_ok=True)
            page.screenshot(path=str(SCREENSHOT), full_page=True)
            charts = page.eval_on_selector_all(
                ".chart",
                """charts => charts.map(chart => [chart.dataset.chart,
                    chart.querySelectorAll('.main-svg').length,
                    chart.querySelectorAll('.trace, .point, .bars path').length])""",
            )
            rows = page.eval_on_selector_all(
                "tr.cascade-row",
                "rows => rows.map(row => [row.dataset.metric, row.querySelector('.status').className])",
            )
            shown_nps = page.inner_text("#latest-nps")
            shown_overdue = page.inner_text("#overdue-count")
        finally:
            browser.close()

    assert errors == []
    assert outside_requests == []
    assert {name for name, _, _ in charts} == {
        "nps_trend", "nps_by_segment", "journey", "churn_trend", "churn_by_nps_category", "themes",
    }  # fmt: skip
    assert all(svgs > 0 and traces > 0 for _, svgs, traces in charts), charts
    assert sorted(map(tuple, rows)) == sorted(
        (code, f"status {status_class(status)}") for code, status in cascade
    )
    assert len(rows) == 12
    assert shown_nps == f"{latest_nps:.1f}"
    assert int(shown_overdue) == overdue > 0
