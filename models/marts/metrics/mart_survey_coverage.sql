{#- Survey coverage per period and account segment (as is): of the accounts active in the period and their
    ARR, how many had at least one survey invitation and at least one answered invitation in it. Each
    account-period is flagged once (an invitation sent in any of the period's months), so the counts add up
    over segments but not over months; the shares are computed last. -#}
{%- set measures = [
    'active_accounts', 'arr_eur', 'invited_accounts', 'invited_arr_eur', 'responding_accounts',
    'responding_arr_eur',
] -%}

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
covered_accounts as (
    select
        account_periods.period_grain,
        account_periods.period_start,
        accounts.{{ account_segment_columns() | join(',\n        accounts.') }},
        1 as active_accounts,
        case
            when account_periods.is_active_at_end then account_periods.arr_end_eur
            else account_periods.arr_start_eur
        end as arr_eur,
        case when account_invitations.account_id is null then 0 else 1 end as invited_accounts,
        coalesce(account_invitations.is_responded, 0) as responding_accounts
    from account_periods
    left join accounts
        on account_periods.account_id = accounts.account_id
    left join account_invitations
        on account_periods.account_id = account_invitations.account_id
            and account_periods.period_grain = account_invitations.period_grain
            and account_periods.period_start = account_invitations.period_start
),

weighted_accounts as (
    select
        *,
        invited_accounts * arr_eur as invited_arr_eur,
        responding_accounts * arr_eur as responding_arr_eur
    from covered_accounts
),

segments as (
    {{ rollup_segments(
        'weighted_accounts', ['period_grain', 'period_start'], account_segment_columns(), measures
    ) }}
),

final as (
    select
        period_grain,
        period_start,
        segment_dimension,
        segment_value,
        cast(active_accounts as {{ dbt.type_bigint() }}) as active_accounts,
        cast(arr_eur as {{ type_money() }}) as arr_eur,
        cast(invited_accounts as {{ dbt.type_bigint() }}) as invited_accounts,
        cast(invited_arr_eur as {{ type_money() }}) as invited_arr_eur,
        cast(responding_accounts as {{ dbt.type_bigint() }}) as responding_accounts,
        cast(responding_arr_eur as {{ type_money() }}) as responding_arr_eur,
        cast(invited_accounts as {{ type_double() }}) * 100 / active_accounts as invited_accounts_pct,
        cast(invited_arr_eur as {{ type_double() }}) * 100 / nullif(arr_eur, 0) as invited_arr_pct,
        cast(responding_accounts as {{ type_double() }}) * 100 / active_accounts as responding_accounts_pct,
        cast(responding_arr_eur as {{ type_double() }}) * 100 / nullif(arr_eur, 0) as responding_arr_pct
    from segments
)

select * from final
