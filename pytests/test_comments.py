"""Comment language, sentiment and themes (cx_warehouse.analytics.comments): the rules on hand-worked
examples, the accuracy on the hand-labelled evaluation set (tests/fixtures/comments, docs/comments.md), the
generator's comments, and the comment marts of the built warehouse."""

from __future__ import annotations

import math
from pathlib import Path

import duckdb
import pandas as pd
import pytest
from sklearn.metrics import accuracy_score, f1_score

from cx_warehouse.analytics import comments
from cx_warehouse.generator import comment_templates as templates

ROOT = Path(__file__).resolve().parents[1]
SEEDS = ROOT / "seeds"
EVALUATION_SET = ROOT / "tests" / "fixtures" / "comments" / "comment_sentiment_evaluation.csv"
THEME_FIXTURE = ROOT / "tests" / "fixtures" / "comments" / "comment_themes.csv"
VERSION = "2026.1"
ALPHA = 15.0
THRESHOLD = 0.1
DETECTOR_LANGUAGES = ("da", "nb", "nn", "en", "sv", "de")
TARGET = 0.85


def seed(name: str) -> pd.DataFrame:
    return pd.read_csv(SEEDS / f"{name}.csv", dtype={"lexicon_version": str})


@pytest.fixture(scope="module")
def rules() -> dict[str, comments.LanguageRules]:
    terms, modifiers = seed("comment_sentiment_terms"), seed("comment_sentiment_modifiers")
    return {
        language: comments.language_rules(language, terms, modifiers, VERSION)
        for language in ("da", "no", "en")
    }


def score(text: str, rules: comments.LanguageRules) -> float:
    return comments.sentiment(text, rules, ALPHA)[2]


def label(text: str, rules: comments.LanguageRules) -> str:
    return comments.sentiment_label(score(text, rules), THRESHOLD)


# Hand-worked: s / sqrt(s^2 + 15) with the seed valences and weights of version 2026.1.
@pytest.mark.parametrize(
    ("language", "text", "expected_sum"),
    [
        ("da", "Vi er tilfredse.", 2.0),  # tilfredse +2
        ("da", "Vi er meget tilfredse.", 3.0),  # meget x1.5: 2 x 1.5
        ("da", "Vi er ikke tilfredse.", -1.48),  # ikke x-0.74: 2 x -0.74
        ("no", "Det fungerer ikke.", -0.74),  # verb then negator: fungerer +1 x -0.74
        ("no", "Svært fornøyd.", 3.0),  # Norwegian svært is 'very': fornøyd +2 x 1.5
        ("da", "Det er svært.", -1.5),  # Danish svært is 'difficult': -1.5
        ("da", "Personalet er rare.", 2.0),  # Danish rar is 'kind': +2
        ("no", "Personalet er rare.", -1.5),  # Norwegian rar is 'odd': -1.5
        ("no", "Me er ikkje nøgde.", -1.48),  # nynorsk: nøgde +2 x ikkje -0.74
        # contrast: what precedes 'men' x0.5, what follows x1.5: dyr -1.5 x 0.5 + fremragende 3 x 1.5
        ("da", "Lidt dyr, men fremragende.", -1.5 * 0.6 * 0.5 + 3 * 1.5),
        ("en", "No comments.", 0.0),  # a neutral phrase keeps 'no' from negating
    ],
)
def test_hand_worked_scores(rules, language: str, text: str, expected_sum: float) -> None:
    count, total, normalised = comments.sentiment(text, rules[language], ALPHA)
    assert total == pytest.approx(expected_sum)
    assert normalised == pytest.approx(expected_sum / math.sqrt(expected_sum**2 + ALPHA))


def test_false_friends_and_negation_change_the_label(rules) -> None:
    assert label("Det er svært at bruge systemet.", rules["da"]) == "negative"
    assert label("Svært god support.", rules["no"]) == "positive"
    assert label("Vi har aldrig haft nedetid.", rules["da"]) == "positive"
    assert label("Vi kan ikke anbefale jer.", rules["da"]) == "negative"
    assert label("We have never had any downtime.", rules["en"]) == "positive"


