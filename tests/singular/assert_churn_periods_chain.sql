{#- Consecutive periods chain: the closing position of a period (accounts_end, arr_end, plus the incomplete
    accounts' incomplete_accounts_end, incomplete_arr_end) is the opening position (accounts_start, arr_start,
    plus incomplete_accounts_start, incomplete_arr_start) of the next period of the same grain, in every
    segment. A segment value missing from one of the two periods counts as 0 there. -#}

with churn as (
    select * from {{ ref('mart_churn') }}
),

periods as (
    select * from {{ ref('dim_reporting_periods') }}
),

consecutive_periods as (
    {%- for grain in period_grains() %}
        select
            current_period.period_grain,
            current_period.period_start,
            next_period.period_start as next_period_start
        from periods as current_period
        inner join periods as next_period
            on current_period.period_grain = next_period.period_grain
                and cast({{ dbt.dateadd(grain, 1, 'current_period.period_start') }} as date)
                = next_period.period_start
        where current_period.period_grain = '{{ grain }}'
        {%- if not loop.last %}
            union all
        {%- endif %}
    {%- endfor %}
),

closing as (
    select
        consecutive_periods.period_grain,
        consecutive_periods.next_period_start as period_start,
        churn.segment_dimension,
        churn.segment_value,
        churn.accounts_end + churn.incomplete_accounts_end as accounts,
        churn.arr_end + churn.incomplete_arr_end as arr
    from consecutive_periods
    inner join churn
        on consecutive_periods.period_grain = churn.period_grain
            and consecutive_periods.period_start = churn.period_start
),

opening as (
    select
        consecutive_periods.period_grain,
        consecutive_periods.next_period_start as period_start,
        churn.segment_dimension,
        churn.segment_value,
        churn.accounts_start + churn.incomplete_accounts_start as accounts,
        churn.arr_start + churn.incomplete_arr_start as arr
    from consecutive_periods
    inner join churn
        on consecutive_periods.period_grain = churn.period_grain
            and consecutive_periods.next_period_start = churn.period_start
),

compared as (
    select
        coalesce(closing.period_grain, opening.period_grain) as period_grain,
        coalesce(closing.period_start, opening.period_start) as period_start,
        coalesce(closing.segment_dimension, opening.segment_dimension) as segment_dimension,
        coalesce(closing.segment_value, opening.segment_value) as segment_value,
        coalesce(closing.accounts, 0) as previous_accounts_end,
        coalesce(opening.accounts, 0) as accounts_start,
        coalesce(closing.arr, 0) as previous_arr_end,
        coalesce(opening.arr, 0) as arr_start
    from closing
    full outer join opening
        on closing.period_grain = opening.period_grain
            and closing.period_start = opening.period_start
            and closing.segment_dimension = opening.segment_dimension
            and closing.segment_value = opening.segment_value
)

select * from compared
where previous_accounts_end <> accounts_start
    or previous_arr_end <> arr_start
