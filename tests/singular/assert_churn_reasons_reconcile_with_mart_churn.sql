{#- mart_churn_reasons splits mart_churn's churn by reason and NPS category: for every period and segment, its
    churned accounts and churned ARR summed over reasons and NPS categories equal mart_churn's
    churned_accounts and arr_churned. Fails for each period-segment where they differ (a side without rows
    counts as 0). -#}

with churn as (
    select * from {{ ref('mart_churn') }}
),

reasons as (
    select * from {{ ref('mart_churn_reasons') }}
),

reason_totals as (
    select
        period_grain,
        period_start,
        segment_dimension,
        segment_value,
        sum(churned_accounts) as churned_accounts,
        sum(arr_churned) as arr_churned
    from reasons
    group by
        period_grain,
        period_start,
        segment_dimension,
        segment_value
),

compared as (
    select
        coalesce(churn.period_grain, reason_totals.period_grain) as period_grain,
        coalesce(churn.period_start, reason_totals.period_start) as period_start,
        coalesce(churn.segment_dimension, reason_totals.segment_dimension) as segment_dimension,
        coalesce(churn.segment_value, reason_totals.segment_value) as segment_value,
        coalesce(churn.churned_accounts, 0) as mart_churn_accounts,
        coalesce(reason_totals.churned_accounts, 0) as reason_accounts,
        coalesce(churn.arr_churned, 0) as mart_churn_arr,
        coalesce(reason_totals.arr_churned, 0) as reason_arr
    from churn
    full outer join reason_totals
        on churn.period_grain = reason_totals.period_grain
            and churn.period_start = reason_totals.period_start
            and churn.segment_dimension = reason_totals.segment_dimension
            and churn.segment_value = reason_totals.segment_value
)

select * from compared
where
    mart_churn_accounts <> reason_accounts
    or mart_churn_arr <> reason_arr
