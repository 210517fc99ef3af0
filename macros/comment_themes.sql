{#- The comment theme marts' roll-up, as CTEs to put in a model's `with`: monthly totals of comments
    (`totals`: submitted_month, <segment_columns>, <total_measures>) and monthly theme counts (`themes`: the
    same plus theme, <theme_measures>) are rolled up to month, quarter and year and to the segments
    (macros/rollups.sql), and each theme row of a reported period gets the totals of its period and segment
    beside it. Ends with the CTE `counted`: period_grain, period_start, segment_dimension, segment_value,
    theme, <total_measures>, <theme_measures>, all additive counts. -#}
{% macro comment_theme_rollup_ctes(totals, themes, reporting_periods, segment_columns, total_measures, theme_measures) -%}
total_periods as (
    {{ rollup_months_to_periods(totals, 'submitted_month', segment_columns, total_measures) }}
),

theme_periods as (
    {{ rollup_months_to_periods(themes, 'submitted_month', segment_columns + ['theme'], theme_measures) }}
),

total_segments as (
    {{ rollup_segments('total_periods', ['period_grain', 'period_start'], segment_columns, total_measures) }}
),

theme_segments as (
    {{ rollup_segments(
        'theme_periods', ['period_grain', 'period_start', 'theme'], segment_columns, theme_measures
    ) }}
),

counted as (
    select
        theme_segments.period_grain,
        theme_segments.period_start,
        theme_segments.segment_dimension,
        theme_segments.segment_value,
        theme_segments.theme,
        {%- for measure in total_measures %}
        cast(total_segments.{{ measure }} as {{ dbt.type_bigint() }}) as {{ measure }},
        {%- endfor %}
        {%- for measure in theme_measures %}
        cast(theme_segments.{{ measure }} as {{ dbt.type_bigint() }}) as {{ measure }}{{ ',' if not loop.last }}
        {%- endfor %}
    from theme_segments
    inner join total_segments
        on theme_segments.period_grain = total_segments.period_grain
            and theme_segments.period_start = total_segments.period_start
            and theme_segments.segment_dimension = total_segments.segment_dimension
            and theme_segments.segment_value = total_segments.segment_value
    inner join {{ reporting_periods }}
        on theme_segments.period_grain = {{ reporting_periods }}.period_grain
            and theme_segments.period_start = {{ reporting_periods }}.period_start
)
{%- endmacro %}
