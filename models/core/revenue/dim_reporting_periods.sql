{#- The reporting calendar: one row per period_grain x period_start, from the period holding
    var('reporting_start_date') to the period holding the as-of day. The running period ends on the as-of
    day (is_complete = false). opening_date is the day whose close is the period's opening position: the
    day before period_start, i.e. the previous period's calendar end, so that consecutive periods chain. -#}

{%- set reporting_start = "cast('" ~ checked_var('reporting_start_date', 'date') ~ "' as date)" %}

with month_spine as (
    {{ dbt.date_spine(
        'month',
        "cast(" ~ dbt.date_trunc('month', reporting_start) ~ " as date)",
        "cast(" ~ dbt.dateadd('month', 1, dbt.date_trunc('month', as_of_date_literal())) ~ " as date)"
    ) }}
),

months as (
    select distinct cast(date_month as date) as month_start
    from month_spine
    where cast(date_month as date) <= {{ as_of_date_literal() }}
),

periods as (
    {%- for grain in period_grains() %}
        select distinct
            '{{ grain }}' as period_grain,
            cast({{ dbt.date_trunc(grain, 'month_start') }} as date) as period_start,
            cast(
                {{ dbt.last_day(dbt.date_trunc(grain, 'month_start'), grain) }} as date
            ) as calendar_period_end
        from months
        {%- if not loop.last %}
            union all
        {%- endif %}
    {%- endfor %}
),

final as (
    select
        period_grain,
        period_start,
        cast({{ dbt.dateadd('day', -1, 'period_start') }} as date) as opening_date,
        case
            when calendar_period_end <= {{ as_of_date_literal() }} then calendar_period_end
            else {{ as_of_date_literal() }}
        end as period_end,
        calendar_period_end,
        calendar_period_end <= {{ as_of_date_literal() }} as is_complete
    from periods
)

select * from final
