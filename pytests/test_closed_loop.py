"""The closed loop and the churn reasons on the hand-written export tests/fixtures/exports/closed_loop_cases
(crm_own_labels with detractors, an unsatisfied CSAT answer and feedback cases added), built end to end: each
alert's due time and status, the compliance per owner and period, and churn by reason and NPS category, all
worked out by hand in the fixture's README.md (as-of day 2024-07-15, SLA 48 calendar hours, UTC)."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

import pytest

from test_exports import FIXTURES, Q2, Built, build_export


@pytest.fixture(scope="module")
def closed_loop(tmp_path_factory: pytest.TempPathFactory) -> Built:
    work: Path = tmp_path_factory.mktemp("closed_loop_cases")
    return build_export(FIXTURES / "closed_loop_cases", work)


def test_every_alert_has_its_due_time_owner_and_status(closed_loop: Built) -> None:
    alerts = closed_loop.rows(
        "select response_id, metric, account_id, arr_eur, owner, owner_source, case_id, due_at, alert_status"
        " from mart_feedback_alerts order by answered_at, metric"
    )
    assert alerts == [
        ("R6A", "nps", "A6", Decimal("12000.00"), "Mette Holm", "account_manager", None,
         datetime(2024, 3, 12, 9, 0), "overdue"),
        ("R1B", "nps", "A1", Decimal("100000.00"), "CX Team", "case_owner", "F1",
         datetime(2024, 4, 12, 11, 30), "closed_in_time"),
        ("R4", "csat", "A4", Decimal("24000.00"), "Jonas Berg", "case_owner", "F4",
         datetime(2024, 5, 4, 9, 10), "closed_late"),
        ("R4", "nps", "A4", Decimal("24000.00"), "Jonas Berg", "case_owner", "F4",
         datetime(2024, 5, 4, 9, 10), "closed_late"),
        ("R7B", "nps", "A7", Decimal("5000.00"), "Mette Holm", "case_owner", "F7",
         datetime(2024, 6, 9, 10, 0), "closed_late"),
        ("R3B", "nps", "A3", Decimal("100000.00"), "Jonas Berg", "case_owner", "F3",
         datetime(2024, 7, 17, 8, 0), "open_within_sla"),
    ]  # fmt: skip


def test_alerts_carry_the_customers_comment_and_the_case(closed_loop: Built) -> None:
    comments = dict(closed_loop.rows("select response_id, comment_text from mart_feedback_alerts"))
    assert comments == {
        "R1B": "The API limits slow us down.",
        "R4": "Too expensive after the price change.",
        "R6A": "Price went up again.",
        "R7B": None,
        "R3B": None,
    }
    outcomes = dict(
        closed_loop.rows("select case_id, case_outcome from mart_feedback_alerts where case_id is not null")
    )
    assert outcomes == {"F1": "resolved", "F4": "not_resolved", "F7": None, "F3": None}


def test_compliance_per_owner_and_period(closed_loop: Built) -> None:
    rows = closed_loop.rows(
        "select period_grain, period_start, owner, alerts, contacted_in_time, contacted_late, overdue,"
        " open_within_sla, sla_compliance_pct from mart_feedback_compliance"
        " where period_grain in ('quarter', 'year') order by period_grain, period_start, owner"
    )
    assert rows == [
        ("quarter", date(2024, 1, 1), "Mette Holm", 1, 0, 0, 1, 0, Decimal("0.000000")),
        ("quarter", Q2, "CX Team", 1, 1, 0, 0, 0, Decimal("100.000000")),
        ("quarter", Q2, "Jonas Berg", 2, 0, 2, 0, 0, Decimal("0.000000")),
        ("quarter", Q2, "Mette Holm", 1, 0, 1, 0, 0, Decimal("0.000000")),
        ("quarter", date(2024, 7, 1), "Jonas Berg", 1, 0, 0, 0, 1, None),
        ("year", date(2024, 1, 1), "CX Team", 1, 1, 0, 0, 0, Decimal("100.000000")),
        ("year", date(2024, 1, 1), "Jonas Berg", 3, 0, 2, 0, 1, Decimal("0.000000")),
        ("year", date(2024, 1, 1), "Mette Holm", 2, 0, 1, 1, 0, Decimal("0.000000")),
    ]


def test_churn_by_reason_and_nps_category_of_the_last_answer(closed_loop: Built) -> None:
    rows = closed_loop.rows(
        "select reason_category, last_nps_category, churned_accounts, arr_churned, share_of_arr_churned"
        " from mart_churn_reasons where period_grain = 'quarter' and period_start = ?"
        " and segment_dimension = 'all' order by reason_category",
        [Q2],
    )
    assert rows == [
        ("competitor", "promoter", 1, Decimal("50000.00"), Decimal("80.645161")),
        ("price", "detractor", 1, Decimal("12000.00"), Decimal("19.354839")),
    ]
    churn = closed_loop.record(
        "select churned_accounts, arr_churned from mart_churn where period_grain = 'quarter'"
        " and period_start = ? and segment_dimension = 'all'",
        [Q2],
    )
    assert churn == {"churned_accounts": 2, "arr_churned": Decimal("62000.00")}
