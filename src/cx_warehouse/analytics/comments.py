"""Open comments: their language, sentiment and themes, offline. The dbt Python models prep_comment_sentiment
and prep_comment_themes are thin calls into score_comments and comment_themes.

Language: lingua (Stahl, lingua-py; its n-gram models ship in the wheel), built from the configured languages
only; Norwegian bokmål and nynorsk are folded into the warehouse's label 'no'.

Sentiment: a lexicon-and-rules scorer in the manner of VADER (Hutto, C. J. and Gilbert, E. (2014), "VADER: A
Parsimonious Rule-based Model for Sentiment Analysis of Social Media Text", ICWSM-14): per clause, a sentiment
term's valence (-4 to +4) is scaled by the intensifiers and flipped by the negators near it, a contrast word
("men", "but") weighs the clause after it more than the one before, and the sum s is normalised to
s / sqrt(s^2 + alpha) in (-1, 1). The valences are the kept lexicons (VADER's for English, AFINN-da for
Danish, Nielsen, F. A. (2011), "A new ANEW: Evaluation of a word list for sentiment analysis in microblogs",
rescaled from -5..5) overridden and extended by the warehouse's seed lexicon (the only one for Norwegian);
negators, intensifiers and contrast words are seeds too (DECISIONLOG "Comment sentiment")."""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import cache, lru_cache
from importlib.metadata import distribution

import pandas as pd
import snowballstemmer
from lingua import IsoCode639_1, Language, LanguageDetectorBuilder

# lingua's ISO 639-1 codes that the warehouse labels otherwise: both written forms of Norwegian are 'no'.
LANGUAGE_FOLDS = {"nb": "no", "nn": "no"}
STEMMERS = {"da": "danish", "no": "norwegian", "en": "english", "sv": "swedish", "de": "german"}
# VADER's rules: a contrast word halves the weight of what comes before it in the comment (its weight, from
# the seed, multiplies what comes after); a negator reaches this many units forward (and the one unit before
# it, for the Scandinavian verb-then-negator order "fungerer ikke"). VADER reaches 3 words back in English;
# Danish and Norwegian put the negator before the object and adverbs ("aldri fått den lova oppfølginga"),
# hence 4.
CONTRAST_WEIGHT_BEFORE = 0.5
NEGATION_REACH = 4
# AFINN scores -5..+5, VADER -4..+4: AFINN valences are rescaled to VADER's range.
AFINN_TO_VADER = 4 / 5
MAX_PHRASE_WORDS = 4
# Stems shorter than this are shared by unrelated words (Danish "været" and "værre" both stem to "vær"): a
# word reaches a seed term through its stem only when the stem is at least this long.
MIN_STEM_LENGTH = 5

# The result columns with their pandas types: nullable and typed, so an export without comments still gives
# the marts typed (empty) columns rather than columns of no type.
SENTIMENT_COLUMNS = {
    "response_id": "string",
    "question_id": "string",
    "language_label": "string",
    "detected_language": "string",
    "detected_language_confidence": "Float64",
    "language": "string",
    "language_source": "string",
    "is_language_disagreement": "boolean",
    "sentiment_terms": "Int64",
    "sentiment_sum": "Float64",
    "sentiment_score": "Float64",
    "sentiment_label": "string",
    "lexicon_version": "string",
}
THEME_COLUMNS = {
    "response_id": "string",
    "question_id": "string",
    "theme": "string",
    "keyword_hits": "Int64",
    "lexicon_version": "string",
}


def _typed_frame(rows: list[tuple], columns: dict[str, str]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=list(columns)).astype(columns)


_CLAUSE_BREAK = re.compile(r"[.!?;:,\n()]+|\s[–—-]\s")
_WORD = re.compile(r"[^\W\d_]+(?:['’-][^\W\d_]+)*")


def words(clause: str) -> list[str]:
    """The lower-case words of a clause (letters, with inner hyphens and apostrophes)."""
    return [word.lower() for word in _WORD.findall(clause)]


def clauses(text: str) -> list[list[str]]:
    """The words of each clause of ``text``: sentences and commas, semicolons, colons, dashes and line breaks
    end a clause, and a negator or intensifier reaches no further than its clause."""
    return [found for part in _CLAUSE_BREAK.split(text or "") if (found := words(part))]


@cache
def _stemmer(language: str):
    return snowballstemmer.stemmer(STEMMERS[language]) if language in STEMMERS else None


