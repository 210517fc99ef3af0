"""The account simulation of the demo-data generator: one B2B customer's life in the window, as typed rows.
AccountSimulator runs the per-family simulators in a fixed order on the account's own random stream.

Every account draws from its own numpy Generator, seeded from (seed, account index) through SeedSequence,
and keys are handed out by counters in account order. So an account's rows depend only on the arguments and
its index, never on how accounts are grouped into chunks, and a larger --accounts keeps the smaller run's
accounts.

The model, in the order it is simulated (the module that simulates each step in brackets):
- profile (crm): industry, size band, tier (bigger companies are more often key/strategic), region and
  country, account manager; a latent satisfaction = segment effects + manager effect + noise, a yearly
  trend, and deviations per driver (product quality, service, value for money, account management).
- lifecycle (revenue, churn): created before the window (the existing base) or during it (new business);
  first contract soon after; at each yearly anniversary inside the window the account churns with a
  probability that rises steeply as satisfaction falls, else it may contract (replace the plan by a smaller
  one); satisfied accounts more often expand with an add-on contract. Churn ends every running contract.
- contacts (crm; 2-8, more at big and strategic accounts), each with a response propensity and a personal
  offset to the account's satisfaction; invoices per running contract (revenue); the onboarding project
  (onboarding), which takes longer at big and unhappy accounts.
- support tickets (support), fewer at satisfied accounts; effort (replies, reopenings, time) follows the
  category.
- survey invitations at the touchpoints (touchpoints: relationship waves twice a year, renewal before each
  anniversary, onboarding after go-live, deliveries; support: solved tickets) plus a few open-link
  responses; responses (responses) follow the contact's propensity; every scale question is scored from the
  response's satisfaction (plus slow onboarding or support effort where the survey asks about them); most
  respondents comment in their language, in a tone that fits the score; most NPS detractors get a
  closed-loop feedback case (feedback).
"""

from __future__ import annotations

from cx_warehouse.generator.basics import ActivePeriod, IdCounters, Window, account_rng
from cx_warehouse.generator.churn import ChurnSimulator
from cx_warehouse.generator.crm import CrmSimulator
from cx_warehouse.generator.feedback import FeedbackCaseSimulator
from cx_warehouse.generator.onboarding import OnboardingSimulator
from cx_warehouse.generator.output import TableBuffer
from cx_warehouse.generator.responses import SurveyResponder
from cx_warehouse.generator.revenue import RevenueSimulator
from cx_warehouse.generator.support import SupportSimulator
from cx_warehouse.generator.touchpoints import Invitations, TouchpointSimulator


class AccountSimulator:
    """Simulates accounts one by one into the chunk's table buffers.

    The order of the steps is part of the output: every step draws from the same per-account random stream,
    so reordering them changes the data (though not its statistics).
    """

    def __init__(self, seed: int, window: Window, ids: IdCounters, tables: dict[str, TableBuffer]):
        self.seed = seed
        self.window = window
        self.crm = CrmSimulator(window, ids, tables)
        self.revenue = RevenueSimulator(window, ids, tables)
        self.churn = ChurnSimulator(window, ids, tables)
        self.onboarding = OnboardingSimulator(window, ids, tables)
        self.support = SupportSimulator(window, ids, tables)
        self.touchpoints = TouchpointSimulator(window, ids, tables)
        self.responder = SurveyResponder(window, ids, tables)
        self.feedback = FeedbackCaseSimulator(window, ids, tables)

    def simulate(self, account_index: int) -> None:
        """Simulate account number account_index (0-based; its key is account_index + 1) and add its rows to
        the tables: accounts, contacts, contracts, churn_events, invoices, onboarding_projects,
        support_tickets, survey_invitations, survey_responses, survey_answers and feedback_cases."""
        rng = account_rng(self.seed, account_index)
        profile = self.crm.profile(rng, account_index)
        life = self.revenue.lifecycle(rng, profile)
        until_s = life.churned_s if life.churned_s is not None else self.window.last_second
        contacts = self.crm.contacts(rng, profile, until_s)
        self.crm.write_account(profile)
        self.crm.write_contacts(rng, profile, contacts)
        self.revenue.write_contracts(profile, life)
        if life.churned_s is not None:
            self.churn.write_event(rng, profile, life.churned_s)
        self.revenue.write_invoices(profile, life)
        period = ActivePeriod(max(self.window.first_second, profile.created_s), until_s)
        onboarding = self.onboarding.simulate(rng, profile, life)
        invitations = Invitations()
        self.support.simulate(rng, profile, contacts, period, invitations)
        self.touchpoints.send_surveys(rng, contacts, life, onboarding, period, invitations)
        responses = self.responder.respond(rng, profile, contacts, invitations.collect(), until_s)
        if responses is not None:
            self.feedback.simulate(rng, profile, responses)
