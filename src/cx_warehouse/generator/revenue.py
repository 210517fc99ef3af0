"""Revenue of one simulated account: its lifecycle (first contract, anniversaries, churn, contraction,
expansion) and the `contracts` and `invoices` rows. Money is in cents of the account's currency."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

import numpy as np

from cx_warehouse.generator import catalog as cat
from cx_warehouse.generator.basics import EPOCH, HOUR, FamilySimulator, business_moment, day_of
from cx_warehouse.generator.churn import churn_probability
from cx_warehouse.generator.crm import Profile
from cx_warehouse.generator.output import NULL_INT

CONTRACTION_BASE = 0.06
EXPANSION_BASE = 0.30
MONTHLY_BILLING_SHARE = {True: 0.6, False: 0.25}  # standard tier or not


@dataclass(frozen=True)
class Lifecycle:
    """Contracts and churn. Days are epoch days; churn_day and churned_s (epoch seconds) are None for
    retained accounts."""

    first_contract_day: int
    anniversaries: list[int]
    churn_day: int | None
    churned_s: int | None
    contracts: list[tuple[str, int, int, int]]  # product, start day, end day (NULL_INT = running), arr cents
    monthly_billing: bool


class RevenueSimulator(FamilySimulator):
    """Draws an account's lifecycle and writes its `contracts` and `invoices` rows."""

    def lifecycle(self, rng: np.random.Generator, profile: Profile) -> Lifecycle:
        """First contract soon after creation; at each yearly anniversary inside the window the account
        churns with churn_probability, else it may contract (replace the plan by a smaller one) once;
        satisfied accounts more often expand with an add-on. Churn ends every running contract."""
        created_day = day_of(profile.created_s)
        start_day = min(created_day + int(rng.integers(0, 15)), self.window.last_day)
        anniversaries = contract_anniversaries(start_day, self.window.last_day)
        hazard = churn_probability(profile)
        contraction_chance = CONTRACTION_BASE * np.exp(-0.8 * profile.latent)
        churn_day = contraction_day = None
        for day in anniversaries:
            if day >= self.window.first_day and rng.random() < hazard:
                churn_day = day
                break
            if contraction_day is None and rng.random() < contraction_chance:
                contraction_day = day
        churned_s = (
            None if churn_day is None else max(business_moment(rng, churn_day), profile.created_s + HOUR)
        )
        end_day = NULL_INT if churn_day is None else churn_day
        contracts = self._contracts(rng, profile, start_day, contraction_day, churn_day, end_day)
        standard = cat.TIERS[profile.tier] == "standard"
        monthly = bool(rng.random() < MONTHLY_BILLING_SHARE[standard])
        return Lifecycle(start_day, anniversaries, churn_day, churned_s, contracts, monthly)

    def _contracts(self, rng, profile: Profile, start_day, contraction_day, churn_day, end_day):
        """The base plan (replaced by a smaller one on contraction) and an add-on on expansion, as
        (product, start day, end day, ARR in cents); the ARR is the band's median in EUR times the tier's
        multiplier, in the country's currency, with log-normal spread."""
        arr_eur = cat.BAND_MEDIAN_ARR_EUR[profile.band] * cat.TIER_ARR_MULTIPLIER[profile.tier]
        arr_cents = round_hundreds(
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
            smaller = round_hundreds(arr_cents * rng.uniform(0.55, 0.85))
            contracts.append((cat.PLANS[plan], start_day, contraction_day - 1, arr_cents))
            contracts.append((cat.PLANS[max(plan - 1, 0)], contraction_day, end_day, smaller))
        expansion_chance = min(0.7, EXPANSION_BASE * np.exp(0.6 * profile.latent))
        latest = (churn_day if churn_day is not None else self.window.last_day) - 1
        if rng.random() < expansion_chance and latest > start_day + 120:
            add_on_day = int(rng.integers(start_day + 120, latest + 1))
            add_on = cat.ADD_ONS[rng.integers(len(cat.ADD_ONS))]
            contracts.append(
                (add_on, add_on_day, end_day, round_hundreds(arr_cents * rng.uniform(0.15, 0.45)))
            )
        return contracts

    def write_contracts(self, profile: Profile, life: Lifecycle) -> None:
        """The `contracts` rows: product, start and end date (empty while running), ARR and currency."""
        self.tables["contracts"].add(
            contract_id=self.ids.take("contracts", len(life.contracts)),
            account_id=np.full(len(life.contracts), profile.number),
            product=[product for product, _, _, _ in life.contracts],
            start_date=np.array([start for _, start, _, _ in life.contracts]),
            end_date=np.array([end for _, _, end, _ in life.contracts]),
            arr=np.array([arr for _, _, _, arr in life.contracts]),
            currency=[profile.country.currency] * len(life.contracts),
        )

    def write_invoices(self, profile: Profile, life: Lifecycle) -> None:
        """The `invoices` rows: monthly (ARR/12) or quarterly (ARR/4) invoices on each period start inside
        both the contract and the window."""
        step = 1 if life.monthly_billing else 3
        for _, start_day, end_day, arr_cents in life.contracts:
            last = self.window.last_day if end_day == NULL_INT else min(end_day - 1, self.window.last_day)
            periods = np.arange(0, (last - start_day) // 28 + 2, dtype=np.int64) * step
            dates = add_months(start_day, periods)
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


def contract_anniversaries(start_day: int, last_day: int) -> list[int]:
    """Calendar anniversaries (epoch days) of a contract start up to last_day (29 February falls back to the
    28th)."""
    start = EPOCH + timedelta(days=start_day)
    days = []
    for years in range(1, 200):
        year = start.year + years
        day = date(year, 2, 28) if (start.month, start.day) == (2, 29) else start.replace(year=year)
        if (day - EPOCH).days > last_day:
            return days
        days.append((day - EPOCH).days)
    return days


def round_hundreds(cents: float) -> int:
    """Money in cents rounded to whole hundreds of the currency, as a sales team would quote it (at least
    100.00)."""
    return max(10_000, int(round(cents / 10_000.0)) * 10_000)


def add_months(day: int, months: np.ndarray) -> np.ndarray:
    """Epoch days `months` calendar months after `day`, the day of month clipped to the month's length
    (int64 array, one per element of months)."""
    start = np.datetime64(day, "D")
    month_start = start.astype("datetime64[M]")
    day_of_month = int((start - month_start.astype("datetime64[D]")).astype(np.int64))
    months_after = month_start + months.astype("timedelta64[M]")
    lengths = ((months_after + 1).astype("datetime64[D]") - months_after.astype("datetime64[D]")).astype(
        np.int64
    )
    return (months_after.astype("datetime64[D]") + np.minimum(day_of_month, lengths - 1)).astype(np.int64)