# Kept per word: Snowball's Python stemmers are most of the scoring's time, and comments repeat their words.
@lru_cache(maxsize=200_000)
def stem(word: str, language: str) -> str:
    stemmer = _stemmer(language)
    return stemmer.stemWord(word) if stemmer else word


@cache
def _detector(codes: tuple[str, ...]):
    languages = [Language.from_iso_code_639_1(getattr(IsoCode639_1, code.upper())) for code in codes]
    return LanguageDetectorBuilder.from_languages(*languages).build()


def _folded(language: Language) -> str:
    code = language.iso_code_639_1.name.lower()
    return LANGUAGE_FOLDS.get(code, code)


def detect_languages(texts: Sequence[str], codes: Sequence[str]) -> list[tuple[str | None, float]]:
    """The most likely language of each text among ``codes`` (ISO 639-1, lingua's: nb and nn for Norwegian) as
    the warehouse labels it, with its confidence 0-1; (None, 0.0) for a text without letters. The language is
    lingua's single most likely one, folded (nb, nn: 'no'); its confidence adds up the folded ones. Choosing
    by the sum instead would favour Norwegian, which has two models, over Danish (0.77 of the Danish
    evaluation comments detected as Danish, against 0.90 this way)."""
    detector = _detector(tuple(sorted(codes)))
    detected = []
    for confidences in detector.compute_language_confidence_values_in_parallel(list(texts)):
        if not confidences or confidences[0].value <= 0:
            detected.append((None, 0.0))
            continue
        best = _folded(confidences[0].language)
        detected.append((best, sum(c.value for c in confidences if _folded(c.language) == best)))
    return detected


def chosen_language(
    label: str | None, detected: str | None, confidence: float, min_confidence: float, scored: Iterable[str]
) -> tuple[str | None, str]:
    """The language a comment is scored in, and why: the detected one when the detector is at least
    ``min_confidence`` sure, else the response's label when the warehouse scores that language, else the
    detected one however unsure (a label can be wrong: a contact's language is copied onto every response)."""
    if detected is not None and confidence >= min_confidence:
        return detected, "detected"
    if label in set(scored):
        return label, "label"
    return detected, "detected" if detected is not None else "none"


def _package_file(package: str, path: str) -> str:
    """A data file shipped inside an installed package, read without importing the package."""
    return distribution(package).locate_file(path).read_text(encoding="utf-8")


@cache
def kept_lexicon(language: str) -> dict[str, float]:
    """The published lexicon of a language on VADER's -4..+4 scale: VADER's own for English (MIT), AFINN-da
    for Danish (ODbL; data file only), none for others."""
    if language == "en":
        lines = _package_file("vaderSentiment", "vaderSentiment/vader_lexicon.txt").splitlines()
        return {line.split("\t")[0]: float(line.split("\t")[1]) for line in lines if "\t" in line}
    if language == "da":
        lines = _package_file("afinn", "afinn/data/AFINN-da-32.txt").splitlines()
        return {
            line.split("\t")[0]: float(line.split("\t")[1]) * AFINN_TO_VADER for line in lines if "\t" in line
        }
    return {}


@dataclass(frozen=True)
class LanguageRules:
    """One language's lexicon and rules. Keys are tuples of words (phrases of up to MAX_PHRASE_WORDS)."""

    language: str
    valences: dict[tuple[str, ...], float]
    stem_valences: dict[str, float]
    negators: frozenset[tuple[str, ...]]
    negation_weight: dict[tuple[str, ...], float]
    intensifiers: dict[tuple[str, ...], float]
    contrasts: dict[tuple[str, ...], float]

    def longest_match(self, tokens: list[str], start: int) -> tuple[int, str, float]:
        """(words taken, kind, weight) of the longest known unit at ``start``: a phrase or word of the lexicon
        (kind 'term'), a negator, intensifier or contrast, or an unknown word ('word', 0)."""
        for length in range(min(MAX_PHRASE_WORDS, len(tokens) - start), 0, -1):
            key = tuple(tokens[start : start + length])
            if key in self.negators:
                return length, "negator", self.negation_weight[key]
            if key in self.intensifiers:
                return length, "intensifier", self.intensifiers[key]
            if key in self.contrasts:
                return length, "contrast", self.contrasts[key]
            if key in self.valences:
                return length, "term", self.valences[key]
        valence = self.stem_valences.get(stem(tokens[start], self.language))
        return (1, "term", valence) if valence is not None else (1, "word", 0.0)


