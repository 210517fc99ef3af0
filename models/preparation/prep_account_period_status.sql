{#- One row per account x period_grain x period_start for the accounts active at the period's opening or
    at its end. An account is active on a day when one of its contracts runs that day: start_date <= day and
    (end_date is null or end_date >= day), end_date inclusive.
    The opening position is taken at the close of opening_date (the day before period_start, = the previous
    period's end), the closing position at the close of period_end (capped at the as-of day). So a period's
    end equals the next period's start, a contract starting on period_start is new in that period, and a
    contract whose last day is the previous period's last day is churned in this period.
    is_revenue_incomplete: a quarantined contract or churn event of the account concerns the period
    (int_account_revenue_gaps: its days overlap the opening day to period_end; a value that did not parse
    concerns every period), so the positions seen here may lack it: mart_churn keeps such account-periods out
    of its movements and rates and counts them apart. The accounts marked are those the warehouse knows (a
    valid contract or a valid CRM row), listed even when no valid contract runs in the period: an account
    whose only contract was quarantined is a gap in new business, not an account that never bought.
    Scale: the range join pairs each contract only with the periods it overlaps (a few dozen per grain),
    and every other join is on equality. -#}

{%- set as_of = as_of_date_literal() -%}

with contracts as (
    select * from {{ ref('fct_contracts') }}
),

periods as (
    select * from {{ ref('dim_reporting_periods') }}
),

accounts as (
    select * from {{ ref('int_accounts__checked') }}
),

revenue_gaps as (
    select * from {{ ref('int_account_revenue_gaps') }}
    where
        source_table in ('contracts', 'churn_events')
        and (
            account_id in (select contracts.account_id from contracts)
            or account_id in (
                select accounts.account_id from accounts
                where accounts.quarantine_reason is null
            )
        )
),

contract_periods as (
    {#- A contract that has not ended runs through the as-of day, the last day any period looks at. -#}
    select
        contracts.account_id,
        periods.period_grain,
        periods.period_start,
        periods.opening_date,
        periods.period_end,
        contracts.arr_eur,
        contracts.start_date <= periods.opening_date
        and coalesce(contracts.end_date, {{ as_of }}) >= periods.opening_date as runs_at_opening,
        contracts.start_date <= periods.period_end
        and coalesce(contracts.end_date, {{ as_of }}) >= periods.period_end as runs_at_end
    from contracts
    inner join periods
        on contracts.start_date <= periods.period_end
            and coalesce(contracts.end_date, {{ as_of }}) >= periods.opening_date
),

account_periods as (
    select
        account_id,
        period_grain,
        period_start,
        opening_date,
        period_end,
        {{ dbt.bool_or('runs_at_opening') }} as is_active_at_start,
        {{ dbt.bool_or('runs_at_end') }} as is_active_at_end,
        sum(case when runs_at_opening then arr_eur else 0 end) as arr_start_eur,
        sum(case when runs_at_end then arr_eur else 0 end) as arr_end_eur
    from contract_periods
    group by
        account_id,
        period_grain,
        period_start,
        opening_date,
        period_end
),

incomplete_periods as (
    select distinct
        revenue_gaps.account_id,
        periods.period_grain,
        periods.period_start,
        periods.opening_date,
        periods.period_end
    from revenue_gaps
    inner join periods
        on (revenue_gaps.gap_from is null or revenue_gaps.gap_from <= periods.period_end)
            and (revenue_gaps.gap_to is null or revenue_gaps.gap_to >= periods.opening_date)
),

active_periods as (
    select * from account_periods
    where is_active_at_start or is_active_at_end
),

final as (
    select
        coalesce(active_periods.account_id, incomplete_periods.account_id) as account_id,
        coalesce(active_periods.period_grain, incomplete_periods.period_grain) as period_grain,
        coalesce(active_periods.period_start, incomplete_periods.period_start) as period_start,
        coalesce(active_periods.opening_date, incomplete_periods.opening_date) as opening_date,
        coalesce(active_periods.period_end, incomplete_periods.period_end) as period_end,
        coalesce(active_periods.is_active_at_start, false) as is_active_at_start,
        coalesce(active_periods.is_active_at_end, false) as is_active_at_end,
        incomplete_periods.account_id is not null as is_revenue_incomplete,
        cast(coalesce(active_periods.arr_start_eur, 0) as {{ type_money() }}) as arr_start_eur,
        cast(coalesce(active_periods.arr_end_eur, 0) as {{ type_money() }}) as arr_end_eur
    from active_periods
    full outer join incomplete_periods
        on active_periods.account_id = incomplete_periods.account_id
            and active_periods.period_grain = incomplete_periods.period_grain
            and active_periods.period_start = incomplete_periods.period_start
)

select * from final
