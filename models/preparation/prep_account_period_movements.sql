{#- Each account's contribution to a period (account_id x period_grain x period_start of
    prep_account_period_status): 0/1 counts of its position and movement and its ARR movement, split so that
    arr_end = arr_start + arr_new + arr_expansion - arr_contraction - arr_churned holds per account. An
    account-period with a quarantined contract or churn event (is_revenue_incomplete) adds nothing to the
    movements and positions and is counted in the incomplete_* columns instead. Every column is additive over
    accounts (not over periods: a period's opening is not the sum of its months' openings): mart_churn sums it
    per period and segment, and the semantic model account_period_movements (models/semantic/) sums the same
    rows. -#}

with account_periods as (
    select * from {{ ref('prep_account_period_status') }}
),

final as (
    select
        account_id,
        period_grain,
        period_start,
        {%- set complete = 'not is_revenue_incomplete and ' %}
        case when {{ complete }}is_active_at_start then 1 else 0 end as accounts_start,
        case
            when {{ complete }}is_active_at_end and not is_active_at_start then 1 else 0
        end as new_accounts,
        case
            when {{ complete }}is_active_at_start and not is_active_at_end then 1 else 0
        end as churned_accounts,
        case when {{ complete }}is_active_at_end then 1 else 0 end as accounts_end,
        case when not is_revenue_incomplete then arr_start_eur else 0 end as arr_start,
        case
            when {{ complete }}is_active_at_end and not is_active_at_start then arr_end_eur else 0
        end as arr_new,
        case
            when {{ complete }}is_active_at_start and is_active_at_end and arr_end_eur > arr_start_eur
                then arr_end_eur - arr_start_eur
            else 0
        end as arr_expansion,
        case
            when {{ complete }}is_active_at_start and is_active_at_end and arr_end_eur < arr_start_eur
                then arr_start_eur - arr_end_eur
            else 0
        end as arr_contraction,
        case
            when {{ complete }}is_active_at_start and not is_active_at_end then arr_start_eur else 0
        end as arr_churned,
        case when not is_revenue_incomplete then arr_end_eur else 0 end as arr_end,
        case when is_revenue_incomplete then 1 else 0 end as incomplete_accounts,
        case when is_revenue_incomplete and is_active_at_start then 1 else 0 end as incomplete_accounts_start,
        case when is_revenue_incomplete and is_active_at_end then 1 else 0 end as incomplete_accounts_end,
        case when is_revenue_incomplete then arr_start_eur else 0 end as incomplete_arr_start,
        case when is_revenue_incomplete then arr_end_eur else 0 end as incomplete_arr_end
    from account_periods
)

select * from final