def language_rules(
    language: str, terms: pd.DataFrame, modifiers: pd.DataFrame, lexicon_version: str
) -> LanguageRules:
    """The rules of one language from the seeds' rows of ``lexicon_version`` (terms: language, term, valence;
    modifiers: language, term, modifier_type negator/intensifier/contrast, weight) over its kept lexicon."""

    def rows(frame: pd.DataFrame) -> pd.DataFrame:
        return frame[(frame["lexicon_version"] == lexicon_version) & (frame["language"] == language)]

    valences = {
        tuple(words(term)): valence for term, valence in kept_lexicon(language).items() if words(term)
    }
    own = {
        tuple(words(term)): float(valence)
        for term, valence in zip(*(rows(terms)[c] for c in ("term", "valence")), strict=True)
    }
    valences.update(own)
    # A word's inflections reach the seed's own single-word terms through their stem (kept lexicons list
    # forms).
    stem_valences = {
        stemmed: valence
        for key, valence in own.items()
        if len(key) == 1 and len(stemmed := stem(key[0], language)) >= MIN_STEM_LENGTH
    }
    by_type: dict[str, dict[tuple[str, ...], float]] = {"negator": {}, "intensifier": {}, "contrast": {}}
    for term, kind, weight in zip(
        *(rows(modifiers)[c] for c in ("term", "modifier_type", "weight")), strict=True
    ):
        by_type[kind][tuple(words(term))] = float(weight)
    return LanguageRules(
        language=language,
        valences=valences,
        stem_valences=stem_valences,
        negators=frozenset(by_type["negator"]),
        negation_weight=by_type["negator"],
        intensifiers=by_type["intensifier"],
        contrasts=by_type["contrast"],
    )


def _clause_valences(tokens: list[str], rules: LanguageRules) -> tuple[list[float], list[tuple[int, float]]]:
    """The valence of each sentiment term of a clause after its modifiers, and each contrast word as (number
    of those terms before it, its weight)."""
    units = []
    start = 0
    while start < len(tokens):
        taken, kind, weight = rules.longest_match(tokens, start)
        units.append((kind, weight))
        start += taken
    valences = [weight if kind == "term" else None for kind, weight in units]
    for position, (kind, weight) in enumerate(units):
        if kind == "intensifier":
            following = next((p for p in range(position + 1, len(units)) if valences[p] is not None), None)
            if following is not None and following - position <= 2:
                valences[following] *= weight
        elif kind == "negator":
            for target in [position - 1, *range(position + 1, position + 1 + NEGATION_REACH)]:
                if 0 <= target < len(units) and valences[target] is not None:
                    valences[target] *= weight
    contrasts = [
        (sum(1 for v in valences[:position] if v is not None), weight)
        for position, (kind, weight) in enumerate(units)
        if kind == "contrast"
    ]
    return [v for v in valences if v is not None], contrasts


def sentiment(text: str, rules: LanguageRules, alpha: float) -> tuple[int, float, float]:
    """(sentiment terms found, their modified sum, the score s / sqrt(s^2 + alpha) in (-1, 1)) of a comment.
    The last contrast word of the comment splits it: what precedes it weighs CONTRAST_WEIGHT_BEFORE, what
    follows it the contrast word's weight."""
    found: list[float] = []
    contrast_at, contrast_weight = None, 1.0
    for tokens in clauses(text):
        valences, contrasts = _clause_valences(tokens, rules)
        if contrasts:
            contrast_at, contrast_weight = len(found) + contrasts[-1][0], contrasts[-1][1]
        found.extend(valences)
    if contrast_at is not None:
        found = [v * CONTRAST_WEIGHT_BEFORE for v in found[:contrast_at]] + [
            v * contrast_weight for v in found[contrast_at:]
        ]
    total = sum(found)
    return len(found), total, total / math.sqrt(total * total + alpha)


def sentiment_label(score: float, threshold: float) -> str:
    """positive from ``threshold`` up, negative from -``threshold`` down, neutral between."""
    if score >= threshold:
        return "positive"
    if score <= -threshold:
        return "negative"
    return "neutral"


