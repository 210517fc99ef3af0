"""Open-comment and churn-reason texts in Danish, Norwegian (bokmål) and English.

A comment is one sentence template of the response's language and tone with a theme's noun phrase put in,
optionally followed by a detail sentence for that theme and tone. 10 templates x 6 themes x 3 detail choices
give 180 distinct comments per language and tone, enough for text analytics (themes, tone) to have real
work to do. Templates avoid adjectives that agree with the noun, so every theme fits every template.
"""

from __future__ import annotations

TONES = ("positive", "neutral", "negative")
THEMES = ("price", "support", "product", "onboarding", "delivery", "account_management")

THEME_PHRASES = {
    "da": {
        "price": "prisen",
        "support": "supporten",
        "product": "produktet",
        "onboarding": "opstarten",
        "delivery": "leverancen",
        "account_management": "samarbejdet med vores kundeansvarlige",
    },
    "no": {
        "price": "prisen",
        "support": "supporten",
        "product": "produktet",
        "onboarding": "oppstarten",
        "delivery": "leveransen",
        "account_management": "oppfølgingen fra kundeansvarlig",
    },
    "en": {
        "price": "the price",
        "support": "the support",
        "product": "the product",
        "onboarding": "the onboarding",
        "delivery": "the delivery",
        "account_management": "our account management",
    },
}

TEMPLATES = {
    "da": {
        "positive": (
            "Vi er meget tilfredse med {t}.",
            "{T} fungerer rigtig godt for os.",
            "Stor ros til {t} – det gør en forskel i hverdagen.",
            "Vi oplever {t} som en klar styrke.",
            "Alt i alt en god oplevelse, især {t}.",
            "{T} lever fuldt op til vores forventninger.",
            "Vi kan varmt anbefale jer, ikke mindst på grund af {t}.",
            "Meget professionelt, og {t} er helt i top.",
            "Det er nemt at samarbejde med jer, og {t} fungerer fremragende.",
            "Tak for et godt samarbejde – {t} har været i top.",
        ),
        "neutral": (
            "{T} er okay, men der er plads til forbedring.",
            "Generelt fint, men {t} kunne være bedre.",
            "Hverken godt eller dårligt – {t} er som forventet.",
            "Vi er nogenlunde tilfredse med {t}.",
            "{T} fungerer, men det kræver stadig en del fra vores side.",
            "Blandede erfaringer med {t}.",
            "Det meste kører, men {t} svinger i kvalitet.",
            "{T} er på niveau med andre leverandører.",
            "Vi savner lidt mere fra jer, når det gælder {t}.",
            "Ingen store klager, men {t} kan løftes.",
        ),
        "negative": (
            "Vi er utilfredse med {t}.",
            "{T} lever ikke op til vores forventninger.",
            "Skuffende oplevelse med {t}.",
            "{T} har været et problem i lang tid.",
            "Vi overvejer andre leverandører på grund af {t}.",
            "Det er frustrerende, at {t} ikke bliver bedre.",
            "{T} er et stort problem for os.",
            "Vi har klaget over {t} flere gange uden resultat.",
            "Alt for mange problemer med {t}.",
            "{T} trækker vores samlede vurdering kraftigt ned.",
        ),
    },
    "no": {
        "positive": (
            "Vi er veldig fornøyde med {t}.",
            "{T} fungerer veldig bra for oss.",
            "Stor ros til {t} – det gjør en forskjell i hverdagen.",
            "Vi opplever {t} som en klar styrke.",
            "Alt i alt en god opplevelse, særlig {t}.",
            "{T} innfrir alle våre forventninger.",
            "Vi anbefaler dere gjerne, ikke minst på grunn av {t}.",
            "Svært profesjonelt, og {t} er helt i toppklasse.",
            "Det er enkelt å samarbeide med dere, og {t} fungerer utmerket.",
            "Takk for godt samarbeid – {t} har vært helt i toppklasse.",
        ),
        "neutral": (
            "{T} er helt ok, men det er rom for forbedring.",
            "Stort sett greit, men {t} kunne vært bedre.",
            "Verken bra eller dårlig – {t} er som forventet.",
            "Vi er noenlunde fornøyde med {t}.",
            "{T} fungerer, men krever fortsatt mye fra vår side.",
            "Blandede erfaringer med {t}.",
            "Det meste går greit, men {t} varierer i kvalitet.",
            "{T} er på nivå med andre leverandører.",
            "Vi savner litt mer fra dere når det gjelder {t}.",
            "Ingen store klager, men {t} kan bli bedre.",
        ),
        "negative": (
            "Vi er misfornøyde med {t}.",
            "{T} innfrir ikke våre forventninger.",
            "Skuffende opplevelse med {t}.",
            "{T} har vært et problem lenge.",
            "Vi vurderer andre leverandører på grunn av {t}.",
            "Det er frustrerende at {t} ikke blir bedre.",
            "{T} er et stort problem for oss.",
            "Vi har klaget på {t} flere ganger uten resultat.",
            "Altfor mange problemer med {t}.",
            "{T} trekker helhetsinntrykket kraftig ned.",
        ),
    },
    "en": {
        "positive": (
            "We are very happy with {t}.",
            "{T} works really well for us.",
            "Big thanks for {t} – it makes a real difference day to day.",
            "We see {t} as a clear strength.",
            "Overall a great experience, especially {t}.",
            "{T} fully meets our expectations.",
            "We would gladly recommend you, not least because of {t}.",
            "Very professional, and {t} is top notch.",
            "Easy to work with, and {t} is excellent.",
            "Thanks for a great partnership – {t} has been first class.",
        ),
        "neutral": (
            "{T} is okay, but there is room for improvement.",
            "Generally fine, but {t} could be better.",
            "Neither good nor bad – {t} is as expected.",
            "We are reasonably satisfied with {t}.",
            "{T} works, but it still takes a lot of effort on our side.",
            "Mixed experiences with {t}.",
            "Most things run fine, but {t} varies in quality.",
            "{T} is on par with other vendors.",
            "We would like a bit more from you when it comes to {t}.",
            "No major complaints, but {t} could be improved.",
        ),
        "negative": (
            "We are unhappy with {t}.",
            "{T} does not meet our expectations.",
            "A disappointing experience with {t}.",
            "{T} has been a problem for a long time.",
            "We are considering other vendors because of {t}.",
            "It is frustrating that {t} is not getting better.",
            "{T} is a major problem for us.",
            "We have complained about {t} several times without result.",
            "Far too many problems with {t}.",
            "{T} drags our overall rating down a lot.",
        ),
    },
}

