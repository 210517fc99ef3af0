"""Fixed reference data of the demo-data generator: segments and their effects, people, products, surveys.

Kept apart from the simulation so the numbers that shape the data (how much worse public_sector scores, how
often a strategic account churns) can be read and tuned in one place. Effects are on the latent satisfaction
scale: an account's satisfaction is the sum of its segments' effects plus noise with a standard deviation of
ACCOUNT_NOISE_SD; a score moves by its question's `slope` per unit of it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

import numpy as np


@dataclass(frozen=True)
class Segment:
    """One value of a segment dimension: how often it occurs and how it shifts latent satisfaction."""

    code: str
    weight: float
    effect: float


INDUSTRIES = (
    Segment("manufacturing", 0.22, 0.10),
    Segment("retail", 0.16, 0.00),
    Segment("finance", 0.14, 0.15),
    Segment("public_sector", 0.14, -0.45),
    Segment("it_services", 0.18, 0.25),
    Segment("logistics", 0.16, -0.35),
)

EMPLOYEE_BANDS = (
    Segment("1-49", 0.30, 0.10),
    Segment("50-249", 0.35, 0.00),
    Segment("250-999", 0.22, -0.10),
    Segment("1000+", 0.13, -0.15),
)
# Per employee band (same order): contacts before random extras, support tickets per year, median ARR in EUR,
# median onboarding days.
BAND_BASE_CONTACTS = np.array([2, 3, 5, 6])
BAND_TICKETS_PER_YEAR = np.array([4.0, 8.0, 14.0, 24.0])
BAND_MEDIAN_ARR_EUR = np.array([6_000.0, 15_000.0, 38_000.0, 90_000.0])
BAND_MEDIAN_ONBOARDING_DAYS = np.array([35.0, 55.0, 75.0, 95.0])

TIERS = ("strategic", "key", "standard")
TIER_EFFECTS = np.array([0.35, 0.15, 0.00])
# P(tier | employee band): rows are bands, columns tiers. With the band weights this gives about 5 % strategic
# and 20 % key accounts, concentrated in the large companies.
TIER_GIVEN_BAND = np.array(
    [
        [0.00, 0.08, 0.92],
        [0.01, 0.16, 0.83],
        [0.07, 0.30, 0.63],
        [0.25, 0.40, 0.35],
    ]
)
TIER_ARR_MULTIPLIER = np.array([3.0, 1.6, 1.0])
# Yearly probability of not renewing for an account of average satisfaction, per tier.
TIER_BASE_CHURN = np.array([0.04, 0.07, 0.10])
TIER_TICKET_MULTIPLIER = np.array([1.3, 1.1, 1.0])


@dataclass(frozen=True)
class Country:
    """What follows from where an account sits: currency, language of comments and names, web domain."""

    code: str
    weight: float
    currency: str
    units_per_eur: float
    language: str
    naming: str
    tld: str
    legal_suffix: str


@dataclass(frozen=True)
class Region:
    """A sales region: its share of accounts (weight), its effect on latent satisfaction, and its
    countries."""

    name: str
    weight: float
    effect: float
    countries: tuple[Country, ...]


# units_per_eur mirrors seeds/fx_rates.csv (1 / rate_to_eur), so ARR converts back to sensible EUR figures.
REGIONS = (
    Region(
        "Nordics",
        0.45,
        0.10,
        (
            Country("DK", 0.35, "DKK", 7.457, "da", "da", "dk", "A/S"),
            Country("NO", 0.25, "NOK", 11.737, "no", "no", "no", "AS"),
            Country("SE", 0.28, "SEK", 11.416, "en", "sv", "se", "AB"),
            Country("FI", 0.12, "EUR", 1.0, "en", "fi", "fi", "Oy"),
        ),
    ),
    Region(
        "DACH",
        0.22,
        -0.10,
        (
            Country("DE", 0.65, "EUR", 1.0, "en", "de", "de", "GmbH"),
            Country("AT", 0.17, "EUR", 1.0, "en", "de", "at", "GmbH"),
            Country("CH", 0.18, "EUR", 1.0, "en", "de", "ch", "AG"),
        ),
    ),
    Region(
        "Benelux",
        0.15,
        0.00,
        (
            Country("NL", 0.60, "EUR", 1.0, "en", "nl", "nl", "B.V."),
            Country("BE", 0.40, "EUR", 1.0, "en", "nl", "be", "NV"),
        ),
    ),
    Region(
        "UK & Ireland",
        0.18,
        -0.05,
        (
            Country("GB", 0.80, "GBP", 0.856, "en", "en", "co.uk", "Ltd"),
            Country("IE", 0.20, "EUR", 1.0, "en", "en", "ie", "Ltd"),
        ),
    ),
)

# Account managers per region, each with a small effect of their own so the account-manager segment differs.
ACCOUNT_MANAGERS = {
    "Nordics": (
        ("Mette Sørensen", 0.10),
        ("Lars Nielsen", -0.05),
        ("Ingrid Johansen", 0.15),
        ("Erik Haugen", -0.10),
        ("Anna Lindqvist", 0.05),
        ("Mikko Virtanen", 0.00),
    ),
    "DACH": (("Katrin Weber", 0.05), ("Tobias Müller", -0.15), ("Sabine Huber", 0.10), ("Lukas Meier", 0.00)),
    "Benelux": (("Sanne de Vries", 0.10), ("Pieter Janssens", -0.10)),
    "UK & Ireland": (("Oliver Bennett", 0.05), ("Charlotte Hughes", 0.00), ("Niamh Byrne", -0.05)),
}
CASE_TEAM_OWNER = "Customer Success Team"

ACCOUNT_NOISE_SD = 0.6
# Yearly drift of an account's satisfaction, so accounts have trends of their own.
ACCOUNT_TREND_SD = 0.12
# How far one contact's view differs from the account's, and one response from the contact's.
CONTACT_NOISE_SD = 0.35
RESPONSE_NOISE_SD = 0.45
# Driver-specific deviations of an account (one per DRIVERS).
DRIVER_NOISE_SD = 0.45

FIRST_NAMES = {
    "da": "Mette Lars Anne Søren Camilla Jens Louise Mads Line Rasmus Sofie Anders Maria Henrik Julie Niels",
    "no": "Ingrid Ola Kari Erik Silje Lars Nora Håkon Ingvild Magnus Marte Sindre Hanne Eirik Tone Bjørn",
    "sv": "Anna Erik Maria Lars Karin Johan Sara Anders Emma Per Elin Mikael Linnea Fredrik Malin Oskar",
    "fi": "Mikko Anna Juha Laura Timo Sanna Jari Heidi Antti Katja Petri Riikka Ville Maria Janne Elina",
    "de": "Katrin Thomas Sabine Michael Julia Stefan Anna Andreas Laura Markus Claudia Tobias Sandra Jan "
    "Nicole Lukas",
    "nl": "Sanne Pieter Lotte Jeroen Eva Bram Anouk Thomas Fleur Daan Sophie Ruben Lisa Koen Emma Wouter",
    "en": "Oliver Charlotte James Emily Thomas Sophie Daniel Hannah Matthew Lucy Liam Niamh Sean Aoife "
    "George Grace",
}
LAST_NAMES = {
    "da": "Nielsen Jensen Hansen Pedersen Andersen Christensen Larsen Sørensen Rasmussen Jørgensen Petersen "
    "Madsen Kristensen Olsen Thomsen Møller",
    "no": "Hansen Johansen Olsen Larsen Andersen Pedersen Nilsen Kristiansen Jensen Karlsen Haugen Berg Dahl "
    "Lie Solberg Bakken",
    "sv": "Andersson Johansson Karlsson Nilsson Eriksson Larsson Olsson Persson Svensson Gustafsson "
    "Lindqvist "
    "Berg Lindberg Holm Sandberg Ek",
    "fi": "Virtanen Korhonen Mäkinen Nieminen Mäkelä Hämäläinen Laine Heikkinen Koskinen Järvinen Lehtonen "
    "Lehtinen Saarinen Salminen Heinonen Niemi",
    "de": "Müller Schmidt Schneider Fischer Weber Meyer Wagner Becker Hoffmann Schulz Koch Huber Bauer "
    "Richter "
    "Wolf Keller",
    "nl": "de_Jong Jansen de_Vries van_den_Berg van_Dijk Bakker Janssens Visser Smit Peeters de_Boer Mulder "
    "Maes Meijer Willems Bos",
    "en": "Smith Jones Taylor Brown Williams Wilson Johnson Davies Murphy Kelly Walsh Byrne Evans Thomas "
    "Roberts Hughes",
}
NAME_STEMS = {
    "da": (
        "Nord Syd Øster Vester Fjord Birke Skov Lyng Sten Hav Elme Ask Bjerg Dal Lunde",
        "vik dal holm gaard lund borg strand by berg havn",
    ),
    "no": (
        "Nord Sør Øst Vest Fjord Bjørke Skog Lyng Stein Hav Alm Ask Fjell Dal Lunde",
        "vik dal holm gard lund borg strand by berg havn",
    ),
    "sv": (
        "Norr Sö Öster Väster Fjord Björk Skog Ljung Sten Hav Alm Ask Berg Dal Lind",
        "vik dal holm gård lund borg strand by berg hamn",
    ),
    "fi": (
        "Järvi Koski Kallio Saari Lahti Vuori Kivi Metsä Niemi Salo Harju Ranta Laakso Mäki Pelto",
        "la nen lä o ntie",
    ),
    "de": (
        "Rhein Alpen Linden Eichen Berg Tal Hoch Stein Donau Wald Buchen Sonnen Elb Main Isar",
        "feld bach berg haus tal hof",
    ),
    "nl": (
        "Tulp Dijk Polder Maas Schelde Linde Zee Duin Brug Eiken Noord Zuid Oost West Hoog",
        "stad veld berg hof dam meer",
    ),
    "en": (
        "Thames Oak Brook Stone Ash Kings Bridge Glen Harbour Elm North South West East High",
        "wood field ton ford gate bury",
    ),
}
INDUSTRY_WORDS = {
    "manufacturing": {
        "da": "Industri",
        "no": "Industri",
        "sv": "Industri",
        "fi": "Teollisuus",
        "de": "Industrie",
        "nl": "Industrie",
        "en": "Manufacturing",
    },
    "retail": {
        "da": "Detail",
        "no": "Handel",
        "sv": "Handel",
        "fi": "Kauppa",
        "de": "Handel",
        "nl": "Retail",
        "en": "Retail",
    },
    "finance": {
        "da": "Finans",
        "no": "Finans",
        "sv": "Finans",
        "fi": "Rahoitus",
        "de": "Finanz",
        "nl": "Finance",
        "en": "Finance",
    },
    "it_services": {
        "da": "IT",
        "no": "IT",
        "sv": "IT",
        "fi": "IT",
        "de": "IT-Services",
        "nl": "IT",
        "en": "IT Services",
    },
    "logistics": {
        "da": "Logistik",
        "no": "Logistikk",
        "sv": "Logistik",
        "fi": "Logistiikka",
        "de": "Logistik",
        "nl": "Logistiek",
        "en": "Logistics",
    },
}
# Public bodies are named after their town, without a legal suffix.
PUBLIC_BODY_PATTERNS = {
    "da": "{town} Kommune",
    "no": "{town} kommune",
    "sv": "{town} kommun",
    "fi": "{town}n kaupunki",
    "de": "Stadt {town}",
    "nl": "Gemeente {town}",
    "en": "{town} Council",
}
ASCII_FOLD = str.maketrans(
    {"æ": "ae", "ø": "oe", "å": "aa", "ä": "a", "ö": "o", "ü": "u", "ß": "ss", "é": "e", "_": "", " ": ""}
)

DECISION_MAKER_ROLES = (
    "CEO",
    "CFO",
    "COO",
    "Head of Customer Experience",
    "IT Director",
    "Head of Procurement",
)
OTHER_ROLES = (
    "IT manager",
    "Buyer",
    "Project manager",
    "Support coordinator",
    "Controller",
    "Operations manager",
    "Customer service lead",
    "Office manager",
)
DECISION_MAKER_SHARE = 0.3

PLANS = ("CX Suite Essentials", "CX Suite Professional", "CX Suite Enterprise")
ADD_ONS = ("Text Analytics add-on", "Journey Analytics add-on", "Closed Loop add-on")

TICKET_CHANNELS = (("email", 0.40), ("phone", 0.20), ("chat", 0.15), ("portal", 0.25))
# Median hours to the first agent reply, per channel (same order).
CHANNEL_FIRST_REPLY_HOURS = np.array([3.0, 0.05, 0.08, 5.0])
TICKET_PRIORITIES = (("low", 0.20), ("normal", 0.55), ("high", 0.20), ("urgent", 0.05))
PRIORITY_SPEED_FACTOR = np.array([1.6, 1.0, 0.5, 0.2])
TICKET_CATEGORIES = (
    ("how_to", 0.30),
    ("bug", 0.22),
    ("billing", 0.12),
    ("integration", 0.12),
    ("access", 0.14),
    ("feature_request", 0.10),
)
# Per category (same order): median hours from first reply to solved, expected extra agent replies and
# expected reopenings.
CATEGORY_SOLVE_HOURS = np.array([6.0, 60.0, 20.0, 90.0, 2.0, 140.0])
CATEGORY_EXTRA_REPLIES = np.array([0.8, 2.2, 1.0, 2.8, 0.4, 1.2])
CATEGORY_REOPENINGS = np.array([0.05, 0.35, 0.10, 0.40, 0.05, 0.10])

CHURN_REASONS = ("price", "product", "service", "competitor", "other")


@dataclass(frozen=True)
class Question:
    """A survey question plus how the simulation scores it.

    score = clip(round(center + slope * signal + onboarding_coef * slow_onboarding + effort_coef * effort
    + noise_sd * N(0, 1)), scale_min, scale_max), where signal is the response's latent satisfaction (plus the
    account's deviation for the driver when `driver` is set).
    """

    code: str
    metric: str
    scale_min: int | None = None
    scale_max: int | None = None
    higher_is_better: bool | None = None
    weight: str | None = None
    driver: str | None = None
    center: float = 0.0
    slope: float = 0.0
    noise_sd: float = 0.0
    onboarding_coef: float = 0.0
    effort_coef: float = 0.0
    # (first positive score, first neutral score) when this question sets a comment's tone.
    tone_cuts: tuple[int, int] | None = None

    @property
    def is_scale(self) -> bool:
        """Whether the question is answered on a numeric scale (it has a scale_min)."""
        return self.scale_min is not None


@dataclass(frozen=True)
class Survey:
    """A questionnaire. The question with tone_cuts sets the tone of the response's comment."""

    survey_id: str
    short: str
    name: str
    touchpoint: str
    created_days_before_window: int
    questions: tuple[Question, ...]

    def question_id(self, position: int) -> str:
        """The question's key for its 0-based position: 'QST-<short>-01' for the first."""
        return f"QST-{self.short}-{position + 1:02d}"


