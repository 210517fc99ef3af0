"""Support of one simulated account: its `support_tickets` rows (fewer at satisfied accounts; effort such as
replies, reopenings and time follows the category) and a support survey after some solved tickets."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from cx_warehouse.generator import catalog as cat
from cx_warehouse.generator.basics import (
    HOUR,
    YEAR,
    ActivePeriod,
    FamilySimulator,
    business_time,
    cumulative,
    day_of,
    pick_many,
)
from cx_warehouse.generator.crm import Contacts, Profile
from cx_warehouse.generator.output import DAY, NULL_INT
from cx_warehouse.generator.touchpoints import INVITATION_CHANNEL_CUM, SUP, Invitations

SUPPORT_SURVEY_SHARE = 0.7
NO_CONTACT_SHARE = 0.1  # tickets not tied to a known contact
CHANNEL_CUM = cumulative([weight for _, weight in cat.TICKET_CHANNELS])
PRIORITY_CUM = cumulative([weight for _, weight in cat.TICKET_PRIORITIES])
CATEGORY_CUM = cumulative([weight for _, weight in cat.TICKET_CATEGORIES])
CHANNEL_CODES = np.array([code for code, _ in cat.TICKET_CHANNELS], dtype=object)
PRIORITY_CODES = np.array([code for code, _ in cat.TICKET_PRIORITIES], dtype=object)
CATEGORY_CODES = np.array([code for code, _ in cat.TICKET_CATEGORIES], dtype=object)


@dataclass(frozen=True)
class Tickets:
    """One account's tickets as arrays, one element per ticket: times in epoch seconds (first_response and
    solved may lie after the window: not answered or not solved yet), indexes into the catalog's channel,
    priority and category lists, the chosen contact (index into Contacts) and whether there is one."""

    created: np.ndarray
    channel: np.ndarray
    priority: np.ndarray
    category: np.ndarray
    chosen: np.ndarray
    has_contact: np.ndarray
    first_response: np.ndarray
    solved: np.ndarray
    solve_hours: np.ndarray
    replies: np.ndarray
    reopened: np.ndarray


class SupportSimulator(FamilySimulator):
    """Writes an account's support tickets and sends the support survey after some solved ones."""

    def simulate(
        self,
        rng: np.random.Generator,
        profile: Profile,
        contacts: Contacts,
        period: ActivePeriod,
        invitations: Invitations,
    ) -> None:
        """Tickets in the active period (Poisson, by band and tier, fewer at satisfied accounts), their
        timings and effort, the `support_tickets` rows, and support survey sends added to `invitations`."""
        created = self._created(rng, profile, period)
        if len(created) == 0:
            return
        tickets = self._tickets(rng, profile, contacts, created)
        unanswered = tickets.first_response > self.window.last_second
        still_open = tickets.solved > self.window.last_second
        replies = np.where(unanswered, 0, tickets.replies)
        reopened = np.where(still_open, 0, tickets.reopened)
        self._write(profile, contacts, tickets, unanswered, still_open, replies, reopened)
        self._survey_solved(rng, tickets, still_open, replies, reopened, period, invitations)

    def _created(self, rng: np.random.Generator, profile: Profile, period: ActivePeriod) -> np.ndarray:
        """When the tickets were created: sorted epoch seconds in working hours inside the period."""
        active_years = (period.last_s - period.first_s) / YEAR
        rate = cat.BAND_TICKETS_PER_YEAR[profile.band] * cat.TIER_TICKET_MULTIPLIER[profile.tier]
        count = int(rng.poisson(rate * np.exp(-0.35 * profile.latent) * active_years))
        first_day, last_day = day_of(period.first_s), day_of(period.last_s)
        created = rng.integers(first_day, last_day + 1, count) * DAY + business_time(rng, count)
        return np.sort(created[(created > period.first_s) & (created <= period.last_s)])

    @staticmethod
    def _tickets(
        rng: np.random.Generator, profile: Profile, contacts: Contacts, created: np.ndarray
    ) -> Tickets:
        """Channel, priority, category, contact and the timings and effort that follow from them: first reply
        by channel and priority, replies and reopenings by category (more at unhappy accounts), solve time
        by category and priority plus about 30 hours per reopening; all log-normal or Poisson."""
        count = len(created)
        channel = pick_many(rng, CHANNEL_CUM, count)
        priority = pick_many(rng, PRIORITY_CUM, count)
        category = pick_many(rng, CATEGORY_CUM, count)
        eligible = np.searchsorted(contacts.created_s, created, side="right")
        chosen = (rng.random(count) * eligible).astype(np.int64)
        has_contact = (eligible > 0) & (rng.random(count) >= NO_CONTACT_SHARE)
        speed = cat.PRIORITY_SPEED_FACTOR[priority]
        first_reply_hours = cat.CHANNEL_FIRST_REPLY_HOURS[channel] * speed * rng.lognormal(0.0, 0.9, count)
        first_response = created + np.maximum(60, (first_reply_hours * HOUR).astype(np.int64))
        replies = 1 + rng.poisson(cat.CATEGORY_EXTRA_REPLIES[category] * np.exp(-0.25 * profile.latent))
        reopened = rng.poisson(cat.CATEGORY_REOPENINGS[category])
        solve_hours = cat.CATEGORY_SOLVE_HOURS[category] * np.sqrt(speed) * rng.lognormal(0.0, 1.0, count)
        solve_hours = solve_hours + reopened * rng.lognormal(np.log(30.0), 0.6, count)
        solved = first_response + (solve_hours * HOUR).astype(np.int64)
        return Tickets(
            created,
            channel,
            priority,
            category,
            chosen,
            has_contact,
            first_response,
            solved,
            solve_hours,
            replies,
            reopened,
        )

    def _write(self, profile, contacts, tickets: Tickets, unanswered, still_open, replies, reopened) -> None:
        """The `support_tickets` rows, as the export shows them at the window's end: a reply or a solve after
        it is empty, an unanswered ticket has no replies yet and an open one no reopenings."""
        count = len(tickets.created)
        self.tables["support_tickets"].add(
            ticket_id=self.ids.take("support_tickets", count),
            account_id=np.full(count, profile.number),
            contact_id=np.where(
                tickets.has_contact,
                contacts.numbers[np.minimum(tickets.chosen, len(contacts.numbers) - 1)],
                NULL_INT,
            ),
            created_at=tickets.created,
            first_response_at=np.where(unanswered, NULL_INT, tickets.first_response),
            solved_at=np.where(still_open, NULL_INT, tickets.solved),
            channel=CHANNEL_CODES[tickets.channel],
            priority=PRIORITY_CODES[tickets.priority],
            category=CATEGORY_CODES[tickets.category],
            agent_replies=replies,
            reopened_count=reopened,
        )

    @staticmethod
    def _survey_solved(rng, tickets: Tickets, still_open, replies, reopened, period, invitations) -> None:
        """1-6 hours after solving, SUPPORT_SURVEY_SHARE of the solved tickets with a contact get the support
        survey; their effort (replies, reopenings, log2 of solve days) lowers its scores."""
        count = len(tickets.created)
        sent = tickets.solved + rng.integers(HOUR, 6 * HOUR, count)
        surveyed = (
            tickets.has_contact
            & ~still_open
            & (rng.random(count) < SUPPORT_SURVEY_SHARE)
            & (sent <= period.last_s)
        )
        effort = 0.45 * (replies - 2) + 0.8 * reopened + 0.15 * np.log2(1 + tickets.solve_hours / 24)
        channels = pick_many(rng, INVITATION_CHANNEL_CUM["support"][1], count)
        invitations.add(
            SUP,
            tickets.chosen[surveyed],
            sent[surveyed],
            INVITATION_CHANNEL_CUM["support"][0][channels[surveyed]],
            effort=effort[surveyed],
        )