# Detail sentences per language, theme and tone (positive, neutral, negative): two each.
DETAILS = {
    "da": {
        "price": (
            ("Prisen står mål med værdien.", "Vi får meget for pengene."),
            ("Prisen er lidt høj i forhold til vores forbrug.", "Licensmodellen er svær at gennemskue."),
            (
                "Prisstigningen ved sidste fornyelse var for stor.",
                "Det er for dyrt i forhold til alternativerne.",
            ),
        ),
        "support": (
            ("Hurtige og kompetente svar fra supporten.", "Sager bliver løst ved første henvendelse."),
            ("Svartiden svinger meget.", "Nogle gange skal vi forklare sagen flere gange."),
            (
                "Vi venter alt for længe på svar, og sager bliver genåbnet.",
                "Vi skal rykke for hver eneste sag.",
            ),
        ),
        "product": (
            ("Løsningen er stabil og nem at bruge.", "De nye funktioner sparer os for meget tid."),
            ("Der mangler et par funktioner, vi har efterspurgt.", "Rapporterne kunne være mere fleksible."),
            ("Der er for mange fejl i de seneste versioner.", "Systemet er langsomt og ofte nede."),
        ),
        "onboarding": (
            ("Opstarten gik hurtigt og var velorganiseret.", "Projektlederen holdt os godt informeret."),
            ("Opstarten tog længere tid end planlagt.", "Oplæringen kunne have været grundigere."),
            ("Implementeringen trak ud i flere måneder.", "Vi blev overladt til os selv efter opstarten."),
        ),
        "delivery": (
            ("Leverancen kom til aftalt tid.", "Alt blev leveret som lovet."),
            ("Leverancen var lidt forsinket, men i orden.", "Vi måtte rykke for dele af leverancen."),
            ("Leverancen var forsinket og ufuldstændig.", "Leverancen svarede ikke til det aftalte."),
        ),
        "account_management": (
            (
                "Vores kundeansvarlige kender vores forretning godt.",
                "Vi får proaktive råd fra vores kundeansvarlige.",
            ),
            ("Vi hører sjældent fra vores kundeansvarlige.", "Kontakten er fin, men ikke særlig proaktiv."),
            (
                "Vi har haft tre forskellige kontaktpersoner på et år.",
                "Vores kundeansvarlige svarer ikke på vores henvendelser.",
            ),
        ),
    },
    "no": {
        "price": (
            ("Prisen står i forhold til verdien vi får.", "Vi får mye for pengene."),
            ("Prisen er litt høy i forhold til bruken vår.", "Lisensmodellen er litt uoversiktlig."),
            (
                "Prisøkningen ved siste fornyelse var for stor.",
                "Det er for dyrt sammenlignet med alternativene.",
            ),
        ),
        "support": (
            ("Raske og kompetente svar fra supporten.", "Saker blir løst på første henvendelse."),
            ("Svartiden varierer mye.", "Noen ganger må vi forklare saken flere ganger."),
            ("Vi venter altfor lenge på svar, og saker blir gjenåpnet.", "Vi må purre på hver eneste sak."),
        ),
        "product": (
            ("Løsningen er stabil og enkel å bruke.", "De nye funksjonene sparer oss for mye tid."),
            ("Det mangler et par funksjoner vi har etterspurt.", "Rapportene kunne vært mer fleksible."),
            ("Det er for mange feil i de siste versjonene.", "Systemet er tregt og går ofte ned."),
        ),
        "onboarding": (
            ("Oppstarten gikk raskt og var godt organisert.", "Prosjektlederen holdt oss godt informert."),
            ("Oppstarten tok lengre tid enn planlagt.", "Opplæringen kunne vært grundigere."),
            ("Implementeringen dro ut i flere måneder.", "Vi ble overlatt til oss selv etter oppstart."),
        ),
        "delivery": (
            ("Leveransen kom til avtalt tid.", "Alt ble levert som lovet."),
            ("Leveransen var litt forsinket, men i orden.", "Vi måtte etterlyse deler av leveransen."),
            (
                "Leveransen var forsinket og ufullstendig.",
                "Leveransen samsvarte ikke med det som var avtalt.",
            ),
        ),
        "account_management": (
            ("Kundeansvarlig kjenner virksomheten vår godt.", "Vi får proaktive råd fra kundeansvarlig."),
            ("Vi hører sjelden fra kundeansvarlig.", "Kontakten er grei, men lite proaktiv."),
            (
                "Vi har hatt tre ulike kontaktpersoner på ett år.",
                "Kundeansvarlig svarer ikke på henvendelser.",
            ),
        ),
    },
    "en": {
        "price": (
            ("The price is fair for the value we get.", "We get a lot for our money."),
            ("The price is a bit high for how much we use it.", "The licence model is hard to follow."),
            (
                "The price increase at the last renewal was too steep.",
                "It is too expensive compared with the alternatives.",
            ),
        ),
        "support": (
            ("Quick and competent answers from support.", "Issues get solved on the first contact."),
            ("Response times vary a lot.", "Sometimes we have to explain the issue several times."),
            (
                "We wait far too long for answers and tickets get reopened.",
                "We have to chase every single ticket.",
            ),
        ),
        "product": (
            ("The solution is stable and easy to use.", "The new features save us a lot of time."),
            ("A couple of features we asked for are still missing.", "The reports could be more flexible."),
            ("There are too many bugs in the latest releases.", "The system is slow and often down."),
        ),
        "onboarding": (
            ("The onboarding was quick and well organised.", "The project manager kept us well informed."),
            ("The onboarding took longer than planned.", "The training could have been more thorough."),
            ("The implementation dragged on for months.", "We were left on our own after kickoff."),
        ),
        "delivery": (
            ("Everything was delivered on time.", "Everything was delivered as promised."),
            ("The delivery was a little late but fine.", "We had to chase parts of the delivery."),
            ("The delivery was late and incomplete.", "The delivery did not match what was agreed."),
        ),
        "account_management": (
            (
                "Our account manager knows our business well.",
                "We get proactive advice from our account manager.",
            ),
            ("We rarely hear from our account manager.", "The contact is fine but not very proactive."),
            (
                "We have had three different contacts in one year.",
                "Our account manager does not answer our emails.",
            ),
        ),
    },
}

