{#- Account health per account x period_grain x period_start: the account's respondents, its account NPS
    category and the decision makers' view, its ARR at the period's end and how long since it last answered a
    survey. Every figure comes from prep_account_health (its rules and docs/account-health.md); this mart
    gives them their BI types and adds the account's ARR at risk. -#}

with account_health as (
    select * from {{ ref('prep_account_health') }}
),

final as (
    select
        account_id,
        period_grain,
        period_start,
        period_end,
        is_complete,
        is_unknown_account,
        industry,
        tier,
        region,
        employee_band,
        cast(respondents as {{ dbt.type_bigint() }}) as respondents,
        cast(promoter_respondents as {{ dbt.type_bigint() }}) as promoter_respondents,
        cast(passive_respondents as {{ dbt.type_bigint() }}) as passive_respondents,
        cast(detractor_respondents as {{ dbt.type_bigint() }}) as detractor_respondents,
        cast(mean_score as {{ type_score() }}) as mean_score,
        account_category,
        cast(decision_maker_respondents as {{ dbt.type_bigint() }}) as decision_maker_respondents,
        cast(decision_maker_mean_score as {{ type_score() }}) as decision_maker_mean_score,
        decision_maker_category,
        cast(unknown_role_respondents as {{ dbt.type_bigint() }}) as unknown_role_respondents,
        is_active_at_end,
        is_revenue_incomplete,
        cast(arr_eur as {{ type_money() }}) as arr_eur,
        cast(
            case when account_category = 'detractor' then arr_eur else 0 end as {{ type_money() }}
        ) as arr_at_risk_eur,
        last_answer_date,
        cast(days_since_last_answer as {{ dbt.type_bigint() }}) as days_since_last_answer,
        is_answered_recently
    from account_health
)

select * from final
