{#- Comment themes per period and segment: how many comments mention each theme, by sentiment label and by the
    NPS category of the response, beside the comments of the period and segment they are counted among. Monthly
    counts are rolled up to month, quarter and year and summed for the whole population (segment_dimension
    'all') and per value of each account segment and touchpoint (macros/comment_themes.sql); shares are
    computed from the counts last. Which themes drive detractors: mart_detractor_themes. -#}
{%- set segment_columns = account_segment_columns() + ['touchpoint'] -%}
{%- set total_measures = ['comments'] -%}
{%- set theme_measures = [
    'theme_comments', 'positive_theme_comments', 'neutral_theme_comments', 'negative_theme_comments',
    'promoter_theme_comments', 'passive_theme_comments', 'detractor_theme_comments',
] -%}

with comments as (
    select * from {{ ref('prep_survey_comments') }}
),

sentiment as (
    select * from {{ ref('prep_comment_sentiment') }}
),

themes as (
    select * from {{ ref('prep_comment_themes') }}
),

reporting_periods as (
    select * from {{ ref('dim_reporting_periods') }}
),

monthly_totals as (
    select
        submitted_month,
        {{ segment_columns | join(',\n        ') }},
        count(*) as comments
    from comments
    group by
        submitted_month,
        {{ segment_columns | join(',\n        ') }}
),

themed_comments as (
    select
        comments.*,
        themes.theme,
        sentiment.sentiment_label
    from themes
    inner join comments
        on themes.response_id = comments.response_id
            and themes.question_id = comments.question_id
    inner join sentiment
        on themes.response_id = sentiment.response_id
            and themes.question_id = sentiment.question_id
),

monthly_themes as (
    select
        submitted_month,
        {{ segment_columns | join(',\n        ') }},
        theme,
        count(*) as theme_comments,
        sum(case when sentiment_label = 'positive' then 1 else 0 end) as positive_theme_comments,
        sum(case when sentiment_label = 'neutral' then 1 else 0 end) as neutral_theme_comments,
        sum(case when sentiment_label = 'negative' then 1 else 0 end) as negative_theme_comments,
        sum(case when nps_category = 'promoter' then 1 else 0 end) as promoter_theme_comments,
        sum(case when nps_category = 'passive' then 1 else 0 end) as passive_theme_comments,
        sum(case when nps_category = 'detractor' then 1 else 0 end) as detractor_theme_comments
    from themed_comments
    group by
        submitted_month,
        {{ segment_columns | join(',\n        ') }},
        theme
),

{{ comment_theme_rollup_ctes(
    'monthly_totals', 'monthly_themes', 'reporting_periods', segment_columns, total_measures, theme_measures
) }},

final as (
    select
        *,
        cast(theme_comments as {{ type_double() }}) * 100 / nullif(comments, 0) as theme_comment_pct,
        cast(negative_theme_comments as {{ type_double() }}) * 100
        / nullif(theme_comments, 0) as negative_theme_pct
    from counted
)

select * from final
