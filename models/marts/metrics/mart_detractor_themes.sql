{#- Which themes drive detractors, per period and segment: the share of detractors' comments that mention a
    theme against the share among promoters' and passives' comments, their ratio (lift) and the two-proportion
    z-test of the difference (macros/uncertainty.sql). Comments of responses without an NPS answer are in
    neither group. Counts are rolled up as in mart_comment_themes (macros/comment_themes.sql); the shares,
    lift and test are computed from them last. -#}
{%- set segment_columns = account_segment_columns() + ['touchpoint'] -%}
{%- set total_measures = ['detractor_comments', 'non_detractor_comments'] -%}
{%- set theme_measures = ['detractor_theme_comments', 'non_detractor_theme_comments'] -%}

with comments as (
    select * from {{ ref('prep_survey_comments') }}
),

themes as (
    select * from {{ ref('prep_comment_themes') }}
),

reporting_periods as (
    select * from {{ ref('dim_reporting_periods') }}
),

nps_comments as (
    select * from comments
    where nps_category in ('promoter', 'passive', 'detractor')
),

monthly_totals as (
    select
        submitted_month,
        {{ segment_columns | join(',\n        ') }},
        sum(case when nps_category = 'detractor' then 1 else 0 end) as detractor_comments,
        sum(case when nps_category = 'detractor' then 0 else 1 end) as non_detractor_comments
    from nps_comments
    group by
        submitted_month,
        {{ segment_columns | join(',\n        ') }}
),

themed_comments as (
    select
        nps_comments.*,
        themes.theme
    from themes
    inner join nps_comments
        on themes.response_id = nps_comments.response_id
            and themes.question_id = nps_comments.question_id
),

monthly_themes as (
    select
        submitted_month,
        {{ segment_columns | join(',\n        ') }},
        theme,
        sum(case when nps_category = 'detractor' then 1 else 0 end) as detractor_theme_comments,
        sum(case when nps_category = 'detractor' then 0 else 1 end) as non_detractor_theme_comments
    from themed_comments
    group by
        submitted_month,
        {{ segment_columns | join(',\n        ') }},
        theme
),

{{ comment_theme_rollup_ctes(
    'monthly_totals', 'monthly_themes', 'reporting_periods', segment_columns, total_measures, theme_measures
) }},

shares as (
    select
        *,
        cast(detractor_theme_comments as {{ type_double() }}) * 100
        / nullif(detractor_comments, 0) as detractor_theme_pct,
        cast(non_detractor_theme_comments as {{ type_double() }}) * 100
        / nullif(non_detractor_comments, 0) as non_detractor_theme_pct,
        case
            when detractor_comments > 0 and non_detractor_comments > 0
                then {{ two_proportion_z(
                    'detractor_theme_comments', 'detractor_comments',
                    'non_detractor_theme_comments', 'non_detractor_comments'
                ) }}
        end as detractor_theme_z
    from counted
),

final as (
    select
        *,
        detractor_theme_pct - non_detractor_theme_pct as detractor_theme_pct_difference,
        detractor_theme_pct / nullif(non_detractor_theme_pct, 0) as detractor_lift,
        coalesce(detractor_theme_z >= {{ confidence_z() }}, false) as is_detractor_driver
    from shares
)

select * from final
