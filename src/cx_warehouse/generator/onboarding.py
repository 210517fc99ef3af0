"""Onboarding of one simulated account: its `onboarding_projects` row, which takes longer at big and unhappy
accounts."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from cx_warehouse.generator import catalog as cat
from cx_warehouse.generator.basics import HOUR, FamilySimulator, business_moment
from cx_warehouse.generator.crm import Profile
from cx_warehouse.generator.output import DAY, NULL_INT
from cx_warehouse.generator.revenue import Lifecycle


@dataclass(frozen=True)
class OnboardingOutcome:
    """How the onboarding went: slowness 0 at 60 days, +1 per 40 days more (negative when faster), which
    lowers the onboarding survey's scores; go_live_s in epoch seconds, None when after the window."""

    slowness: float
    go_live_s: int | None


class OnboardingSimulator(FamilySimulator):
    """Writes an account's onboarding project."""

    def simulate(self, rng: np.random.Generator, profile: Profile, life: Lifecycle) -> OnboardingOutcome:
        """Kick-off within 10 days of the first contract; duration the band's median, log-normal, longer for
        low satisfaction, clipped to 20-150 days. Writes the `onboarding_projects` row (go-live empty while
        it is not live by the window's end)."""
        kickoff_s = max(
            business_moment(rng, life.first_contract_day + int(rng.integers(0, 11))),
            profile.created_s + HOUR,
        )
        median = cat.BAND_MEDIAN_ONBOARDING_DAYS[profile.band]
        days = float(np.clip(median * np.exp(rng.normal(0.0, 0.35) - 0.25 * profile.latent), 20, 150))
        go_live_s = kickoff_s + int(days * DAY) + int(rng.integers(0, 3 * HOUR))
        if go_live_s > self.window.last_second:
            go_live_s = None
        self.tables["onboarding_projects"].add(
            account_id=profile.number,
            kickoff_at=kickoff_s,
            go_live_at=NULL_INT if go_live_s is None else go_live_s,
        )
        return OnboardingOutcome((days - 60.0) / 40.0, go_live_s)