def score_comments(
    comments: pd.DataFrame,
    terms: pd.DataFrame,
    modifiers: pd.DataFrame,
    *,
    lexicon_version: str,
    detector_languages: Sequence[str],
    min_language_confidence: float,
    alpha: float,
    label_threshold: float,
) -> pd.DataFrame:
    """One row per comment of ``comments`` (response_id, question_id, language_label, comment_text) with the
    columns SENTIMENT_COLUMNS. A comment in a language without seed rules of ``lexicon_version`` gets no score
    and the label null."""
    scored_languages = sorted(set(terms.loc[terms["lexicon_version"] == lexicon_version, "language"]))
    rules = {
        language: language_rules(language, terms, modifiers, lexicon_version) for language in scored_languages
    }
    texts = comments["comment_text"].fillna("").astype(str).tolist()
    # Each distinct text is detected once and each distinct (text, label) scored once: comments repeat
    # ("Ingen kommentarer", "Good"), and the result depends on nothing else.
    distinct_texts = list(dict.fromkeys(texts))
    detected = dict(zip(distinct_texts, detect_languages(distinct_texts, detector_languages), strict=True))
    scored: dict[tuple[str, str | None], tuple] = {}
    rows = []
    for (response_id, question_id, label), text in zip(
        comments[["response_id", "question_id", "language_label"]].itertuples(index=False), texts, strict=True
    ):
        label = label if isinstance(label, str) and label != "unknown" else None
        if (text, label) not in scored:
            found, confidence = detected[text]
            language, source = chosen_language(
                label, found, confidence, min_language_confidence, scored_languages
            )
            count, total, score = (
                sentiment(text, rules[language], alpha) if language in rules else (0, None, None)
            )
            scored[text, label] = (
                found,
                confidence,
                language,
                source,
                label is not None and found is not None and label != found,
                count,
                total,
                score,
                None if score is None else sentiment_label(score, label_threshold),
            )
        rows.append((response_id, question_id, label, *scored[text, label], lexicon_version))
    return _typed_frame(rows, SENTIMENT_COLUMNS)


def theme_needles(keywords: Sequence[tuple[str, str, str]]) -> list[tuple[str, str]]:
    """(theme, needle) per keyword of ``keywords`` ((theme, keyword, match) with match 'word', the whole word
    or phrase, or 'prefix', a word starting with it: Danish and Norwegian write compounds as one word,
    'prisstigning', 'supportsag'): the text themes_of looks for in a comment's space-joined words."""
    return [
        (theme, " " + " ".join(words(keyword)) + ("" if match == "prefix" else " "))
        for theme, keyword, match in keywords
    ]


def themes_of(text: str, needles: Sequence[tuple[str, str]]) -> dict[str, int]:
    """Keyword hits per theme in ``text``, for the (theme, needle) pairs of theme_needles."""
    joined = " " + " ".join(token for clause in clauses(text) for token in clause) + " "
    hits: dict[str, int] = {}
    for theme, needle in needles:
        count = joined.count(needle)
        if count:
            hits[theme] = hits.get(theme, 0) + count
    return hits


def comment_themes(
    comments: pd.DataFrame, languages: pd.DataFrame, keywords: pd.DataFrame, *, lexicon_version: str
) -> pd.DataFrame:
    """One row per comment and theme it mentions (THEME_COLUMNS): ``comments`` has response_id, question_id,
    comment_text; ``languages`` the language each comment is read in (response_id, question_id, language, as
    score_comments gives); ``keywords`` the seed (lexicon_version, language, theme, keyword, match_type)."""
    keywords = keywords[keywords["lexicon_version"] == lexicon_version]
    by_language = {
        language: theme_needles(list(zip(group["theme"], group["keyword"], group["match_type"], strict=True)))
        for language, group in keywords.groupby("language")
    }
    merged = comments[["response_id", "question_id", "comment_text"]].merge(
        languages[["response_id", "question_id", "language"]], on=["response_id", "question_id"]
    )
    found: dict[tuple[str, str], list[tuple[str, int]]] = {}  # per distinct (text, language), as in scoring
    rows = []
    for response_id, question_id, text, language in merged[
        ["response_id", "question_id", "comment_text", "language"]
    ].itertuples(index=False):
        key = (text or "", language)
        if key not in found:
            found[key] = sorted(themes_of(key[0], by_language.get(language, [])).items())
        rows.extend((response_id, question_id, theme, hits, lexicon_version) for theme, hits in found[key])
    return _typed_frame(rows, THEME_COLUMNS)
