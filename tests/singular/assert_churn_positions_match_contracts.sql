{#- Recounts the 'all' rows of mart_churn straight from fct_contracts: the accounts and the ARR of the
    contracts running at the close of opening_date and of period_end (start_date <= day and
    (end_date is null or end_date >= day)). mart_churn holds them split into complete accounts and incomplete
    ones (a quarantined contract or churn event), so the two parts are added. Fails for every period where
    mart_churn differs. -#}

with churn_rows as (
    select * from {{ ref('mart_churn') }}
    where segment_dimension = 'all'
),

churn as (
    select
        period_grain,
        period_start,
        accounts_start + incomplete_accounts_start as accounts_start,
        accounts_end + incomplete_accounts_end as accounts_end,
        arr_start + incomplete_arr_start as arr_start,
        arr_end + incomplete_arr_end as arr_end
    from churn_rows
),

periods as (
    select * from {{ ref('dim_reporting_periods') }}
),

contracts as (
    select * from {{ ref('fct_contracts') }}
),

positions as (
    select
        periods.period_grain,
        periods.period_start,
        count(distinct case
            when contracts.start_date <= periods.opening_date
                and (contracts.end_date is null or contracts.end_date >= periods.opening_date)
                then contracts.account_id
        end) as accounts_start,
        count(distinct case
            when contracts.start_date <= periods.period_end
                and (contracts.end_date is null or contracts.end_date >= periods.period_end)
                then contracts.account_id
        end) as accounts_end,
        coalesce(sum(case
            when contracts.start_date <= periods.opening_date
                and (contracts.end_date is null or contracts.end_date >= periods.opening_date)
                then contracts.arr_eur
        end), 0) as arr_start,
        coalesce(sum(case
            when contracts.start_date <= periods.period_end
                and (contracts.end_date is null or contracts.end_date >= periods.period_end)
                then contracts.arr_eur
        end), 0) as arr_end
    from periods
    left join contracts
        on periods.period_end >= contracts.start_date
            and (contracts.end_date is null or periods.opening_date <= contracts.end_date)
    group by
        periods.period_grain,
        periods.period_start
)

select
    positions.period_grain,
    positions.period_start,
    positions.accounts_start as recounted_accounts_start,
    churn.accounts_start,
    positions.accounts_end as recounted_accounts_end,
    churn.accounts_end,
    positions.arr_start as recounted_arr_start,
    churn.arr_start,
    positions.arr_end as recounted_arr_end,
    churn.arr_end
from positions
left join churn
    on positions.period_grain = churn.period_grain
        and positions.period_start = churn.period_start
where churn.period_start is null
    or positions.accounts_start <> churn.accounts_start
    or positions.accounts_end <> churn.accounts_end
    or positions.arr_start <> churn.arr_start
    or positions.arr_end <> churn.arr_end
