{#- One row per account active in a period (prep_account_period_status: a contract running at the period's
    opening or end) x period_grain x period_start, with its segments as is, its ARR in the period and whether
    it had a survey invitation sent in the period and an answered one: the flags mart_survey_coverage sums
    per segment. An account-period is flagged once, whichever of the period's months the invitations were
    sent in. -#}

with account_periods as (
    select * from {{ ref('prep_account_period_status') }}
    where is_active_at_start or is_active_at_end
),

invitation_history as (
    select * from {{ ref('prep_survey_invitations__history') }}
),

accounts as (
    select * from {{ ref('dim_accounts') }}
),

account_months as (
    select
        account_id,
        sent_month,
        max(is_responded) as is_responded
    from invitation_history
    group by
        account_id,
        sent_month
),

{# One row per active account-period with an invitation sent in it. #}
account_invitations as (
    select
        account_periods.account_id,
        account_periods.period_grain,
        account_periods.period_start,
        max(account_months.is_responded) as is_responded
    from account_periods
    inner join account_months
        on account_periods.account_id = account_months.account_id
            and account_periods.period_start <= account_months.sent_month
            and account_periods.period_end >= account_months.sent_month
    group by
        account_periods.account_id,
        account_periods.period_grain,
        account_periods.period_start
),

{# An account's ARR in the period: at its end when it is still active then, else at its opening (an account
   that churned in the period is still covered by the surveys sent before it left). #}
final as (
    select
        account_periods.account_id,
        account_periods.period_grain,
        account_periods.period_start,
        coalesce(accounts.industry, 'unknown') as industry,
        coalesce(accounts.tier, 'unknown') as tier,
        coalesce(accounts.region, 'unknown') as region,
        coalesce(accounts.employee_band, 'unknown') as employee_band,
        case
            when account_periods.is_active_at_end then account_periods.arr_end_eur
            else account_periods.arr_start_eur
        end as arr_eur,
        cast(
            case when account_invitations.account_id is null then 0 else 1 end as {{ dbt.type_int() }}
        ) as is_invited,
        cast(coalesce(account_invitations.is_responded, 0) as {{ dbt.type_int() }}) as is_responding
    from account_periods
    left join accounts
        on account_periods.account_id = accounts.account_id
    left join account_invitations
        on account_periods.account_id = account_invitations.account_id
            and account_periods.period_grain = account_invitations.period_grain
            and account_periods.period_start = account_invitations.period_start
)

select * from final
