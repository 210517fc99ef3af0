{#- The reporting calendar by day: one row per day from var('reporting_start_date') to the as-of day, the days
    dim_reporting_periods' periods are made of. The semantic layer's time spine (MetricFlow needs one at day
    grain to resolve metric_time; docs/semantic-layer.md). -#}

{%- set reporting_start = "cast('" ~ checked_var('reporting_start_date', 'date') ~ "' as date)" %}

with day_spine as (
    {{ dbt.date_spine(
        'day',
        reporting_start,
        "cast(" ~ dbt.dateadd('day', 1, as_of_date_literal()) ~ " as date)"
    ) }}
),

final as (
    select cast(date_day as date) as date_day
    from day_spine
)

select * from final
