"""The language, sentiment score and label of every comment of prep_survey_comments (a thin call into
cx_warehouse.analytics.comments.score_comments, with the seed lexicons of var comment_lexicon_version).

The lexicon version, detector languages, confidence, alpha and label threshold come from vars through this
model's YAML config. dbt-spark's session method cannot run Python models: the model is disabled on Spark."""

from cx_warehouse.analytics.comments import score_comments


def model(dbt, session):
    dbt.config(materialized="table")
    return score_comments(
        dbt.ref("prep_survey_comments").df(),
        dbt.ref("comment_sentiment_terms").df(),
        dbt.ref("comment_sentiment_modifiers").df(),
        lexicon_version=str(dbt.config.get("comment_lexicon_version")),
        detector_languages=list(dbt.config.get("comment_detector_languages")),
        min_language_confidence=float(dbt.config.get("comment_min_language_confidence")),
        alpha=float(dbt.config.get("comment_sentiment_alpha")),
        label_threshold=float(dbt.config.get("comment_sentiment_threshold")),
    )
