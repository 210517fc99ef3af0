{#- Why customers leave: churned accounts and churned ARR per period_grain x period_start x segment x reason
    category x NPS category of each account's last answer before it left (prep_churned_accounts). The counts
    and ARR are additive and add up, over reasons and NPS categories, to mart_churn's churned_accounts and
    arr_churned (tests/singular/assert_churn_reasons_reconcile_with_mart_churn.sql); the shares of the
    period-segment's churn are computed last. Segments as is (dim_accounts, through prep_churned_accounts), as in
    mart_churn. -#}

{%- set measures = ['churned_accounts', 'arr_churned'] -%}

with churned as (
    select * from {{ ref('prep_churned_accounts') }}
),

periods as (
    select * from {{ ref('dim_reporting_periods') }}
),

segmented as (
    select
        churned.period_grain,
        churned.period_start,
        churned.reason_category,
        churned.last_nps_category,
        1 as churned_accounts,
        churned.arr_churned_eur as arr_churned,
        churned.{{ account_segment_columns() | join(',\n        churned.') }}
    from churned
),

rolled_up as (
    {{ rollup_segments(
        'segmented',
        ['period_grain', 'period_start', 'reason_category', 'last_nps_category'],
        account_segment_columns(),
        measures
    ) }}
),

totals as (
    select
        rolled_up.period_grain,
        rolled_up.period_start,
        periods.period_end,
        periods.is_complete,
        rolled_up.segment_dimension,
        rolled_up.segment_value,
        rolled_up.reason_category,
        rolled_up.last_nps_category,
        cast(rolled_up.churned_accounts as {{ dbt.type_bigint() }}) as churned_accounts,
        cast(rolled_up.arr_churned as {{ type_money() }}) as arr_churned,
        sum(rolled_up.churned_accounts) over (
            partition by
                rolled_up.period_grain,
                rolled_up.period_start,
                rolled_up.segment_dimension,
                rolled_up.segment_value
        ) as segment_churned_accounts,
        sum(rolled_up.arr_churned) over (
            partition by
                rolled_up.period_grain,
                rolled_up.period_start,
                rolled_up.segment_dimension,
                rolled_up.segment_value
        ) as segment_arr_churned
    from rolled_up
    inner join periods
        on rolled_up.period_grain = periods.period_grain
            and rolled_up.period_start = periods.period_start
),

final as (
    select
        period_grain,
        period_start,
        period_end,
        is_complete,
        segment_dimension,
        segment_value,
        reason_category,
        last_nps_category,
        churned_accounts,
        arr_churned,
        cast(
            100.0 * churned_accounts / segment_churned_accounts as {{ type_rate() }}
        ) as share_of_churned_accounts,
        case
            when segment_arr_churned > 0
                then cast(100.0 * arr_churned / segment_arr_churned as {{ type_rate() }})
        end as share_of_arr_churned
    from totals
)

select * from final