CHURN_REASON_TEXTS = {
    "da": {
        "price": (
            "For dyrt efter prisstigningen.",
            "Budgetnedskæringer; kontrakten var for dyr.",
            "Prisen kunne ikke forsvares internt.",
        ),
        "product": (
            "Produktet manglede funktioner, vi havde brug for.",
            "For mange fejl og nedbrud.",
            "Løsningen passede ikke til vores processer.",
        ),
        "service": (
            "Supporten var for langsom.",
            "Dårlig opfølgning fra kundeteamet.",
            "Implementeringen blev aldrig rigtig færdig.",
        ),
        "competitor": (
            "Skiftede til en konkurrent med en bredere løsning.",
            "En konkurrent gav et bedre tilbud.",
            "Koncernbeslutning om at samle sig om en anden leverandør.",
        ),
        "other": ("Virksomheden blev opkøbt.", "Projektet blev lukket ned.", "Ingen begrundelse givet."),
    },
    "no": {
        "price": (
            "For dyrt etter prisøkningen.",
            "Budsjettkutt; avtalen ble for kostbar.",
            "Prisen kunne ikke forsvares internt.",
        ),
        "product": (
            "Produktet manglet funksjoner vi trengte.",
            "For mange feil og driftsavbrudd.",
            "Løsningen passet ikke til prosessene våre.",
        ),
        "service": (
            "Supporten var for treg.",
            "Dårlig oppfølging fra kundeteamet.",
            "Implementeringen ble aldri helt ferdig.",
        ),
        "competitor": (
            "Gikk over til en konkurrent med en bredere løsning.",
            "En konkurrent ga et bedre tilbud.",
            "Konsernbeslutning om å samle seg om en annen leverandør.",
        ),
        "other": ("Selskapet ble kjøpt opp.", "Prosjektet ble lagt ned.", "Ingen begrunnelse oppgitt."),
    },
    "en": {
        "price": (
            "Too expensive after the price increase.",
            "Budget cuts; the contract was too costly.",
            "The price could not be justified internally.",
        ),
        "product": (
            "The product lacked features we needed.",
            "Too many bugs and outages.",
            "The solution did not fit our processes.",
        ),
        "service": (
            "Support was too slow.",
            "Poor follow-up from the account team.",
            "The onboarding never really finished.",
        ),
        "competitor": (
            "Moved to a competitor with a broader suite.",
            "A competitor offered a better deal.",
            "Group decision to standardise on another vendor.",
        ),
        "other": ("The company was acquired.", "The project was closed down.", "No reason given."),
    },
}

