"""The journey and survey-health marts on a hand-written export
(tests/fixtures/exports/journey_survey_health/): built end to end like the other fixture exports
(test_exports.build_export), then mart_journey, mart_survey_response_rates, mart_survey_fatigue and
mart_survey_coverage compared with the figures worked out by hand in the fixture's README.md."""

from __future__ import annotations

from datetime import date

import pytest

from test_exports import AS_OF, FIXTURES, Built, build_export

Q1 = date(2024, 1, 1)
Q2 = date(2024, 4, 1)
JUNE = date(2024, 6, 1)
assert date(2024, 7, 15) == AS_OF  # the README's arithmetic assumes this as-of day


@pytest.fixture(scope="module")
def journey(tmp_path_factory: pytest.TempPathFactory) -> Built:
    work = tmp_path_factory.mktemp("journey_survey_health")
    # Two answers per stage are enough for the weakest-stage rule in a fixture this small.
    return build_export(FIXTURES / "journey_survey_health", work, extra_vars={"min_sample_responses": 2})


def _stages(built: Built, start: date) -> dict[str, dict]:
    found = built.records(
        "select * from mart_journey where period_grain = 'quarter' and period_start = ? "
        "order by journey_position",
        [start],
    )
    return {row["touchpoint"]: row for row in found}


def test_journey_stages_in_seed_order_with_scores_and_drivers(journey: Built) -> None:
    stages = _stages(journey, Q2)
    assert list(stages) == ["onboarding", "support", "relationship"]
    assert [row["journey_position"] for row in stages.values()] == [1, 3, 5]

    onboarding = stages["onboarding"]
    assert (onboarding["responses"], onboarding["csat_responses"], onboarding["satisfied"]) == (2, 2, 1)
    assert onboarding["csat"] == pytest.approx(50.0)
    assert onboarding["stage_driver"] == "onboarding_days"
    assert (onboarding["driver_observations"], onboarding["driver_value"]) == (1, pytest.approx(45.5))

    support = stages["support"]
    assert (support["responses"], support["ces_responses"], support["low_effort"]) == (2, 2, 1)
    assert support["ces"] == pytest.approx(50.0)
    assert support["stage_driver"] == "first_response_hours"
    assert (support["driver_observations"], support["driver_value"]) == (2, pytest.approx(1.25))

    relationship = stages["relationship"]
    assert (relationship["nps_responses"], relationship["promoters"], relationship["detractors"]) == (2, 1, 1)
    assert relationship["nps"] == pytest.approx(0.0)
    assert relationship["stage_driver"] is None
    # The export has no comment question: no scored comments, no mean.
    assert (relationship["sentiment_comments"], relationship["sentiment_score_mean"]) == (0, None)


def test_the_cascade_reads_the_same_drivers(journey: Built) -> None:
    # One definition (prep_operational_drivers__monthly): the stages' drivers and the cascade's other two.
    rows = journey.rows(
        "select metric_code, metric_value, sample_size from mart_metric_cascade "
        "where period_grain = 'quarter' and period_start = ? and metric_code in "
        "('onboarding_days', 'first_response_hours', 'resolution_hours', 'first_contact_resolution')",
        [Q2],
    )
    assert {code: (value, n) for code, value, n in rows} == {
        "onboarding_days": (pytest.approx(45.5), 1),
        "first_response_hours": (pytest.approx(1.25), 2),
        "resolution_hours": (pytest.approx(14.0), 2),
        "first_contact_resolution": (pytest.approx(50.0), 2),
    }


def test_weakest_stage_is_the_largest_shortfall_to_target_earlier_on_a_tie(journey: Built) -> None:
    stages = _stages(journey, Q2)
    gaps = {touchpoint: row["target_gap"] for touchpoint, row in stages.items()}
    assert gaps == {"onboarding": pytest.approx(-30.0), "support": pytest.approx(-20.0),
                    "relationship": pytest.approx(-30.0)}  # fmt: skip
    assert [t for t, row in stages.items() if row["is_weakest_stage"]] == ["onboarding"]
    # Q1 has one stage, one answer: a low sample, so no weakest stage.
    q1 = _stages(journey, Q1)
    assert list(q1) == ["relationship"] and not q1["relationship"]["is_weakest_stage"]