def test_a_short_stem_reaches_no_term(rules) -> None:
    """Danish 'været' (been) and 'værre' (worse) share the stem 'vær': too short to carry a valence."""
    assert comments.sentiment("Vi har været kunder i et år.", rules["da"], ALPHA)[0] == 0


@pytest.mark.parametrize(
    ("label_", "detected", "confidence", "expected"),
    [
        ("da", "no", 0.9, ("no", "detected")),  # a sure detection beats the label
        ("da", "no", 0.3, ("da", "label")),  # an unsure one does not
        (None, "en", 0.3, ("en", "detected")),  # no label: the detection, however unsure
        ("fi", "sv", 0.2, ("sv", "detected")),  # a label without a lexicon is no better
        (None, None, 0.0, (None, "none")),
    ],
)
def test_chosen_language(label_, detected, confidence, expected) -> None:
    assert comments.chosen_language(label_, detected, confidence, 0.5, ["da", "en", "no"]) == expected


def test_themes_match_words_and_word_starts() -> None:
    keywords = comments.theme_needles(
        [("price", "pris", "prefix"), ("support", "sag", "word"), ("price", "for pengene", "word")]
    )
    assert comments.themes_of("Prisstigningen var for stor.", keywords) == {"price": 1}
    assert comments.themes_of("Vi får meget for pengene, og prisen er fair.", keywords) == {"price": 2}
    assert comments.themes_of("Sagen blev løst.", keywords) == {}  # 'sagen' is not the whole word 'sag'
    assert comments.themes_of("Hver eneste sag.", keywords) == {"support": 1}


def test_theme_fixture_hand_labelled() -> None:
    """Each fixture comment's themes, found by reading it (the CSV lists them)."""
    fixture = pd.read_csv(THEME_FIXTURE)
    keywords = seed("comment_theme_keywords")
    found = comments.comment_themes(
        fixture.assign(question_id="Q"),
        fixture.assign(question_id="Q")[["response_id", "question_id", "language"]],
        keywords,
        lexicon_version=VERSION,
    )
    by_comment = found.groupby("response_id")["theme"].apply(lambda themes: " ".join(sorted(themes)))
    expected = fixture.set_index("response_id")["themes"].fillna("")
    assert by_comment.reindex(expected.index).fillna("").to_dict() == expected.to_dict()


def test_no_comments_give_typed_empty_results() -> None:
    """An export without comments: the Python models return no rows but typed columns, which the marts'
    contracts need (a column of no type fails them)."""
    no_comments = pd.DataFrame(columns=["response_id", "question_id", "comment_text", "language"])
    themes = comments.comment_themes(
        no_comments, no_comments, seed("comment_theme_keywords"), lexicon_version=VERSION
    )
    assert themes.empty
    assert duckdb.sql("select * from themes").types == ["VARCHAR", "VARCHAR", "VARCHAR", "BIGINT", "VARCHAR"]


@pytest.fixture(scope="module")
def evaluation(rules) -> pd.DataFrame:
    frame = pd.read_csv(EVALUATION_SET)
    frame["predicted"] = [
        label(text, rules[language]) for text, language in zip(frame["text"], frame["language"], strict=True)
    ]
    frame["detected"] = [
        found for found, _ in comments.detect_languages(frame["text"].tolist(), DETECTOR_LANGUAGES)
    ]
    return frame


def test_evaluation_set_is_balanced_and_apart_from_the_generator(evaluation: pd.DataFrame) -> None:
    counts = evaluation.groupby(["language", "label"]).size()
    assert len(evaluation) >= 300 and counts.min() >= 33 and set(counts.index.levels[0]) == {"da", "no", "en"}
    generated = {
        sentence.strip().lower()
        for language in templates.TEMPLATES
        for tone in templates.TONES
        for theme in templates.THEMES
        for template in range(templates.TEMPLATES_PER_TONE)
        for detail in range(templates.DETAIL_CHOICES)
        for sentence in templates.compose_comment(language, tone, theme, template, detail).split("\n")
    }
    assert not generated & set(evaluation["text"].str.strip().str.lower())