def _comment() -> Question:
    return Question("comment", "comment")


DRIVERS = (
    "product_quality",
    "ease_of_use",
    "service",
    "delivery_reliability",
    "value_for_money",
    "account_management",
)
# The theme a comment is about when it explains a driver (same order as DRIVERS).
DRIVER_THEMES = ("product", "product", "support", "delivery", "price", "account_management")

SURVEYS = (
    Survey(
        "SRV-REL",
        "REL",
        "Relationship survey",
        "relationship",
        420,
        (
            Question("nps", "nps", 0, 10, True, center=8.0, slope=1.9, noise_sd=0.9, tone_cuts=(9, 7)),
            Question(
                "csi_overall", "csi_item", 1, 10, True, weight="0.4", center=7.6, slope=1.5, noise_sd=0.8
            ),
            Question(
                "csi_expectation", "csi_item", 1, 10, True, weight="0.3", center=7.3, slope=1.5, noise_sd=0.9
            ),
            Question("csi_ideal", "csi_item", 1, 10, True, weight="0.3", center=6.9, slope=1.5, noise_sd=0.9),
            *(
                Question(
                    f"driver_{driver}",
                    "driver",
                    1,
                    5,
                    True,
                    driver=driver,
                    center=3.8,
                    slope=0.75,
                    noise_sd=0.5,
                )
                for driver in DRIVERS
            ),
            _comment(),
        ),
    ),
    Survey(
        "SRV-ONB",
        "ONB",
        "Onboarding survey",
        "onboarding",
        400,
        (
            Question(
                "csat",
                "csat",
                1,
                5,
                True,
                center=4.1,
                slope=0.7,
                noise_sd=0.5,
                onboarding_coef=-0.6,
                tone_cuts=(4, 3),
            ),
            Question("ces", "ces", 1, 7, True, center=5.4, slope=0.9, noise_sd=0.7, onboarding_coef=-0.9),
            _comment(),
        ),
    ),
    Survey(
        "SRV-DEL",
        "DEL",
        "Delivery survey",
        "delivery",
        380,
        (
            Question("csat", "csat", 1, 10, True, center=7.9, slope=1.6, noise_sd=1.0, tone_cuts=(8, 6)),
            _comment(),
        ),
    ),
    Survey(
        "SRV-SUP",
        "SUP",
        "Support survey",
        "support",
        360,
        (
            Question("ces", "ces", 1, 5, False, center=2.1, slope=-0.45, noise_sd=0.55, effort_coef=1.0),
            Question(
                "csat",
                "csat",
                1,
                5,
                True,
                center=4.0,
                slope=0.75,
                noise_sd=0.55,
                effort_coef=-0.35,
                tone_cuts=(4, 3),
            ),
            _comment(),
        ),
    ),
    Survey(
        "SRV-REN",
        "REN",
        "Renewal survey",
        "renewal",
        340,
        (
            Question("nps", "nps", 0, 10, True, center=7.8, slope=2.0, noise_sd=0.9, tone_cuts=(9, 7)),
            Question("csat", "csat", 1, 5, True, center=3.9, slope=0.8, noise_sd=0.55),
            _comment(),
        ),
    ),
)
SURVEY_INDEX = {survey.touchpoint: index for index, survey in enumerate(SURVEYS)}

