"""The account simulation of the demo-data generator: one B2B customer's life in the window, as typed rows.

Every account draws from its own numpy Generator, seeded from (seed, account index) through SeedSequence,
and keys are handed out by counters in account order. So an account's rows depend only on the arguments and
its index, never on how accounts are grouped into chunks, and a larger --accounts keeps the smaller run's
accounts.

The model, in the order it is simulated:
- profile: industry, size band, tier (bigger companies are more often key/strategic), region and country,
  account manager; a latent satisfaction = segment effects + manager effect + noise, a yearly trend, and
  deviations per driver (product quality, service, value for money, account management).
- lifecycle: created before the window (the existing base) or during it (new business); first contract soon
  after; at each yearly anniversary inside the window the account churns with a probability that rises steeply
  as satisfaction falls, else it may contract (replace the plan by a smaller one); satisfied accounts more
  often expand with an add-on contract. Churn ends every running contract.
- contacts (2-8, more at big and strategic accounts), each with a response propensity and a personal offset
  to the account's satisfaction; invoices per running contract; the onboarding project, which takes longer
  at big and unhappy accounts.
- support tickets, fewer at satisfied accounts; effort (replies, reopenings, time) follows the category.
- survey invitations at the touchpoints (relationship waves twice a year, renewal before each anniversary,
  onboarding after go-live, deliveries, solved tickets) plus a few open-link responses; responses follow the
  contact's propensity; every scale question is scored from the response's satisfaction (plus slow onboarding
  or support effort where the survey asks about them); most respondents comment in their language, in a tone
  that fits the score; most NPS detractors get a closed-loop feedback case.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, timedelta

import numpy as np

from cx_warehouse import comment_templates as texts
from cx_warehouse import generator_catalog as cat
from cx_warehouse.generator_faults import DOUBLE_SUBMISSION_LEAD_S, double_submission_window_s
from cx_warehouse.generator_output import DAY, NULL_INT, TableBuffer

EPOCH = date(1970, 1, 1)
HOUR = 3_600
YEAR = int(365.25 * DAY)
ACCOUNT_STREAM = 0


def _cumulative(weights) -> np.ndarray:
    totals = np.cumsum(np.asarray(weights, dtype=np.float64))
    return totals / totals[-1]


def _pick(rng: np.random.Generator, cumulative: np.ndarray) -> int:
    return int(np.searchsorted(cumulative, rng.random(), side="right"))


def _pick_many(rng: np.random.Generator, cumulative: np.ndarray, count: int) -> np.ndarray:
    return np.searchsorted(cumulative, rng.random(count), side="right")


EXISTING_ACCOUNT_SHARE = 0.65
EXISTING_ACCOUNT_MAX_AGE_YEARS = 6
NEW_ACCOUNT_LAST_DAYS = 45  # new accounts arrive up to this many days before the end
CHURN_SENSITIVITY = 1.1  # churn hazard x exp(-this x latent satisfaction)
CONTRACTION_BASE = 0.06
EXPANSION_BASE = 0.30
MONTHLY_BILLING_SHARE = {True: 0.6, False: 0.25}  # standard tier or not
SUPPORT_SURVEY_SHARE = 0.7
OPEN_LINK_SHARE = 0.06  # chance per relationship wave of one open-link response
DELIVERIES_PER_YEAR = 1.2
FEEDBACK_CASE_SHARE = 0.85
CASE_CONTACT_PATTERN = _cumulative([0.72, 0.18, 0.10])  # within 48 h, late, never
CASE_RESOLVED_SHARE = 0.62
NPS_DETRACTOR_MAX = 6
OTHER_LANGUAGE_SHARE = 0.12  # contacts at Danish/Norwegian accounts who answer in English
# Responses of one contact to one survey are further apart than the warehouse's double-submission window plus
# the lead of a planted double submission, so only the planted ones fall inside the window.
RESUBMISSION_GAP_S = double_submission_window_s() + DOUBLE_SUBMISSION_LEAD_S[1]


@dataclass(frozen=True)
class Window:
    """The days the data covers: `years` years ending on end_date (inclusive), as epoch days."""

    first_day: int
    last_day: int

    @classmethod
    def ending(cls, end_date: date, years: int) -> Window:
        """2023-10-01 to 2026-09-30 for end_date 2026-09-30 and 3 years."""
        day = 28 if (end_date.month, end_date.day) == (2, 29) else end_date.day
        first = date(end_date.year - years, end_date.month, day) + timedelta(days=1)
        return cls((first - EPOCH).days, (end_date - EPOCH).days)

    @property
    def first_date(self) -> date:
        return EPOCH + timedelta(days=self.first_day)

    @property
    def first_second(self) -> int:
        return self.first_day * DAY

    @property
    def last_second(self) -> int:
        return (self.last_day + 1) * DAY - 1


class IdCounters:
    """Sequential numeric keys per table, handed out in account order.

    Numbers from RESERVED_FROM up are kept free: injected bad rows take their fresh and unknown keys there.
    """

    RESERVED_FROM = 800_000_000

    def __init__(self) -> None:
        self._next: dict[str, int] = defaultdict(lambda: 1)

    def take(self, table: str, count: int) -> np.ndarray:
        first = self._next[table]
        if first + count >= self.RESERVED_FROM:
            raise ValueError(f"{table}: more than {self.RESERVED_FROM:,} rows; generate fewer accounts")
        self._next[table] = first + count
        return np.arange(first, first + count, dtype=np.int64)


INDUSTRY_CUM = _cumulative([segment.weight for segment in cat.INDUSTRIES])
BAND_CUM = _cumulative([segment.weight for segment in cat.EMPLOYEE_BANDS])
TIER_CUM = np.array([_cumulative(row) for row in cat.TIER_GIVEN_BAND])
REGION_CUM = _cumulative([region.weight for region in cat.REGIONS])
COUNTRY_CUM = [_cumulative([country.weight for country in region.countries]) for region in cat.REGIONS]
CHANNEL_CUM = _cumulative([weight for _, weight in cat.TICKET_CHANNELS])
PRIORITY_CUM = _cumulative([weight for _, weight in cat.TICKET_PRIORITIES])
CATEGORY_CUM = _cumulative([weight for _, weight in cat.TICKET_CATEGORIES])
CHANNEL_CODES = np.array([code for code, _ in cat.TICKET_CHANNELS], dtype=object)
PRIORITY_CODES = np.array([code for code, _ in cat.TICKET_PRIORITIES], dtype=object)
CATEGORY_CODES = np.array([code for code, _ in cat.TICKET_CATEGORIES], dtype=object)
INVITATION_CHANNEL_CUM = {
    touchpoint: (
        np.array([cat.INVITATION_CHANNEL_CODES.index(code) for code, _ in channels]),
        _cumulative([weight for _, weight in channels]),
    )
    for touchpoint, channels in cat.INVITATION_CHANNELS.items()
}
INVITATION_CHANNEL_LABELS = np.array(cat.INVITATION_CHANNEL_CODES, dtype=object)
THEME_CUM = np.array([_cumulative(cat.COMMENT_THEME_WEIGHTS[survey.touchpoint]) for survey in cat.SURVEYS])
DRIVER_THEME_INDEX = np.array([texts.THEMES.index(theme) for theme in cat.DRIVER_THEMES])
RESPONSE_FACTOR = np.array([cat.TOUCHPOINT_RESPONSE_FACTOR[survey.touchpoint] for survey in cat.SURVEYS])
REL, ONB, DEL, SUP, REN = (
    cat.SURVEY_INDEX[name] for name in ("relationship", "onboarding", "delivery", "support", "renewal")
)


class QuestionTable:
    """The survey questions as arrays indexed by a global question number, for vectorised scoring."""

    def __init__(self) -> None:
        questions = [
            (s, p, q) for s, survey in enumerate(cat.SURVEYS) for p, q in enumerate(survey.questions)
        ]
        self.ids = [cat.SURVEYS[s].question_id(p) for s, p, _ in questions]
        self.position = np.array([p for _, p, _ in questions])
        self.scale_min = np.array([q.scale_min or 0 for _, _, q in questions])
        self.scale_max = np.array([q.scale_max or 0 for _, _, q in questions])
        self.center = np.array([q.center for _, _, q in questions])
        self.slope = np.array([q.slope for _, _, q in questions])
        self.noise_sd = np.array([q.noise_sd for _, _, q in questions])
        self.onboarding_coef = np.array([q.onboarding_coef for _, _, q in questions])
        self.effort_coef = np.array([q.effort_coef for _, _, q in questions])
        self.driver = np.array([cat.DRIVERS.index(q.driver) if q.driver else -1 for _, _, q in questions])
        self.positive_from = np.array([q.tone_cuts[0] if q.tone_cuts else 0 for _, _, q in questions])
        self.neutral_from = np.array([q.tone_cuts[1] if q.tone_cuts else 0 for _, _, q in questions])
        self.is_tone = np.array([q.tone_cuts is not None for _, _, q in questions])
        by_survey = [
            [g for g, (s, _, _) in enumerate(questions) if s == survey] for survey in range(len(cat.SURVEYS))
        ]
        self.scale_of_survey = [np.array([g for g in ids if questions[g][2].is_scale]) for ids in by_survey]
        self.comment_of_survey = np.array(
            [next(g for g in ids if questions[g][2].metric == "comment") for ids in by_survey]
        )
        self.asks_nps = np.array([any(questions[g][2].metric == "nps" for g in ids) for ids in by_survey])


QUESTIONS = QuestionTable()


@dataclass(frozen=True)
class Profile:
    """Who the account is and how satisfied it is (latent, on the scale of the catalog's effects)."""

    number: int
    industry: int
    band: int
    tier: int
    region: cat.Region
    country: cat.Country
    manager: str
    latent: float
    trend: float
    drivers: np.ndarray
    name: str
    domain: str
    created_s: int


@dataclass(frozen=True)
class Lifecycle:
    """Contracts and churn. Days are epoch days; churn_day is None for retained accounts."""

    first_contract_day: int
    anniversaries: list[int]
    churn_day: int | None
    churned_s: int | None
    contracts: list[tuple[str, int, int, int]]  # product, start day, end day (NULL_INT = running), arr cents
    monthly_billing: bool


@dataclass(frozen=True)
class Contacts:
    """The account's people, sorted by creation. language is the language each one answers in."""

    numbers: np.ndarray
    created_s: np.ndarray
    decision_maker: np.ndarray
    propensity: np.ndarray
    offset: np.ndarray
    language: np.ndarray


class Invitations:
    """Survey sends of one account, collected per touchpoint, then answered together."""

    def __init__(self) -> None:
        self.parts: dict[str, list[np.ndarray]] = defaultdict(list)

    def add(self, survey, contact, sent, channel, invited=True, slow_onboarding=0.0, effort=0.0) -> None:
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
        if not self.parts:
            return {}
        joined = {name: np.concatenate(parts) for name, parts in self.parts.items()}
        order = np.argsort(joined["sent"], kind="stable")
        return {name: values[order] for name, values in joined.items()}


def account_rng(seed: int, account_index: int) -> np.random.Generator:
    return np.random.Generator(
        np.random.PCG64(np.random.SeedSequence(seed, spawn_key=(ACCOUNT_STREAM, account_index)))
    )


def _day_of(seconds: int) -> int:
    return int(seconds // DAY)


def _business_time(rng: np.random.Generator, count: int | None = None):
    """Seconds into a working day (06:00-17:00 UTC, about 07-19 local in the regions)."""
    return 6 * HOUR + rng.integers(0, 11 * HOUR, count)


def _business_moment(rng: np.random.Generator, day: int) -> int:
    return int(day * DAY + _business_time(rng))


def _anniversaries(start_day: int, last_day: int) -> list[int]:
    """Calendar anniversaries of a contract start up to last_day (29 February falls back to the 28th)."""
    start = EPOCH + timedelta(days=start_day)
    days = []
    for years in range(1, 200):
        year = start.year + years
        day = date(year, 2, 28) if (start.month, start.day) == (2, 29) else start.replace(year=year)
        if (day - EPOCH).days > last_day:
            return days
        days.append((day - EPOCH).days)
    return days


def _round_hundreds(cents: float) -> int:
    """Money in cents rounded to whole hundreds of the currency, as a sales team would quote it."""
    return max(10_000, int(round(cents / 10_000.0)) * 10_000)


class AccountSimulator:
    """Simulates accounts one by one into the chunk's table buffers."""

    def __init__(self, seed: int, window: Window, ids: IdCounters, tables: dict[str, TableBuffer]):
        self.seed = seed
        self.window = window
        self.ids = ids
        self.tables = tables

    def simulate(self, account_index: int) -> None:
        rng = account_rng(self.seed, account_index)
        profile = self._profile(rng, account_index)
        life = self._lifecycle(rng, profile)
        contacts = self._contacts(rng, profile, life)
        self._emit_account(rng, profile, contacts, life)
        self._emit_invoices(profile, life)
        active_from = max(self.window.first_second, profile.created_s)
        active_to = life.churned_s if life.churned_s is not None else self.window.last_second
        slow_onboarding, go_live_s = self._onboarding(rng, profile, life)
        invitations = Invitations()
        self._support(rng, profile, contacts, active_from, active_to, invitations)
        self._relationship_waves(rng, contacts, active_from, active_to, invitations)
        self._renewals(rng, contacts, life, active_from, active_to, invitations)
        self._onboarding_survey(
            rng, contacts, go_live_s, slow_onboarding, active_from, active_to, invitations
        )
        self._deliveries(rng, contacts, active_from, active_to, invitations)
        self._responses(rng, profile, contacts, invitations.collect(), active_to)

    # --- profile and lifecycle ------------------------------------------------------------------------------

    def _profile(self, rng: np.random.Generator, account_index: int) -> Profile:
        band = _pick(rng, BAND_CUM)
        tier = _pick(rng, TIER_CUM[band])
        industry = _pick(rng, INDUSTRY_CUM)
        region_index = _pick(rng, REGION_CUM)
        region = cat.REGIONS[region_index]
        country = region.countries[_pick(rng, COUNTRY_CUM[region_index])]
        managers = cat.ACCOUNT_MANAGERS[region.name]
        manager, manager_effect = managers[rng.integers(len(managers))]
        latent = (
            cat.INDUSTRIES[industry].effect
            + cat.EMPLOYEE_BANDS[band].effect
            + cat.TIER_EFFECTS[tier]
            + region.effect
            + manager_effect
            + rng.normal(0.0, cat.ACCOUNT_NOISE_SD)
        )
        trend = rng.normal(0.0, cat.ACCOUNT_TREND_SD)
        drivers = rng.normal(0.0, cat.DRIVER_NOISE_SD, len(cat.DRIVERS))
        name, domain = self._company_name(rng, cat.INDUSTRIES[industry].code, country)
        if rng.random() < EXISTING_ACCOUNT_SHARE:
            age = rng.integers(60 * DAY, EXISTING_ACCOUNT_MAX_AGE_YEARS * YEAR)
            created_s = self.window.first_second - int(age)
        else:
            created_s = int(
                rng.integers(self.window.first_second, self.window.last_second - NEW_ACCOUNT_LAST_DAYS * DAY)
            )
        return Profile(
            account_index + 1,
            industry,
            band,
            tier,
            region,
            country,
            manager,
            latent,
            trend,
            drivers,
            name,
            domain,
            created_s,
        )

    @staticmethod
    def _company_name(rng: np.random.Generator, industry: str, country: cat.Country) -> tuple[str, str]:
        heads, tails = (part.split() for part in cat.NAME_STEMS[country.naming])
        stem = heads[rng.integers(len(heads))] + tails[rng.integers(len(tails))]
        if industry == "public_sector":
            name = cat.PUBLIC_BODY_PATTERNS[country.naming].format(town=stem)
        else:
            name = f"{stem} {cat.INDUSTRY_WORDS[industry][country.naming]} {country.legal_suffix}"
        return name, f"{stem.lower().translate(cat.ASCII_FOLD)}.{country.tld}"

    def _lifecycle(self, rng: np.random.Generator, profile: Profile) -> Lifecycle:
        created_day = _day_of(profile.created_s)
        start_day = min(created_day + int(rng.integers(0, 15)), self.window.last_day)
        anniversaries = _anniversaries(start_day, self.window.last_day)
        hazard = 1.0 - np.exp(
            -cat.TIER_BASE_CHURN[profile.tier] * np.exp(-CHURN_SENSITIVITY * profile.latent)
        )
        contraction_chance = CONTRACTION_BASE * np.exp(-0.8 * profile.latent)
        churn_day = contraction_day = None
        for day in anniversaries:
            if day >= self.window.first_day and rng.random() < hazard:
                churn_day = day
                break
            if contraction_day is None and rng.random() < contraction_chance:
                contraction_day = day
        churned_s = (
            None if churn_day is None else max(_business_moment(rng, churn_day), profile.created_s + HOUR)
        )
        end_day = NULL_INT if churn_day is None else churn_day
        contracts = self._contracts(rng, profile, start_day, contraction_day, churn_day, end_day)
        standard = cat.TIERS[profile.tier] == "standard"
        monthly = bool(rng.random() < MONTHLY_BILLING_SHARE[standard])
        return Lifecycle(start_day, anniversaries, churn_day, churned_s, contracts, monthly)

    def _contracts(self, rng, profile: Profile, start_day, contraction_day, churn_day, end_day):
        """The base plan (replaced by a smaller one on contraction) and an add-on on expansion."""
        arr_eur = cat.BAND_MEDIAN_ARR_EUR[profile.band] * cat.TIER_ARR_MULTIPLIER[profile.tier]
        arr_cents = _round_hundreds(
            arr_eur * profile.country.units_per_eur * np.exp(rng.normal(0.0, 0.35)) * 100
        )
        tier_code = cat.TIERS[profile.tier]
        plan = (
            2
            if tier_code == "strategic" or (tier_code == "key" and profile.band == 3)
            else int(profile.band >= 2 or tier_code == "key")
        )
        contracts = []
        if contraction_day is None:
            contracts.append((cat.PLANS[plan], start_day, end_day, arr_cents))
        else:
            smaller = _round_hundreds(arr_cents * rng.uniform(0.55, 0.85))
            contracts.append((cat.PLANS[plan], start_day, contraction_day - 1, arr_cents))
            contracts.append((cat.PLANS[max(plan - 1, 0)], contraction_day, end_day, smaller))
        expansion_chance = min(0.7, EXPANSION_BASE * np.exp(0.6 * profile.latent))
        latest = (churn_day if churn_day is not None else self.window.last_day) - 1
        if rng.random() < expansion_chance and latest > start_day + 120:
            add_on_day = int(rng.integers(start_day + 120, latest + 1))
            add_on = cat.ADD_ONS[rng.integers(len(cat.ADD_ONS))]
            contracts.append(
                (add_on, add_on_day, end_day, _round_hundreds(arr_cents * rng.uniform(0.15, 0.45)))
            )
        return contracts

    def _contacts(self, rng: np.random.Generator, profile: Profile, life: Lifecycle) -> Contacts:
        strategic = cat.TIERS[profile.tier] == "strategic"
        count = int(np.clip(cat.BAND_BASE_CONTACTS[profile.band] + rng.integers(0, 4) + strategic, 2, 8))
        early = max(1, count // 2)
        last_s = life.churned_s if life.churned_s is not None else self.window.last_second
        created = np.concatenate(
            [
                profile.created_s + rng.integers(600, 5 * DAY, early),
                rng.integers(profile.created_s + 600, max(last_s, profile.created_s + 601), count - early),
            ]
        )
        created.sort()
        decision_maker = rng.random(count) < cat.DECISION_MAKER_SHARE
        propensity = rng.beta(1.8, 2.6, count) * np.where(decision_maker, 0.85, 1.0)
        offset = rng.normal(0.0, cat.CONTACT_NOISE_SD, count)
        home = profile.country.language
        language = np.where(rng.random(count) < OTHER_LANGUAGE_SHARE, "en", home).astype(object)
        return Contacts(
            self.ids.take("contacts", count), created, decision_maker, propensity, offset, language
        )

    # --- CRM rows -------------------------------------------------------------------------------------------

    def _emit_account(
        self, rng: np.random.Generator, profile: Profile, contacts: Contacts, life: Lifecycle
    ) -> None:
        self.tables["accounts"].add(
            account_id=profile.number,
            account_name=profile.name,
            industry=cat.INDUSTRIES[profile.industry].code,
            employee_band=cat.EMPLOYEE_BANDS[profile.band].code,
            region=profile.region.name,
            country_code=profile.country.code,
            tier=cat.TIERS[profile.tier],
            account_manager=profile.manager,
            created_at=profile.created_s,
        )
        firsts = cat.FIRST_NAMES[profile.country.naming].split()
        lasts = [name.replace("_", " ") for name in cat.LAST_NAMES[profile.country.naming].split()]
        count = len(contacts.numbers)
        first_picks = rng.integers(len(firsts), size=count)
        last_picks = rng.integers(len(lasts), size=count)
        role_picks = rng.random(count)
        names, emails, roles = [], [], []
        for first_index, last_index, role_pick, decides in zip(
            first_picks, last_picks, role_picks, contacts.decision_maker, strict=True
        ):
            first, last = firsts[first_index], lasts[last_index]
            names.append(f"{first} {last}")
            emails.append(f"{first}.{last}".lower().translate(cat.ASCII_FOLD) + "@" + profile.domain)
            pool = cat.DECISION_MAKER_ROLES if decides else cat.OTHER_ROLES
            roles.append(pool[int(role_pick * len(pool))])
        self.tables["contacts"].add(
            contact_id=contacts.numbers,
            account_id=np.full(count, profile.number),
            full_name=names,
            email=emails,
            job_role=roles,
            is_decision_maker=contacts.decision_maker.astype(np.int64),
            created_at=contacts.created_s,
        )
        self.tables["contracts"].add(
            contract_id=self.ids.take("contracts", len(life.contracts)),
            account_id=np.full(len(life.contracts), profile.number),
            product=[product for product, _, _, _ in life.contracts],
            start_date=np.array([start for _, start, _, _ in life.contracts]),
            end_date=np.array([end for _, _, end, _ in life.contracts]),
            arr=np.array([arr for _, _, _, arr in life.contracts]),
            currency=[profile.country.currency] * len(life.contracts),
        )
        if life.churn_day is not None:
            self._emit_churn(rng, profile, life)

    def _emit_churn(self, rng: np.random.Generator, profile: Profile, life: Lifecycle) -> None:
        """The churn event: unhappy accounts leave over product and service, others over price and rivals."""
        if profile.latent < -0.3:
            weights = (0.15, 0.28, 0.32, 0.15, 0.10)
        elif profile.latent > 0.3:
            weights = (0.35, 0.10, 0.05, 0.35, 0.15)
        else:
            weights = (0.25, 0.20, 0.20, 0.25, 0.10)
        reason = cat.CHURN_REASONS[_pick(rng, _cumulative(weights))]
        variant = int(rng.integers(texts.CHURN_TEXTS_PER_REASON))
        text = (
            texts.churn_reason_text(profile.country.language, reason, variant) if rng.random() > 0.1 else None
        )
        self.tables["churn_events"].add(
            account_id=profile.number, churned_at=life.churned_s, reason_category=reason, reason_text=text
        )

    def _emit_invoices(self, profile: Profile, life: Lifecycle) -> None:
        """Monthly (arr/12) or quarterly (arr/4) invoices on each period start in the contract and window."""
        step = 1 if life.monthly_billing else 3
        for _, start_day, end_day, arr_cents in life.contracts:
            last = self.window.last_day if end_day == NULL_INT else min(end_day - 1, self.window.last_day)
            periods = np.arange(0, (last - start_day) // 28 + 2, dtype=np.int64) * step
            dates = _add_months(start_day, periods)
            dates = dates[(dates >= max(start_day, self.window.first_day)) & (dates <= last)]
            count = len(dates)
            if count == 0:
                continue
            self.tables["invoices"].add(
                invoice_id=self.ids.take("invoices", count),
                account_id=np.full(count, profile.number),
                invoice_date=dates,
                amount=np.full(count, int(round(arr_cents * step / 12))),
                currency=[profile.country.currency] * count,
            )

    def _onboarding(
        self, rng: np.random.Generator, profile: Profile, life: Lifecycle
    ) -> tuple[float, int | None]:
        """The onboarding project; returns how slow it was (0 = 60 days, +1 per 40 days more) and go-live."""
        kickoff_s = max(
            _business_moment(rng, life.first_contract_day + int(rng.integers(0, 11))),
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
        return (days - 60.0) / 40.0, go_live_s

    # --- support --------------------------------------------------------------------------------------------

    def _support(
        self, rng, profile: Profile, contacts: Contacts, active_from, active_to, invitations
    ) -> None:
        """Tickets, their timings and effort; a support survey after some solved ones."""
        active_years = (active_to - active_from) / YEAR
        rate = cat.BAND_TICKETS_PER_YEAR[profile.band] * cat.TIER_TICKET_MULTIPLIER[profile.tier]
        count = int(rng.poisson(rate * np.exp(-0.35 * profile.latent) * active_years))
        first_day, last_day = _day_of(active_from), _day_of(active_to)
        created = rng.integers(first_day, last_day + 1, count) * DAY + _business_time(rng, count)
        created = np.sort(created[(created > active_from) & (created <= active_to)])
        count = len(created)
        if count == 0:
            return
        channel = _pick_many(rng, CHANNEL_CUM, count)
        priority = _pick_many(rng, PRIORITY_CUM, count)
        category = _pick_many(rng, CATEGORY_CUM, count)
        eligible = np.searchsorted(contacts.created_s, created, side="right")
        chosen = (rng.random(count) * eligible).astype(np.int64)
        has_contact = (eligible > 0) & (rng.random(count) >= 0.1)
        speed = cat.PRIORITY_SPEED_FACTOR[priority]
        first_reply_hours = cat.CHANNEL_FIRST_REPLY_HOURS[channel] * speed * rng.lognormal(0.0, 0.9, count)
        first_response = created + np.maximum(60, (first_reply_hours * HOUR).astype(np.int64))
        replies = 1 + rng.poisson(cat.CATEGORY_EXTRA_REPLIES[category] * np.exp(-0.25 * profile.latent))
        reopened = rng.poisson(cat.CATEGORY_REOPENINGS[category])
        solve_hours = cat.CATEGORY_SOLVE_HOURS[category] * np.sqrt(speed) * rng.lognormal(0.0, 1.0, count)
        solve_hours = solve_hours + reopened * rng.lognormal(np.log(30.0), 0.6, count)
        solved = first_response + (solve_hours * HOUR).astype(np.int64)
        last = self.window.last_second
        unanswered = first_response > last
        open_ = solved > last
        replies = np.where(unanswered, 0, replies)
        reopened = np.where(open_, 0, reopened)
        numbers = self.ids.take("support_tickets", count)
        self.tables["support_tickets"].add(
            ticket_id=numbers,
            account_id=np.full(count, profile.number),
            contact_id=np.where(
                has_contact, contacts.numbers[np.minimum(chosen, len(contacts.numbers) - 1)], NULL_INT
            ),
            created_at=created,
            first_response_at=np.where(unanswered, NULL_INT, first_response),
            solved_at=np.where(open_, NULL_INT, solved),
            channel=CHANNEL_CODES[channel],
            priority=PRIORITY_CODES[priority],
            category=CATEGORY_CODES[category],
            agent_replies=replies,
            reopened_count=reopened,
        )
        sent = solved + rng.integers(HOUR, 6 * HOUR, count)
        surveyed = has_contact & ~open_ & (rng.random(count) < SUPPORT_SURVEY_SHARE) & (sent <= active_to)
        effort = 0.45 * (replies - 2) + 0.8 * reopened + 0.15 * np.log2(1 + solve_hours / 24)
        channels = _pick_many(rng, INVITATION_CHANNEL_CUM["support"][1], count)
        invitations.add(
            SUP,
            chosen[surveyed],
            sent[surveyed],
            INVITATION_CHANNEL_CUM["support"][0][channels[surveyed]],
            effort=effort[surveyed],
        )

    # --- survey touchpoints ---------------------------------------------------------------------------------

    def _relationship_waves(self, rng, contacts: Contacts, active_from, active_to, invitations) -> None:
        """Twice a year every contact gets the relationship survey; a few answer an open link instead."""
        wave_offset = int(rng.integers(0, 20))
        first_year = (EPOCH + timedelta(days=self.window.first_day)).year
        last_year = (EPOCH + timedelta(days=self.window.last_day)).year
        channel_codes, channel_cum = INVITATION_CHANNEL_CUM["relationship"]
        for year in range(first_year, last_year + 1):
            for month in cat.RELATIONSHIP_WAVE_MONTHS:
                day = (date(year, month, 1) - EPOCH).days + wave_offset
                sent = day * DAY + 6 * HOUR + int(rng.integers(0, 3 * HOUR))
                if not active_from <= sent <= active_to:
                    continue
                eligible = np.flatnonzero(contacts.created_s < sent)
                if len(eligible) == 0:
                    continue
                channels = channel_codes[_pick_many(rng, channel_cum, len(eligible))]
                invitations.add(REL, eligible, sent + 7 * np.arange(len(eligible)), channels)
                if rng.random() < OPEN_LINK_SHARE:
                    who = eligible[rng.integers(len(eligible))]
                    submitted = sent + int(rng.integers(HOUR, 10 * DAY))
                    invitations.add(
                        REL, [who], [submitted], cat.INVITATION_CHANNEL_CODES.index("link"), invited=False
                    )

    def _renewals(
        self, rng, contacts: Contacts, life: Lifecycle, active_from, active_to, invitations
    ) -> None:
        """Weeks before each anniversary the decision makers (or the first contact) get the renewal survey."""
        for anniversary in life.anniversaries:
            sent = _business_moment(rng, anniversary - int(rng.integers(30, 50)))
            if not active_from <= sent <= active_to:
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

    def _onboarding_survey(
        self, rng, contacts, go_live_s, slow_onboarding, active_from, active_to, invitations
    ) -> None:
        if go_live_s is None:
            return
        sent = go_live_s + int(rng.integers(2 * DAY, 8 * DAY))
        if not active_from <= sent <= active_to:
            return
        recipients = np.flatnonzero(contacts.created_s < sent)[:3]
        channel_codes, channel_cum = INVITATION_CHANNEL_CUM["onboarding"]
        channels = channel_codes[_pick_many(rng, channel_cum, len(recipients))]
        invitations.add(
            ONB, recipients, sent + 5 * np.arange(len(recipients)), channels, slow_onboarding=slow_onboarding
        )

    def _deliveries(self, rng, contacts: Contacts, active_from, active_to, invitations) -> None:
        count = int(rng.poisson(DELIVERIES_PER_YEAR * (active_to - active_from) / YEAR))
        sent = np.sort(rng.integers(active_from, active_to + 1, count))
        eligible = np.searchsorted(contacts.created_s, sent, side="left")
        sent, eligible = sent[eligible > 0], eligible[eligible > 0]
        recipients = (rng.random(len(sent)) * eligible).astype(np.int64)
        channel_codes, channel_cum = INVITATION_CHANNEL_CUM["delivery"]
        invitations.add(DEL, recipients, sent, channel_codes[_pick_many(rng, channel_cum, len(sent))])

    # --- responses, answers, feedback cases -----------------------------------------------------------------

    def _responses(
        self, rng, profile: Profile, contacts: Contacts, sends: dict[str, np.ndarray], active_to
    ) -> None:
        if not sends:
            return
        sends = {name: values[sends["sent"] <= active_to] for name, values in sends.items()}
        count = len(sends["sent"])
        invited = sends["invited"]
        invitation_numbers = np.full(count, NULL_INT)
        invitation_numbers[invited] = self.ids.take("survey_invitations", int(invited.sum()))
        self.tables["survey_invitations"].add(
            invitation_id=invitation_numbers[invited],
            survey_id=sends["survey"][invited],
            contact_id=contacts.numbers[sends["contact"][invited]],
            sent_at=sends["sent"][invited],
            channel=INVITATION_CHANNEL_LABELS[sends["channel"][invited]],
        )
        chance = contacts.propensity[sends["contact"]] * RESPONSE_FACTOR[sends["survey"]]
        answered = ~invited | (rng.random(count) < chance)
        delay = np.where(
            invited, np.minimum(rng.exponential(1.5 * DAY, count), 14 * DAY).astype(np.int64) + 120, 0
        )
        submitted = sends["sent"] + delay
        keep = answered & (submitted <= min(active_to, self.window.last_second))
        keep[keep] = _not_resubmitted(sends["contact"][keep], sends["survey"][keep], submitted[keep])
        order = np.flatnonzero(keep)[np.argsort(submitted[keep], kind="stable")]
        if len(order) == 0:
            return
        survey, contact, submitted = sends["survey"][order], sends["contact"][order], submitted[order]
        numbers = self.ids.take("survey_responses", len(order))
        self.tables["survey_responses"].add(
            response_id=numbers,
            survey_id=survey,
            invitation_id=invitation_numbers[order],
            contact_id=contacts.numbers[contact],
            submitted_at=submitted,
            language=contacts.language[contact],
        )
        years_in = (submitted - self.window.first_second) / YEAR
        satisfaction = (
            profile.latent
            + profile.trend * years_in
            + contacts.offset[contact]
            + rng.normal(0.0, cat.RESPONSE_NOISE_SD, len(order))
        )
        nps_scores = self._answers(
            rng,
            profile,
            numbers,
            survey,
            contacts.language[contact],
            satisfaction,
            sends["slow_onboarding"][order],
            sends["effort"][order],
        )
        self._feedback_cases(rng, profile, numbers, survey, submitted, nps_scores)

    def _answers(
        self, rng, profile, numbers, survey, language, satisfaction, slow_onboarding, effort
    ) -> np.ndarray:
        """Score every scale question, add the comments; returns each response's tone-question score."""
        questions = np.concatenate([QUESTIONS.scale_of_survey[s] for s in survey])
        response = np.repeat(np.arange(len(survey)), [len(QUESTIONS.scale_of_survey[s]) for s in survey])
        driver = QUESTIONS.driver[questions]
        signal = satisfaction[response] + np.where(driver >= 0, profile.drivers[driver], 0.0)
        raw = (
            QUESTIONS.center[questions]
            + QUESTIONS.slope[questions] * signal
            + QUESTIONS.onboarding_coef[questions] * slow_onboarding[response]
            + QUESTIONS.effort_coef[questions] * effort[response]
            + QUESTIONS.noise_sd[questions] * rng.standard_normal(len(questions))
        )
        scores = np.clip(np.rint(raw), QUESTIONS.scale_min[questions], QUESTIONS.scale_max[questions]).astype(
            np.int64
        )
        tone_rows = QUESTIONS.is_tone[questions]
        tone_score = scores[tone_rows]
        tone_question = questions[tone_rows]
        tone = np.where(
            tone_score >= QUESTIONS.positive_from[tone_question],
            0,
            np.where(tone_score >= QUESTIONS.neutral_from[tone_question], 1, 2),
        )
        comment_texts = self._comments(rng, profile, survey, language, tone)
        commented = np.array([text is not None for text in comment_texts], dtype=bool)
        all_response = np.concatenate([response, np.flatnonzero(commented)])
        all_question = np.concatenate([questions, QUESTIONS.comment_of_survey[survey[commented]]])
        all_scores = np.concatenate([scores, np.full(int(commented.sum()), NULL_INT)])
        all_texts = [None] * len(questions) + [text for text in comment_texts if text is not None]
        order = np.lexsort((QUESTIONS.position[all_question], all_response))
        self.tables["survey_answers"].add(
            response_id=numbers[all_response[order]],
            question_id=all_question[order],
            score=all_scores[order],
            answer_text=[all_texts[index] for index in order],
        )
        return np.where(QUESTIONS.asks_nps[survey], tone_score, NULL_INT)

    def _comments(self, rng, profile: Profile, survey, language, tone) -> list[str | None]:
        """A comment from most respondents, in their language and the score's tone, on a touchpoint theme."""
        count = len(survey)
        writes = rng.random(count) < cat.COMMENT_SHARE_BY_TONE[tone]
        theme = (rng.random(count)[:, None] >= THEME_CUM[survey]).sum(axis=1).clip(0, len(texts.THEMES) - 1)
        strongest, weakest = int(np.argmax(profile.drivers)), int(np.argmin(profile.drivers))
        by_driver = np.where(
            tone == 0, strongest, np.where(tone == 2, weakest, rng.integers(0, len(cat.DRIVERS), count))
        )
        use_driver = (survey == REL) & (rng.random(count) < cat.DRIVER_THEME_SHARE)
        theme = np.where(use_driver, DRIVER_THEME_INDEX[by_driver], theme)
        template = rng.integers(0, texts.TEMPLATES_PER_TONE, count)
        detail = rng.integers(0, texts.DETAIL_CHOICES, count)
        return [
            texts.compose_comment(
                language[i], texts.TONES[tone[i]], texts.THEMES[theme[i]], int(template[i]), int(detail[i])
            )
            if writes[i]
            else None
            for i in range(count)
        ]

    def _feedback_cases(self, rng, profile: Profile, numbers, survey, submitted, nps_scores) -> None:
        """Closed loop: a case for most NPS detractors, contacted mostly within 48 hours."""
        detractor = (nps_scores != NULL_INT) & (nps_scores <= NPS_DETRACTOR_MAX)
        count = len(numbers)
        opened = submitted + np.clip(rng.lognormal(np.log(2 * HOUR), 0.8, count), 300, DAY).astype(np.int64)
        pattern = _pick_many(rng, CASE_CONTACT_PATTERN, count)
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
            response_id=numbers[opens],
            owner=owners,
            opened_at=opened[opens],
            first_contact_at=first_contact[opens],
            closed_at=closed[opens],
            outcome=outcome[opens],
        )


def _not_resubmitted(contact: np.ndarray, survey: np.ndarray, submitted: np.ndarray) -> np.ndarray:
    """Which responses to keep: a response within RESUBMISSION_GAP_S after the contact's previous response to
    the same survey is dropped (the contact had answered already), so kept ones are further apart. The
    warehouse quarantines the earlier of two responses that close as a double submission: every such pair in
    the data is one the generator planted and lists."""
    by_pair = np.lexsort((submitted, survey, contact))
    same_pair = (np.diff(contact[by_pair]) == 0) & (np.diff(survey[by_pair]) == 0)
    too_soon = same_pair & (np.diff(submitted[by_pair]) <= RESUBMISSION_GAP_S)
    keep = np.ones(len(contact), dtype=bool)
    keep[by_pair[1:][too_soon]] = False
    return keep


def _add_months(day: int, months: np.ndarray) -> np.ndarray:
    """Epoch days `months` calendar months after `day`, the day of month clipped to the month's length."""
    start = np.datetime64(day, "D")
    month_start = start.astype("datetime64[M]")
    day_of_month = int((start - month_start.astype("datetime64[D]")).astype(np.int64))
    months_after = month_start + months.astype("timedelta64[M]")
    lengths = ((months_after + 1).astype("datetime64[D]") - months_after.astype("datetime64[D]")).astype(
        np.int64
    )
    return (months_after.astype("datetime64[D]") + np.minimum(day_of_month, lengths - 1)).astype(np.int64)
