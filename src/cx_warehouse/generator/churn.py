"""Churn of one simulated account: the yearly chance that it leaves, and its `churn_events` row."""

from __future__ import annotations

import numpy as np

from cx_warehouse.generator import catalog as cat
from cx_warehouse.generator import comment_templates as texts
from cx_warehouse.generator.basics import FamilySimulator, cumulative, pick
from cx_warehouse.generator.crm import Profile

CHURN_SENSITIVITY = 1.1  # churn hazard x exp(-this x latent satisfaction)
NO_REASON_TEXT_SHARE = 0.1  # churn events without a free-text reason


def churn_probability(profile: Profile) -> float:
    """The chance (0-1) that the account churns at one contract anniversary: a proportional-hazards model
    (Cox, 1972) with the tier's base hazard scaled by exp(-CHURN_SENSITIVITY x latent satisfaction), turned
    into a probability over the year as 1 - exp(-hazard). It rises steeply as satisfaction falls."""
    return 1.0 - np.exp(-cat.TIER_BASE_CHURN[profile.tier] * np.exp(-CHURN_SENSITIVITY * profile.latent))


class ChurnSimulator(FamilySimulator):
    """Writes the churn event of an account that left."""

    def write_event(self, rng: np.random.Generator, profile: Profile, churned_s: int) -> None:
        """The `churn_events` row: unhappy accounts leave over product and service, others over price and
        rivals; most give a reason text in their language."""
        if profile.latent < -0.3:
            weights = (0.15, 0.28, 0.32, 0.15, 0.10)
        elif profile.latent > 0.3:
            weights = (0.35, 0.10, 0.05, 0.35, 0.15)
        else:
            weights = (0.25, 0.20, 0.20, 0.25, 0.10)
        reason = cat.CHURN_REASONS[pick(rng, cumulative(weights))]
        variant = int(rng.integers(texts.CHURN_TEXTS_PER_REASON))
        text = (
            texts.churn_reason_text(profile.country.language, reason, variant)
            if rng.random() > NO_REASON_TEXT_SHARE
            else None
        )
        self.tables["churn_events"].add(
            account_id=profile.number, churned_at=churned_s, reason_category=reason, reason_text=text
        )