# Archived surveys: the waves and versions the survey tool ran in the years before the live catalog, exported
# with their questions but without invitations or responses in the window. A real export holds them, and they
# keep the small survey tables from being dominated by the few bad rows every table gets.
ARCHIVE_YEARS = 8
# Per archived year: (short name, title, touchpoint, months the surveys were created in, title suffixes).
ARCHIVE_WAVES = (
    ("REL", "Relationship survey", "relationship", (3, 9), ("H1", "H2")),
    ("ONB", "Onboarding survey", "onboarding", (1,), ("",)),
    ("DEL", "Delivery survey", "delivery", (2,), ("",)),
    ("SUP", "Support survey", "support", (1, 4, 7, 10), ("Q1", "Q2", "Q3", "Q4")),
    ("REN", "Renewal survey", "renewal", (5,), ("",)),
)
# An archived survey's questions per touchpoint, on the scales seeds/scale_cutoffs.csv scores.
ARCHIVE_QUESTIONS = {
    "relationship": (
        Question("nps", "nps", 0, 10, True),
        Question("csi_overall", "csi_item", 1, 10, True, weight="1.0"),
        _comment(),
    ),
    "onboarding": (Question("csat", "csat", 1, 5, True), Question("ces", "ces", 1, 7, True), _comment()),
    "delivery": (Question("csat", "csat", 1, 10, True), _comment()),
    "support": (Question("ces", "ces", 1, 5, False), Question("csat", "csat", 1, 5, True), _comment()),
    "renewal": (Question("nps", "nps", 0, 10, True), Question("csat", "csat", 1, 5, True), _comment()),
}


