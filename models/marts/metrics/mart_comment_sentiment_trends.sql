{#- Comment sentiment per period, segment and comment language: monthly counts of comments by sentiment label
    (prep_comment_sentiment) are rolled up to month, quarter and year, then summed for the whole population
    (segment_dimension 'all') and per value of each account segment and touchpoint. Only counts and the sum of
    scores are summed; the mean score and the shares are computed from them last. -#}
{%- set segment_columns = account_segment_columns() + ['touchpoint'] -%}
{%- set measures = [
    'comments', 'positive_comments', 'neutral_comments', 'negative_comments', 'unscored_comments',
    'sentiment_score_sum', 'language_disagreements',
] -%}

with comments as (
    select * from {{ ref('prep_survey_comments') }}
),

sentiment as (
    select * from {{ ref('prep_comment_sentiment') }}
),

reporting_periods as (
    select * from {{ ref('dim_reporting_periods') }}
),

scored_comments as (
    select
        comments.*,
        coalesce(sentiment.language, 'unknown') as language,
        sentiment.sentiment_label,
        sentiment.sentiment_score,
        sentiment.is_language_disagreement
    from comments
    inner join sentiment
        on comments.response_id = sentiment.response_id
            and comments.question_id = sentiment.question_id
),

monthly as (
    select
        submitted_month,
        {{ segment_columns | join(',\n        ') }},
        language,
        count(*) as comments,
        sum(case when sentiment_label = 'positive' then 1 else 0 end) as positive_comments,
        sum(case when sentiment_label = 'neutral' then 1 else 0 end) as neutral_comments,
        sum(case when sentiment_label = 'negative' then 1 else 0 end) as negative_comments,
        sum(case when sentiment_label is null then 1 else 0 end) as unscored_comments,
        sum(sentiment_score) as sentiment_score_sum,
        sum(case when is_language_disagreement then 1 else 0 end) as language_disagreements
    from scored_comments
    group by
        submitted_month,
        {{ segment_columns | join(',\n        ') }},
        language
),

periods as (
    {{ rollup_months_to_periods('monthly', 'submitted_month', segment_columns + ['language'], measures) }}
),

reported_periods as (
    select periods.*
    from periods
    inner join reporting_periods
        on periods.period_grain = reporting_periods.period_grain
            and periods.period_start = reporting_periods.period_start
),

segments as (
    {{ rollup_segments(
        'reported_periods',
        ['period_grain', 'period_start', 'language'],
        segment_columns,
        measures
    ) }}
),

final as (
    select
        period_grain,
        period_start,
        segment_dimension,
        segment_value,
        language,
        cast(comments as {{ dbt.type_bigint() }}) as comments,
        cast(positive_comments as {{ dbt.type_bigint() }}) as positive_comments,
        cast(neutral_comments as {{ dbt.type_bigint() }}) as neutral_comments,
        cast(negative_comments as {{ dbt.type_bigint() }}) as negative_comments,
        cast(unscored_comments as {{ dbt.type_bigint() }}) as unscored_comments,
        cast(language_disagreements as {{ dbt.type_bigint() }}) as language_disagreements,
        cast(sentiment_score_sum as {{ type_double() }}) as sentiment_score_sum,
        cast(sentiment_score_sum as {{ type_double() }})
        / nullif(comments - unscored_comments, 0) as mean_sentiment_score,
        cast(positive_comments as {{ type_double() }}) * 100
        / nullif(comments - unscored_comments, 0) as positive_pct,
        cast(negative_comments as {{ type_double() }}) * 100
        / nullif(comments - unscored_comments, 0) as negative_pct,
        cast(positive_comments - negative_comments as {{ type_double() }}) * 100
        / nullif(comments - unscored_comments, 0) as net_sentiment
    from segments
)

select * from final
