{#- Logo and revenue churn per period_grain x period_start x segment. Every stored count and ARR column is
    additive (summed over accounts, then over segment values); the ratios are computed in the last CTE only.
    Churn is defined by contracts (prep_account_period_status, summed per account in
    prep_account_period_movements); churn_events_recorded counts the CRM's recorded churn events dated in the
    period, for comparison. An account-period with a quarantined contract or churn
    event (is_revenue_incomplete) is kept out of the movements, positions and rates, since the missing row
    could be read as churn or contraction: incomplete_accounts counts those account-periods, and
    incomplete_accounts_start/_end and incomplete_arr_start/_end hold the positions they would add, so that
    accounts_end + incomplete_accounts_end of a period equals accounts_start + incomplete_accounts_start of
    the next (tests/singular/assert_churn_periods_chain.sql). -#}

{%- set incomplete_measures = [
    'incomplete_accounts', 'incomplete_accounts_start', 'incomplete_accounts_end', 'incomplete_arr_start',
    'incomplete_arr_end',
] -%}
{%- set measures = [
    'accounts_start', 'new_accounts', 'churned_accounts', 'accounts_end', 'churn_events_recorded',
    'arr_start', 'arr_new', 'arr_expansion', 'arr_contraction', 'arr_churned', 'arr_end',
] + incomplete_measures -%}
{%- set retained = retained_position_expressions() -%}

with period_movements as (
    select * from {{ ref('prep_account_period_movements') }}
),

periods as (
    select * from {{ ref('dim_reporting_periods') }}
),

accounts as (
    select * from {{ ref('dim_accounts') }}
),

churn_events as (
    select * from {{ ref('fct_churn_events') }}
),

{# The movements (prep_account_period_movements), beside which this mart counts recorded churn events. #}
account_movements as (
    select
        account_id,
        period_grain,
        period_start,
        accounts_start,
        new_accounts,
        churned_accounts,
        accounts_end,
        0 as churn_events_recorded,
        arr_start,
        arr_new,
        arr_expansion,
        arr_contraction,
        arr_churned,
        arr_end,
        incomplete_accounts,
        incomplete_accounts_start,
        incomplete_accounts_end,
        incomplete_arr_start,
        incomplete_arr_end
    from period_movements
),

recorded_churn as (
    select
        churn_events.account_id,
        periods.period_grain,
        periods.period_start,
        0 as accounts_start,
        0 as new_accounts,
        0 as churned_accounts,
        0 as accounts_end,
        1 as churn_events_recorded,
        cast(0 as {{ type_money() }}) as arr_start,
        cast(0 as {{ type_money() }}) as arr_new,
        cast(0 as {{ type_money() }}) as arr_expansion,
        cast(0 as {{ type_money() }}) as arr_contraction,
        cast(0 as {{ type_money() }}) as arr_churned,
        cast(0 as {{ type_money() }}) as arr_end,
        0 as incomplete_accounts,
        0 as incomplete_accounts_start,
        0 as incomplete_accounts_end,
        cast(0 as {{ type_money() }}) as incomplete_arr_start,
        cast(0 as {{ type_money() }}) as incomplete_arr_end
    from churn_events
    inner join periods
        on churn_events.churned_on >= periods.period_start
            and churn_events.churned_on <= periods.period_end
),

account_rows as (
    select * from account_movements
    union all
    select * from recorded_churn
),

segmented as (
    select
        account_rows.*,
        accounts.{{ account_segment_columns() | join(',\n        accounts.') }}
    from account_rows
    left join accounts
        on account_rows.account_id = accounts.account_id
),

rolled_up as (
    {{ rollup_segments(
        'segmented',
        ['period_grain', 'period_start'],
        account_segment_columns(),
        measures
    ) }}
),

{# Every period gets its 'all' row, also when no account was active in it. #}
segment_keys as (
    select
        period_grain,
        period_start,
        segment_dimension,
        segment_value
    from rolled_up
    union
    select
        period_grain,
        period_start,
        'all' as segment_dimension,
        'all' as segment_value
    from periods
),

totals as (
    select
        segment_keys.period_grain,
        segment_keys.period_start,
        periods.period_end,
        periods.is_complete,
        segment_keys.segment_dimension,
        segment_keys.segment_value,
        cast(coalesce(rolled_up.accounts_start, 0) as {{ dbt.type_bigint() }}) as accounts_start,
        cast(coalesce(rolled_up.new_accounts, 0) as {{ dbt.type_bigint() }}) as new_accounts,
        cast(coalesce(rolled_up.churned_accounts, 0) as {{ dbt.type_bigint() }}) as churned_accounts,
        cast(coalesce(rolled_up.accounts_end, 0) as {{ dbt.type_bigint() }}) as accounts_end,
        cast(
            coalesce(rolled_up.churn_events_recorded, 0) as {{ dbt.type_bigint() }}
        ) as churn_events_recorded,
        cast(coalesce(rolled_up.arr_start, 0) as {{ type_money() }}) as arr_start,
        cast(coalesce(rolled_up.arr_new, 0) as {{ type_money() }}) as arr_new,
        cast(coalesce(rolled_up.arr_expansion, 0) as {{ type_money() }}) as arr_expansion,
        cast(coalesce(rolled_up.arr_contraction, 0) as {{ type_money() }}) as arr_contraction,
        cast(coalesce(rolled_up.arr_churned, 0) as {{ type_money() }}) as arr_churned,
        cast(coalesce(rolled_up.arr_end, 0) as {{ type_money() }}) as arr_end,
        cast(coalesce(rolled_up.incomplete_accounts, 0) as {{ dbt.type_bigint() }}) as incomplete_accounts,
        cast(
            coalesce(rolled_up.incomplete_accounts_start, 0) as {{ dbt.type_bigint() }}
        ) as incomplete_accounts_start,
        cast(
            coalesce(rolled_up.incomplete_accounts_end, 0) as {{ dbt.type_bigint() }}
        ) as incomplete_accounts_end,
        cast(coalesce(rolled_up.incomplete_arr_start, 0) as {{ type_money() }}) as incomplete_arr_start,
        cast(coalesce(rolled_up.incomplete_arr_end, 0) as {{ type_money() }}) as incomplete_arr_end
    from segment_keys
    inner join periods
        on segment_keys.period_grain = periods.period_grain
            and segment_keys.period_start = periods.period_start
    left join rolled_up
        on segment_keys.period_grain = rolled_up.period_grain
            and segment_keys.period_start = rolled_up.period_start
            and segment_keys.segment_dimension = rolled_up.segment_dimension
            and segment_keys.segment_value = rolled_up.segment_value
),

ratio_inputs as (
    select
        *,
        {{ retained['accounts_retained'] }} as accounts_retained,
        {{ retained['arr_retained_gross'] }} as arr_retained_gross,
        {{ retained['arr_retained_net'] }} as arr_retained_net
    from totals
),

{# Ratios in percent, from the summed components; null when the denominator is 0. #}
final as (
    select
        period_grain,
        period_start,
        period_end,
        is_complete,
        segment_dimension,
        segment_value,
        accounts_start,
        new_accounts,
        churned_accounts,
        accounts_end,
        churn_events_recorded,
        arr_start,
        arr_new,
        arr_expansion,
        arr_contraction,
        arr_churned,
        arr_end,
        incomplete_accounts,
        incomplete_accounts_start,
        incomplete_accounts_end,
        incomplete_arr_start,
        incomplete_arr_end,
        case
            when accounts_start > 0 then cast(100.0 * churned_accounts / accounts_start as {{ type_rate() }})
        end as logo_churn_rate,
        case
            when accounts_start > 0 then cast(100.0 * accounts_retained / accounts_start as {{ type_rate() }})
        end as crr,
        case
            when arr_start > 0 then cast(100.0 * arr_retained_gross / arr_start as {{ type_rate() }})
        end as grr,
        case
            when arr_start > 0 then cast(100.0 * arr_retained_net / arr_start as {{ type_rate() }})
        end as nrr
    from ratio_inputs
)

select * from final
