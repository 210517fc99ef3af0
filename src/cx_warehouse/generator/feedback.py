"""The closed loop of one simulated account: a `feedback_cases` row for most NPS detractors, contacted mostly
within 48 hours."""

from __future__ import annotations

import numpy as np

from cx_warehouse.generator import catalog as cat
from cx_warehouse.generator.basics import HOUR, FamilySimulator, cumulative, pick_many
from cx_warehouse.generator.crm import Profile
from cx_warehouse.generator.output import DAY, NULL_INT
from cx_warehouse.generator.responses import Responses

FEEDBACK_CASE_SHARE = 0.85
CASE_CONTACT_PATTERN = cumulative([0.72, 0.18, 0.10])  # within 48 h, late, never
CASE_RESOLVED_SHARE = 0.62
NPS_DETRACTOR_MAX = 6  # NPS detractors score 0-6 (Reichheld, "The One Number You Need to Grow", HBR 2003)


class FeedbackCaseSimulator(FamilySimulator):
    """Opens feedback cases on detractors' responses."""

    def simulate(self, rng: np.random.Generator, profile: Profile, responses: Responses) -> None:
        """For FEEDBACK_CASE_SHARE of the NPS detractors a case opened within a day: first contact within 48
        hours (72 %), later (18 %) or never (10 %), then closed resolved (62 %), not resolved, or with no
        response. A time after the window's end is empty (the case is 'open'). Writes the
        `feedback_cases` rows; the owner is the account manager, or the CX team for one in ten."""
        detractor = (responses.nps_scores != NULL_INT) & (responses.nps_scores <= NPS_DETRACTOR_MAX)
        count = len(responses.numbers)
        opened = responses.submitted + np.clip(rng.lognormal(np.log(2 * HOUR), 0.8, count), 300, DAY).astype(
            np.int64
        )
        pattern = pick_many(rng, CASE_CONTACT_PATTERN, count)
        contact_delay = np.where(
            pattern == 0, rng.integers(HOUR, 47 * HOUR, count), rng.integers(49 * HOUR, 12 * DAY, count)
        )
        first_contact = np.where(pattern == 2, NULL_INT, opened + contact_delay)
        resolved = rng.random(count) < CASE_RESOLVED_SHARE
        closed = np.where(
            pattern == 2,
            opened + rng.integers(10 * DAY, 30 * DAY, count),
            first_contact + rng.integers(HOUR * 12, 21 * DAY, count),
        )
        outcome = np.where(
            pattern == 2, "no_response", np.where(resolved, "resolved", "not_resolved")
        ).astype(object)
        last = self.window.last_second
        first_contact = np.where(first_contact > last, NULL_INT, first_contact)
        still_open = closed > last
        closed = np.where(still_open, NULL_INT, closed)
        outcome = np.where(still_open, "open", outcome)
        opens = detractor & (rng.random(count) < FEEDBACK_CASE_SHARE) & (opened <= last)
        case_count = int(opens.sum())
        if case_count == 0:
            return
        owners = np.where(rng.random(case_count) < 0.1, cat.CASE_TEAM_OWNER, profile.manager).astype(object)
        self.tables["feedback_cases"].add(
            case_id=self.ids.take("feedback_cases", case_count),
            response_id=responses.numbers[opens],
            owner=owners,
            opened_at=opened[opens],
            first_contact_at=first_contact[opens],
            closed_at=closed[opens],
            outcome=outcome[opens],
        )
