"""The CLI's headline summary: quarter arithmetic, formatting, and reading a real build."""

from __future__ import annotations

from datetime import date

import pytest

from cx_warehouse.runtime.cli import main
from cx_warehouse.runtime.project import BuildSettings
from cx_warehouse.runtime.summary import (
    AnalyticsHeadline,
    DataQuality,
    Headline,
    RiskyAccount,
    TableQuality,
    Thresholds,
    format_analytics,
    format_data_quality,
    format_headline,
    last_complete_quarter_start,
    read_headline,
)


@pytest.mark.parametrize(
    ("as_of", "expected"),
    [
        (date(2026, 9, 30), date(2026, 7, 1)),  # the quarter's last day: that quarter is complete
        (date(2026, 9, 29), date(2026, 4, 1)),
        (date(2026, 10, 1), date(2026, 7, 1)),
        (date(2026, 2, 14), date(2025, 10, 1)),
        (date(2025, 12, 31), date(2025, 10, 1)),
    ],
)
def test_last_complete_quarter(as_of: date, expected: date) -> None:
    assert last_complete_quarter_start(as_of) == expected


def test_format_shows_every_headline_and_explains_a_missing_figure() -> None:
    headline = Headline(
        date(2026, 7, 1),
        23.456,
        "acceptable",
        1234,
        81.0,
        None,
        70.2,
        2.5,
        95.0,
        103.4,
        12_345_678.0,
        20_000,
        200,
        raw_responses_in_quarter=1500,
        valid_responses_in_quarter=1400,
        nps_margin_of_error=4.26,
    )
    text = format_headline(headline)
    assert "Q3 2026" in text
    assert "+23.5 ± 4.3  acceptable" in text and "1,234 responses, 95 % margin of error" in text
    assert "CES   not asked" in text
    assert "(not asked: no answer to that metric in the quarter)" in text
    assert "12.35 M EUR" in text
    assert "200 of 20,000 raw rows quarantined (1.00 %)" in text


def test_analytics_lines_give_account_health_the_top_driver_and_the_riskiest_accounts() -> None:
    analytics = AnalyticsHeadline(
        account_weighted_nps=12.5,
        arr_weighted_nps=-4.04,
        arr_at_risk_eur=1_250_000.0,
        arr_at_risk_pct=18.26,
        revenue_coverage_pct=91.0,
        top_driver="driver_support",
        top_driver_year=date(2025, 1, 1),
        top_driver_share=0.414,
        top_driver_quadrant="fix_first",
        riskiest_accounts=(
            RiskyAccount("A17", "key", 0.634, 240_000.0, "NPS fell 4 points"),
            RiskyAccount("A3", None, 0.05, None, None),
        ),
    )
    lines = format_analytics(analytics)
    assert lines[0] == "  Account NPS +12.5 (each account once)   ARR-weighted NPS -4.0"
    assert "ARR at risk 1.25 M EUR (18.3 % of ARR, detractor accounts)   revenue coverage 91.0 %" in lines[1]
    assert lines[2] == "  Top NPS driver driver_support (2025): 41 % of the explained variance, fix_first"
    assert lines[3] == "  Churn risk   63 %  account A17 (key, ARR 0.24 M EUR): NPS fell 4 points"
    assert lines[4] == "  Churn risk    5 %  account A3 (unknown, ARR n/a): no reason given"


def test_a_quarter_whose_responses_were_all_quarantined_says_so() -> None:
    headline = Headline(date(2026, 7, 1), None, None, 0, None, None, None, None, None, None, None, 900, 880,
                        raw_responses_in_quarter=412, valid_responses_in_quarter=0)  # fmt: skip
    text = format_headline(headline)
    assert "NPS   all quarantined" in text and "n/a" not in text.split("Logo churn")[0]
    assert "all 412 responses of the quarter are quarantined" in text


