"""Survey sends of one simulated account at its touchpoints: relationship waves twice a year, renewal before
each anniversary, onboarding after go-live and deliveries (the support survey is sent by
cx_warehouse.generator.support), collected in Invitations and answered together by
cx_warehouse.generator.responses."""

from __future__ import annotations

from collections import defaultdict
from datetime import date, timedelta

import numpy as np

from cx_warehouse.generator import catalog as cat
from cx_warehouse.generator.basics import (
    EPOCH,
    HOUR,
    YEAR,
    ActivePeriod,
    FamilySimulator,
    business_moment,
    cumulative,
    pick_many,
)
from cx_warehouse.generator.crm import Contacts
from cx_warehouse.generator.onboarding import OnboardingOutcome
from cx_warehouse.generator.output import DAY
from cx_warehouse.generator.revenue import Lifecycle

OPEN_LINK_SHARE = 0.06  # chance per relationship wave of one open-link response
DELIVERIES_PER_YEAR = 1.2
#: Per touchpoint: its channels' indexes in cat.INVITATION_CHANNEL_CODES and their cumulative weights.
INVITATION_CHANNEL_CUM = {
    touchpoint: (
        np.array([cat.INVITATION_CHANNEL_CODES.index(code) for code, _ in channels]),
        cumulative([weight for _, weight in channels]),
    )
    for touchpoint, channels in cat.INVITATION_CHANNELS.items()
}
REL, ONB, DEL, SUP, REN = (
    cat.SURVEY_INDEX[name] for name in ("relationship", "onboarding", "delivery", "support", "renewal")
)


class Invitations:
    """Survey sends of one account, collected per touchpoint, then answered together."""

    def __init__(self) -> None:
        self.parts: dict[str, list[np.ndarray]] = defaultdict(list)

    def add(self, survey, contact, sent, channel, invited=True, slow_onboarding=0.0, effort=0.0) -> None:
        """Add sends of one survey (index into cat.SURVEYS) to contacts (indexes into Contacts) at `sent`
        (epoch seconds) through `channel` (index into cat.INVITATION_CHANNEL_CODES); invited=False for an
        open-link response without an invitation. slow_onboarding and effort shift the scores."""
        count = len(contact)
        self.parts["survey"].append(np.full(count, survey))
        self.parts["contact"].append(np.asarray(contact, dtype=np.int64))
        self.parts["sent"].append(np.asarray(sent, dtype=np.int64))
        self.parts["channel"].append(np.broadcast_to(np.asarray(channel), (count,)))
        self.parts["invited"].append(np.full(count, invited))
        self.parts["slow_onboarding"].append(
            np.broadcast_to(np.asarray(slow_onboarding, dtype=float), (count,))
        )
        self.parts["effort"].append(np.broadcast_to(np.asarray(effort, dtype=float), (count,)))

    def collect(self) -> dict[str, np.ndarray]:
        """Every send as columns (survey, contact, sent, channel, invited, slow_onboarding, effort), ordered
        by send time; {} when there are none."""
        if not self.parts:
            return {}
        joined = {name: np.concatenate(parts) for name, parts in self.parts.items()}
        order = np.argsort(joined["sent"], kind="stable")
        return {name: values[order] for name, values in joined.items()}