TEMPLATES_PER_TONE = 10
DETAIL_CHOICES = 3  # no detail, first detail, second detail
# Some respondents press Enter before the detail sentence: one template in LINE_BREAK_EVERY puts it on a new
# line, so the raw files hold comments that span two lines of the CSV (quoted), as survey tools export them.
LINE_BREAK_EVERY = 4
CHURN_TEXTS_PER_REASON = 3


def compose_comment(language: str, tone: str, theme: str, template: int, detail: int) -> str:
    """The comment for one draw: template number 0-9 of the language and tone, detail 0 (none), 1 or 2."""
    phrase = THEME_PHRASES[language][theme]
    text = TEMPLATES[language][tone][template].format(t=phrase, T=phrase[0].upper() + phrase[1:])
    if detail == 0:
        return text
    separator = "\n" if template % LINE_BREAK_EVERY == 0 else " "
    return f"{text}{separator}{DETAILS[language][theme][TONES.index(tone)][detail - 1]}"


def churn_reason_text(language: str, reason: str, variant: int) -> str:
    """A churn reason text in `language` for reason code `reason`; variant picks one of
    CHURN_TEXTS_PER_REASON. Raises KeyError or IndexError for an unknown language, reason or variant."""
    return CHURN_REASON_TEXTS[language][reason][variant]