def archived_surveys(window_first: date) -> tuple[Survey, ...]:
    """The archived catalog: ARCHIVE_WAVES for each of the ARCHIVE_YEARS years before the year the live
    catalog was made in (SURVEYS, created before the window that opens on window_first). A relationship wave
    asks about two of the drivers, another pair each wave, as questionnaires change over the years."""
    live_created = window_first - timedelta(days=max(survey.created_days_before_window for survey in SURVEYS))
    surveys = []
    for years_back in range(ARCHIVE_YEARS, 0, -1):
        year = live_created.year - years_back
        for short, title, touchpoint, months, suffixes in ARCHIVE_WAVES:
            for month, suffix in zip(months, suffixes, strict=True):
                questions = ARCHIVE_QUESTIONS[touchpoint]
                if touchpoint == "relationship":
                    first = (2 * year + month // 6) % len(DRIVERS)
                    drivers = (DRIVERS[first], DRIVERS[(first + 1) % len(DRIVERS)])
                    questions = (
                        *questions[:-1],
                        *(
                            Question(f"driver_{driver}", "driver", 1, 5, True, driver=driver)
                            for driver in drivers
                        ),
                        questions[-1],
                    )
                wave = f"{year}{suffix}"
                surveys.append(
                    Survey(
                        f"SRV-{short}-{wave}",
                        f"{short}-{wave}",
                        f"{title} {year} {suffix}".strip(),
                        touchpoint,
                        (window_first - date(year, month, 3)).days,
                        questions,
                    )
                )
    return tuple(surveys)


# Invitation channels per touchpoint: (channel, probability).
INVITATION_CHANNELS = {
    "relationship": (("email", 0.80), ("sms", 0.08), ("in_app", 0.07), ("link", 0.05)),
    "onboarding": (("email", 0.90), ("in_app", 0.10)),
    "delivery": (("email", 0.70), ("sms", 0.30)),
    "support": (("email", 0.60), ("in_app", 0.40)),
    "renewal": (("email", 1.00),),
}
INVITATION_CHANNEL_CODES = ("email", "sms", "in_app", "link")
# Relative willingness to answer per touchpoint (a contact's own propensity is multiplied by it).
TOUCHPOINT_RESPONSE_FACTOR = {
    "relationship": 1.0,
    "onboarding": 1.15,
    "delivery": 0.9,
    "support": 0.85,
    "renewal": 1.1,
}
# Months of the year the relationship survey goes out.
RELATIONSHIP_WAVE_MONTHS = (3, 9)

# Theme of a comment per touchpoint, as weights over comment_templates.THEMES
# (price, support, product, onboarding, delivery, account_management).
COMMENT_THEME_WEIGHTS = {
    "relationship": (0.20, 0.25, 0.30, 0.05, 0.05, 0.15),
    "onboarding": (0.0, 0.15, 0.15, 0.70, 0.0, 0.0),
    "delivery": (0.0, 0.0, 0.15, 0.0, 0.75, 0.10),
    "support": (0.0, 0.85, 0.15, 0.0, 0.0, 0.0),
    "renewal": (0.40, 0.0, 0.30, 0.0, 0.0, 0.30),
}
# Share of relationship comments about the account's weakest driver (negative tone) or strongest (positive).
DRIVER_THEME_SHARE = 0.55
# Share of respondents who write a comment, by tone (positive, neutral, negative): detractors say more.
COMMENT_SHARE_BY_TONE = np.array([0.68, 0.75, 0.85])