@pytest.mark.parametrize("language", ["da", "no", "en"])
def test_sentiment_accuracy_and_macro_f1_per_language(evaluation: pd.DataFrame, language: str) -> None:
    subset = evaluation[evaluation["language"] == language]
    accuracy = accuracy_score(subset["label"], subset["predicted"])
    macro_f1 = f1_score(subset["label"], subset["predicted"], average="macro")
    print(f"{language}: n={len(subset)} accuracy={accuracy:.3f} macro_f1={macro_f1:.3f}")
    assert accuracy >= TARGET and macro_f1 >= TARGET


def test_language_detection_on_the_evaluation_set(evaluation: pd.DataFrame) -> None:
    accuracy = (evaluation["detected"] == evaluation["language"]).groupby(evaluation["language"]).mean()
    print(accuracy.round(3).to_dict())
    assert accuracy.min() >= 0.85


def test_generated_comments_score_in_their_tone(rules) -> None:
    """Every comment the generator can write: its tone and the label agree for most of them."""
    rows = [
        (language, tone, templates.compose_comment(language, tone, theme, template, detail))
        for language in templates.TEMPLATES
        for tone in templates.TONES
        for theme in templates.THEMES
        for template in range(templates.TEMPLATES_PER_TONE)
        for detail in range(templates.DETAIL_CHOICES)
    ]
    frame = pd.DataFrame(rows, columns=["language", "tone", "text"])
    frame["predicted"] = [
        label(text, rules[language]) for language, text in zip(frame["language"], frame["text"], strict=True)
    ]
    agreement = (frame["predicted"] == frame["tone"]).groupby([frame["language"], frame["tone"]]).mean()
    print(agreement.round(3).to_dict())
    assert agreement.xs("negative", level="tone").min() >= 0.8
    assert agreement.xs("positive", level="tone").min() >= 0.8


def test_warehouse_comment_marts(warehouse) -> None:
    with duckdb.connect(str(warehouse.database), read_only=True) as connection:
        by_category = dict(
            connection.execute(
                """
                select comments.nps_category,
                    avg(case when sentiment.sentiment_label = 'negative' then 1.0 else 0.0 end)
                        - avg(case when sentiment.sentiment_label = 'positive' then 1.0 else 0.0 end)
                from intermediate.prep_survey_comments as comments
                inner join intermediate.prep_comment_sentiment as sentiment
                    using (response_id, question_id)
                group by comments.nps_category
                """
            ).fetchall()
        )
        disagreements, labelled = connection.execute(
            """select sum(case when is_language_disagreement then 1 else 0 end), count(language_label)
            from intermediate.prep_comment_sentiment"""
        ).fetchone()
        lifts = connection.execute(
            """select count(*), count(detractor_lift) from marts.mart_detractor_themes
            where segment_dimension = 'all' and period_grain = 'year'"""
        ).fetchone()
        trends_total, all_comments = connection.execute(
            """select (select sum(comments) from marts.mart_comment_sentiment_trends
                where segment_dimension = 'touchpoint' and period_grain = 'year'),
                (select count(*) from intermediate.prep_survey_comments
                where submitted_month >= date '2023-01-01')"""
        ).fetchone()
    # Detractors write mostly negative comments, promoters mostly positive ones (net share of negatives).
    assert by_category["detractor"] > 0.5 and by_category["promoter"] < -0.5
    # The generator plants a few wrong language labels (sv, de, fi): detected, not the bulk.
    assert 0 < disagreements < 0.05 * labelled
    assert lifts[0] > 0 and lifts[1] > 0
    assert trends_total == all_comments
