"""The CRM side of one simulated account: who it is (profile and latent satisfaction) and its people
(contacts), written as the `accounts` and `contacts` rows."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from cx_warehouse.generator import catalog as cat
from cx_warehouse.generator.basics import YEAR, FamilySimulator, cumulative, pick
from cx_warehouse.generator.output import DAY

EXISTING_ACCOUNT_SHARE = 0.65
EXISTING_ACCOUNT_MAX_AGE_YEARS = 6
NEW_ACCOUNT_LAST_DAYS = 45  # new accounts arrive up to this many days before the end
OTHER_LANGUAGE_SHARE = 0.12  # contacts at Danish/Norwegian accounts who answer in English

INDUSTRY_CUM = cumulative([segment.weight for segment in cat.INDUSTRIES])
BAND_CUM = cumulative([segment.weight for segment in cat.EMPLOYEE_BANDS])
TIER_CUM = np.array([cumulative(row) for row in cat.TIER_GIVEN_BAND])
REGION_CUM = cumulative([region.weight for region in cat.REGIONS])
COUNTRY_CUM = [cumulative([country.weight for country in region.countries]) for region in cat.REGIONS]


@dataclass(frozen=True)
class Profile:
    """Who the account is and how satisfied it is (latent, on the scale of the catalog's effects).

    industry, band and tier index cat.INDUSTRIES, cat.EMPLOYEE_BANDS and cat.TIERS; trend is the latent's
    change per year; drivers the deviation per cat.DRIVERS; created_s the creation moment, epoch seconds.
    """

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
class Contacts:
    """The account's people, sorted by creation; one array element per contact. created_s in epoch seconds,
    propensity the chance to answer a survey, offset the personal deviation from the account's satisfaction,
    language the language each one answers in."""

    numbers: np.ndarray
    created_s: np.ndarray
    decision_maker: np.ndarray
    propensity: np.ndarray
    offset: np.ndarray
    language: np.ndarray


class CrmSimulator(FamilySimulator):
    """Draws an account's profile and contacts and writes the `accounts` and `contacts` rows."""

    def profile(self, rng: np.random.Generator, account_index: int) -> Profile:
        """Segment, region, manager and latent satisfaction (sum of the catalog's segment and manager effects
        plus noise), and when the account was created: before the window (the existing base) or in it."""
        band = pick(rng, BAND_CUM)
        tier = pick(rng, TIER_CUM[band])
        industry = pick(rng, INDUSTRY_CUM)
        region_index = pick(rng, REGION_CUM)
        region = cat.REGIONS[region_index]
        country = region.countries[pick(rng, COUNTRY_CUM[region_index])]
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
        name, domain = company_name(rng, cat.INDUSTRIES[industry].code, country)
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

    def contacts(self, rng: np.random.Generator, profile: Profile, until_s: int) -> Contacts:
        """2-8 contacts (more at big and strategic accounts): half created in the account's first days, the
        rest before until_s (its churn or the window's end); their keys are taken here."""
        strategic = cat.TIERS[profile.tier] == "strategic"
        count = int(np.clip(cat.BAND_BASE_CONTACTS[profile.band] + rng.integers(0, 4) + strategic, 2, 8))
        early = max(1, count // 2)
        created = np.concatenate(
            [
                profile.created_s + rng.integers(600, 5 * DAY, early),
                rng.integers(profile.created_s + 600, max(until_s, profile.created_s + 601), count - early),
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

    def write_account(self, profile: Profile) -> None:
        """The account's `accounts` row."""
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

    def write_contacts(self, rng: np.random.Generator, profile: Profile, contacts: Contacts) -> None:
        """The `contacts` rows: a name of the country's naming, an e-mail at the account's domain and a job
        role (a decision maker's or another)."""
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


def company_name(rng: np.random.Generator, industry: str, country: cat.Country) -> tuple[str, str]:
    """A company name in the country's style (a made-up stem, the industry's word, the legal suffix; or a
    public body's name) and its e-mail domain (the stem, ASCII-folded, at the country's top-level domain)."""
    heads, tails = (part.split() for part in cat.NAME_STEMS[country.naming])
    stem = heads[rng.integers(len(heads))] + tails[rng.integers(len(tails))]
    if industry == "public_sector":
        name = cat.PUBLIC_BODY_PATTERNS[country.naming].format(town=stem)
    else:
        name = f"{stem} {cat.INDUSTRY_WORDS[industry][country.naming]} {country.legal_suffix}"
    return name, f"{stem.lower().translate(cat.ASCII_FOLD)}.{country.tld}"