class TouchpointSimulator(FamilySimulator):
    """Sends the relationship, renewal, onboarding and delivery surveys of one account."""

    def send_surveys(
        self,
        rng: np.random.Generator,
        contacts: Contacts,
        life: Lifecycle,
        onboarding: OnboardingOutcome,
        period: ActivePeriod,
        invitations: Invitations,
    ) -> None:
        """Add every touchpoint's sends inside the active period to `invitations`."""
        self.relationship_waves(rng, contacts, period, invitations)
        self.renewals(rng, contacts, life, period, invitations)
        self.onboarding_survey(rng, contacts, onboarding, period, invitations)
        self.deliveries(rng, contacts, period, invitations)

    def relationship_waves(
        self, rng: np.random.Generator, contacts: Contacts, period: ActivePeriod, invitations: Invitations
    ) -> None:
        """Twice a year every contact gets the relationship survey; a few answer an open link instead."""
        wave_offset = int(rng.integers(0, 20))
        first_year = (EPOCH + timedelta(days=self.window.first_day)).year
        last_year = (EPOCH + timedelta(days=self.window.last_day)).year
        channel_codes, channel_cum = INVITATION_CHANNEL_CUM["relationship"]
        for year in range(first_year, last_year + 1):
            for month in cat.RELATIONSHIP_WAVE_MONTHS:
                day = (date(year, month, 1) - EPOCH).days + wave_offset
                sent = day * DAY + 6 * HOUR + int(rng.integers(0, 3 * HOUR))
                if not period.contains(sent):
                    continue
                eligible = np.flatnonzero(contacts.created_s < sent)
                if len(eligible) == 0:
                    continue
                channels = channel_codes[pick_many(rng, channel_cum, len(eligible))]
                invitations.add(REL, eligible, sent + 7 * np.arange(len(eligible)), channels)
                if rng.random() < OPEN_LINK_SHARE:
                    who = eligible[rng.integers(len(eligible))]
                    submitted = sent + int(rng.integers(HOUR, 10 * DAY))
                    invitations.add(
                        REL, [who], [submitted], cat.INVITATION_CHANNEL_CODES.index("link"), invited=False
                    )

    def renewals(
        self,
        rng: np.random.Generator,
        contacts: Contacts,
        life: Lifecycle,
        period: ActivePeriod,
        invitations: Invitations,
    ) -> None:
        """Weeks before each anniversary the decision makers (or the first contact) get the renewal survey."""
        for anniversary in life.anniversaries:
            sent = business_moment(rng, anniversary - int(rng.integers(30, 50)))
            if not period.contains(sent):
                continue
            eligible = np.flatnonzero(contacts.created_s < sent)
            if len(eligible) == 0:
                continue
            deciders = eligible[contacts.decision_maker[eligible]]
            recipients = deciders if len(deciders) else eligible[:1]
            invitations.add(
                REN,
                recipients,
                sent + 5 * np.arange(len(recipients)),
                cat.INVITATION_CHANNEL_CODES.index("email"),
            )

    def onboarding_survey(
        self,
        rng: np.random.Generator,
        contacts: Contacts,
        onboarding: OnboardingOutcome,
        period: ActivePeriod,
        invitations: Invitations,
    ) -> None:
        """2-8 days after go-live the first three contacts get the onboarding survey (none if not live)."""
        if onboarding.go_live_s is None:
            return
        sent = onboarding.go_live_s + int(rng.integers(2 * DAY, 8 * DAY))
        if not period.contains(sent):
            return
        recipients = np.flatnonzero(contacts.created_s < sent)[:3]
        channel_codes, channel_cum = INVITATION_CHANNEL_CUM["onboarding"]
        channels = channel_codes[pick_many(rng, channel_cum, len(recipients))]
        invitations.add(
            ONB,
            recipients,
            sent + 5 * np.arange(len(recipients)),
            channels,
            slow_onboarding=onboarding.slowness,
        )

    def deliveries(
        self, rng: np.random.Generator, contacts: Contacts, period: ActivePeriod, invitations: Invitations
    ) -> None:
        """About DELIVERIES_PER_YEAR deliveries (Poisson), each surveyed with one contact who existed then."""
        count = int(rng.poisson(DELIVERIES_PER_YEAR * (period.last_s - period.first_s) / YEAR))
        sent = np.sort(rng.integers(period.first_s, period.last_s + 1, count))
        eligible = np.searchsorted(contacts.created_s, sent, side="left")
        sent, eligible = sent[eligible > 0], eligible[eligible > 0]
        recipients = (rng.random(len(sent)) * eligible).astype(np.int64)
        channel_codes, channel_cum = INVITATION_CHANNEL_CUM["delivery"]
        invitations.add(DEL, recipients, sent, channel_codes[pick_many(rng, channel_cum, len(sent))])