def test_a_share_is_judged_only_from_the_minimum_rows_or_on_the_whole_table() -> None:
    """Thresholds 1 % / 10 %, at least 5 rows: worked out by hand per table."""
    tables = [
        TableQuality("questions", 3, 1, 0, 0, "invalid_category in metric (1)", ""),  # 33 %, 1 row: no
        TableQuality("churn_events", 2, 2, 0, 0, "future_timestamp in churned_at (2)", ""),  # 100 %: error
        TableQuality("answers", 20, 9, 4, 0, "empty_answer in score (5)", ""),  # 5 missing of 20, 25 %: error
        TableQuality("responses", 100, 8, 4, 0, "missing_value in submitted_at (4)", ""),  # 4 rows: no
        TableQuality("tickets", 200, 0, 0, 6, "", "6 point at accounts missing or quarantined"),  # 3 %: warn
    ]
    quality = DataQuality(tables, [], 0, 0, Thresholds(1, 10, 1, 10, 5))
    errors, warnings = quality.problems()
    assert errors == [
        "churn_events: 100.0 % of rows quarantined, above 10 %: future_timestamp in churned_at (2)",
        "answers: 25.0 % of rows quarantined, above 10 %: empty_answer in score (5)",
    ]
    assert warnings == [
        "tickets: 3.0 % of rows orphaned (their parent is missing or quarantined), above 1 %: "
        "6 point at accounts missing or quarantined"
    ]


def test_new_values_say_what_became_of_their_rows() -> None:
    new_values = [
        ("accounts", "tier", "Gold", 3, "Gold"),  # a label: shown as written
        ("churn_events", "reason_category", "budget", 2, "other"),  # a code with a fallback
        ("contacts", "is_decision_maker", "måske", 2, None),  # keep_unknown
        ("invoices", "currency", "ISK", 1, None),  # an unknown code quarantines its row
    ]
    text = format_data_quality(DataQuality([], new_values, 0, 0, Thresholds(1, 10, 1, 10, 5)))
    assert "accounts.tier = 'Gold' (3 rows)\n" in text
    assert "churn_events.reason_category = 'budget' (2 rows) -> counted as other" in text
    assert "contacts.is_decision_maker = 'måske' (2 rows) -> kept as unknown" in text
    assert "invoices.currency = 'ISK' (1 row) -> quarantined (unknown code)" in text


def test_headline_reads_the_built_marts(warehouse: BuildSettings) -> None:
    headline = read_headline(warehouse.database, warehouse.as_of_date)
    assert headline.quarter_start == date(2026, 7, 1)
    assert headline.nps_responses > 0 and -100 <= headline.nps <= 100
    assert 0 < headline.nps_margin_of_error < 100
    analytics = headline.analytics
    assert analytics is not None and 0 <= analytics.arr_at_risk_pct <= 100 and analytics.arr_at_risk_eur >= 0
    assert analytics.top_driver and 0 < analytics.top_driver_share <= 1
    probabilities = [account.churn_probability for account in analytics.riskiest_accounts]
    assert len(probabilities) == 3 and probabilities == sorted(probabilities, reverse=True)
    for share in (headline.csat, headline.ces, headline.csi, headline.grr):
        assert 0 <= share <= 100
    assert headline.quarantined_rows > 0


def test_cli_summary_prints_the_headline(
    warehouse: BuildSettings, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["summary", "--database", str(warehouse.database), "--as-of", "2026-09-30"]) == 0
    assert "Headline metrics, Q3 2026" in capsys.readouterr().out


def test_cli_rejects_a_bad_date() -> None:
    with pytest.raises(SystemExit):
        main(["summary", "--as-of", "30/09/2026"])


def test_cli_build_stops_on_a_folder_without_raw_files(tmp_path, capsys: pytest.CaptureFixture[str]) -> None:
    """A file that cannot be read stops the build before dbt, with one line and no traceback."""
    assert main(["build", "--raw-dir", str(tmp_path), "--database", str(tmp_path / "x.duckdb")]) == 2
    error = capsys.readouterr().err.strip()
    assert error.startswith("cxw: ") and "accounts" in error and "\n" not in error
    assert "Traceback" not in error
    assert not (tmp_path / "x.duckdb").exists()
