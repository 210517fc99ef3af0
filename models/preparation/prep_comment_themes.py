"""The themes every comment of prep_survey_comments mentions, one row per comment and theme, found with the
keywords of seed comment_theme_keywords in the language prep_comment_sentiment reads the comment in (a thin
call into cx_warehouse.analytics.comments.comment_themes). Disabled on Spark, like every Python model."""

from cx_warehouse.analytics.comments import comment_themes


def model(dbt, session):
    dbt.config(materialized="table")
    return comment_themes(
        dbt.ref("prep_survey_comments").df(),
        dbt.ref("prep_comment_sentiment").df(),
        dbt.ref("comment_theme_keywords").df(),
        lexicon_version=str(dbt.config.get("comment_lexicon_version")),
    )