def test_response_rates_by_survey_channel_and_segment(journey: Built) -> None:
    rows = journey.rows(
        "select survey_name, channel, segment_dimension, segment_value, invitations, responded_invitations, "
        "response_rate from mart_survey_response_rates where period_grain = 'quarter' and period_start = ? "
        "and segment_dimension in ('all', 'tier')",
        [Q2],
    )
    found = {
        (name, channel, dimension, value): (n, x, rate)
        for name, channel, dimension, value, n, x, rate in rows
    }
    assert found[("Onboarding survey", "email", "all", "all")] == (1, 1, pytest.approx(100.0))
    assert found[("Onboarding survey", "sms", "all", "all")] == (1, 1, pytest.approx(100.0))
    assert found[("Support survey", "email", "all", "all")] == (4, 2, pytest.approx(50.0))
    assert found[("Relationship survey", "email", "all", "all")] == (3, 2, pytest.approx(200 / 3))
    assert found[("unknown", "email", "all", "all")] == (1, 0, pytest.approx(0.0))
    assert found[("Support survey", "email", "tier", "key")] == (2, 1, pytest.approx(50.0))
    assert found[("Support survey", "email", "tier", "standard")] == (1, 1, pytest.approx(100.0))
    assert found[("Support survey", "email", "tier", "unknown")] == (1, 0, pytest.approx(0.0))
    assert found[("Relationship survey", "email", "tier", "unknown")] == (1, 1, pytest.approx(100.0))
    totals = journey.rows(
        "select sum(invitations), sum(responded_invitations) from mart_survey_response_rates "
        "where period_grain = 'quarter' and period_start = ? and segment_dimension = 'all'",
        [Q2],
    )
    assert totals == [(10, 6)]


def test_fatigue_response_rate_falls_with_invitation_frequency(journey: Built) -> None:
    rows = journey.rows(
        "select segment_dimension, segment_value, group_order, invitations, responded_invitations "
        "from mart_survey_fatigue where period_grain = 'quarter' and period_start = ?",
        [Q2],
    )
    found = {(dimension, value): (order, n, x) for dimension, value, order, n, x in rows}
    assert found == {
        ("all", "all"): (0, 10, 6),
        ("invitation_history", "first_time"): (1, 3, 3),
        ("invitation_history", "re_invited"): (2, 6, 3),
        ("invitation_history", "unknown"): (3, 1, 0),
        ("invitation_frequency", "1"): (1, 3, 3),
        ("invitation_frequency", "2"): (2, 3, 2),
        ("invitation_frequency", "3-4"): (3, 3, 1),
        ("invitation_frequency", "unknown"): (5, 1, 0),
    }
    top = journey.record(
        "select response_rate_difference, response_rate_difference_z, "
        "is_response_rate_difference_significant from mart_survey_fatigue "
        "where period_grain = 'quarter' and period_start = ? "
        "and segment_dimension = 'invitation_frequency' and segment_value = '3-4'",
        [Q2],
    )
    assert top["response_rate_difference"] == pytest.approx(100 / 3 - 100)
    assert top["response_rate_difference_z"] == pytest.approx(-(2 / 3) / (2 / 3 * 1 / 3 * 2 / 3) ** 0.5)
    assert top["is_response_rate_difference_significant"] is False


def test_coverage_of_accounts_and_arr(journey: Built) -> None:
    def coverage(grain: str, start: date, dimension: str = "all", value: str = "all") -> tuple:
        row = journey.record(
            "select active_accounts, arr_eur, invited_accounts, invited_arr_eur, responding_accounts, "
            "responding_arr_eur, invited_arr_pct, responding_arr_pct from mart_survey_coverage "
            "where period_grain = ? and period_start = ? and segment_dimension = ? and segment_value = ?",
            [grain, start, dimension, value],
        )
        return tuple(float(value) for value in row.values())

    assert coverage("quarter", Q2) == pytest.approx((3, 180000, 2, 150000, 2, 150000, 250 / 3, 250 / 3))
    assert coverage("month", JUNE) == pytest.approx((3, 180000, 2, 150000, 1, 100000, 250 / 3, 500 / 9))
    assert coverage("quarter", Q2, "tier", "standard") == pytest.approx(
        (2, 80000, 1, 50000, 1, 50000, 62.5, 62.5)
    )
