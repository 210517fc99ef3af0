{#- Comment themes per period and segment: how many comments mention each theme, by sentiment label and by the
    NPS category of the response, beside the comments of the period and segment they are counted among. Monthly
    counts are rolled up to month, quarter and year and summed for the whole population (segment_dimension
    'all') and per value of each account segment and touchpoint; shares and the detractor lift are computed
    from the counts last. -#}
{%- set segment_columns = account_segment_columns() + ['touchpoint'] -%}
{%- set total_measures = ['comments', 'detractor_comments', 'non_detractor_comments'] -%}
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

{# Non-detractors are the promoters and passives: comments of responses without an NPS answer are in neither. #}
monthly_totals as (
    select
        submitted_month,
        {{ segment_columns | join(',\n        ') }},
        count(*) as comments,
        sum(case when nps_category = 'detractor' then 1 else 0 end) as detractor_comments,
        sum(case when nps_category in ('promoter', 'passive') then 1 else 0 end) as non_detractor_comments
    from comments
    group by
        submitted_month,
        {{ segment_columns | join(',\n        ') }}
),

monthly_themes as (
    select
        comments.submitted_month,
        {% for column in segment_columns -%}
        comments.{{ column }},
        {% endfor -%}
        themes.theme,
        count(*) as theme_comments,
        sum(case when sentiment.sentiment_label = 'positive' then 1 else 0 end) as positive_theme_comments,
        sum(case when sentiment.sentiment_label = 'neutral' then 1 else 0 end) as neutral_theme_comments,
        sum(case when sentiment.sentiment_label = 'negative' then 1 else 0 end) as negative_theme_comments,
        sum(case when comments.nps_category = 'promoter' then 1 else 0 end) as promoter_theme_comments,
        sum(case when comments.nps_category = 'passive' then 1 else 0 end) as passive_theme_comments,
        sum(case when comments.nps_category = 'detractor' then 1 else 0 end) as detractor_theme_comments
    from themes
    inner join comments
        on themes.response_id = comments.response_id
            and themes.question_id = comments.question_id
    inner join sentiment
        on themes.response_id = sentiment.response_id
            and themes.question_id = sentiment.question_id
    group by
        comments.submitted_month,
        {% for column in segment_columns -%}
        comments.{{ column }},
        {% endfor -%}
        themes.theme
),

total_periods as (
    {{ rollup_months_to_periods('monthly_totals', 'submitted_month', segment_columns, total_measures) }}
),

theme_periods as (
    {{ rollup_months_to_periods('monthly_themes', 'submitted_month', segment_columns + ['theme'], theme_measures) }}
),

total_segments as (
    {{ rollup_segments('total_periods', ['period_grain', 'period_start'], segment_columns, total_measures) }}
),

theme_segments as (
    {{ rollup_segments('theme_periods', ['period_grain', 'period_start', 'theme'], segment_columns, theme_measures) }}
),

counted as (
    select
        theme_segments.period_grain,
        theme_segments.period_start,
        theme_segments.segment_dimension,
        theme_segments.segment_value,
        theme_segments.theme,
        cast(total_segments.comments as {{ dbt.type_bigint() }}) as comments,
        cast(theme_segments.theme_comments as {{ dbt.type_bigint() }}) as theme_comments,
        cast(theme_segments.positive_theme_comments as {{ dbt.type_bigint() }}) as positive_theme_comments,
        cast(theme_segments.neutral_theme_comments as {{ dbt.type_bigint() }}) as neutral_theme_comments,
        cast(theme_segments.negative_theme_comments as {{ dbt.type_bigint() }}) as negative_theme_comments,
        cast(theme_segments.promoter_theme_comments as {{ dbt.type_bigint() }}) as promoter_theme_comments,
        cast(theme_segments.passive_theme_comments as {{ dbt.type_bigint() }}) as passive_theme_comments,
        cast(theme_segments.detractor_theme_comments as {{ dbt.type_bigint() }}) as detractor_theme_comments,
        cast(total_segments.detractor_comments as {{ dbt.type_bigint() }}) as detractor_comments,
        cast(total_segments.non_detractor_comments as {{ dbt.type_bigint() }}) as non_detractor_comments
    from theme_segments
    inner join total_segments
        on theme_segments.period_grain = total_segments.period_grain
            and theme_segments.period_start = total_segments.period_start
            and theme_segments.segment_dimension = total_segments.segment_dimension
            and theme_segments.segment_value = total_segments.segment_value
    inner join reporting_periods
        on theme_segments.period_grain = reporting_periods.period_grain
            and theme_segments.period_start = reporting_periods.period_start
),

shares as (
    select
        *,
        cast(theme_comments as {{ type_double() }}) * 100 / nullif(comments, 0) as theme_comment_pct,
        cast(detractor_theme_comments as {{ type_double() }}) * 100
        / nullif(detractor_comments, 0) as detractor_theme_pct,
        cast(promoter_theme_comments + passive_theme_comments as {{ type_double() }}) * 100
        / nullif(non_detractor_comments, 0) as non_detractor_theme_pct
    from counted
),

final as (
    select
        *,
        detractor_theme_pct / nullif(non_detractor_theme_pct, 0) as detractor_lift
    from shares
)

select * from final
