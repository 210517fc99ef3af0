{#- Probabilistic customer lifetime value per valid account, beside the simple formula of mart_clv: the scores
    of prep_account_clv_scores (BG/NBD for how many invoice days to expect and whether the account is still
    alive, Gamma-Gamma for the EUR per invoice day, a discounted CLV over 12 months and over
    var('clv_horizon_months')), typed for BI, with the account's segments and its RFM summary. Figures are
    null for an account without a purchase, with an incomplete revenue history, or when a model could not be
    fitted (its status column says why). The RFM summary comes through the Python model, which returns
    pandas types (timestamps for dates, floats for decimals): cast back here. -#}

with accounts as (
    select * from {{ ref('dim_accounts') }}
    where not is_unknown_member
),

scores as (
    select * from {{ ref('prep_account_clv_scores') }}
),

final as (
    select
        accounts.account_id,
        accounts.tier,
        accounts.industry,
        accounts.region,
        accounts.employee_band,
        cast(scores.invoice_days as {{ dbt.type_bigint() }}) as invoice_days,
        cast(scores.repeat_invoice_days as {{ dbt.type_bigint() }}) as repeat_invoice_days,
        cast(scores.first_invoice_date as date) as first_invoice_date,
        cast(scores.last_invoice_date as date) as last_invoice_date,
        cast(scores.recency_weeks as {{ type_rate() }}) as recency_weeks,
        cast(scores.age_weeks as {{ type_rate() }}) as age_weeks,
        cast(scores.avg_repeat_invoice_eur as {{ type_money() }}) as avg_repeat_invoice_eur,
        cast(scores.expected_invoice_days_12m as {{ type_rate() }}) as expected_invoice_days_12m,
        cast(scores.probability_alive as {{ type_rate() }}) as probability_alive,
        cast(scores.expected_avg_invoice_eur as {{ type_money() }}) as expected_avg_invoice_eur,
        cast(scores.clv_12m_eur as {{ type_money() }}) as clv_12m_eur,
        cast(scores.clv_horizon_eur as {{ type_money() }}) as clv_horizon_eur,
        cast(scores.horizon_months as {{ dbt.type_bigint() }}) as horizon_months,
        cast(scores.annual_discount_rate as {{ type_rate() }}) as annual_discount_rate,
        scores.bg_nbd_status,
        scores.gamma_gamma_status,
        cast(scores.bg_nbd_r as {{ type_double() }}) as bg_nbd_r,
        cast(scores.bg_nbd_alpha_weeks as {{ type_double() }}) as bg_nbd_alpha_weeks,
        cast(scores.bg_nbd_a as {{ type_double() }}) as bg_nbd_a,
        cast(scores.bg_nbd_b as {{ type_double() }}) as bg_nbd_b,
        cast(scores.bg_nbd_accounts as {{ dbt.type_bigint() }}) as bg_nbd_accounts,
        cast(scores.gamma_gamma_p as {{ type_double() }}) as gamma_gamma_p,
        cast(scores.gamma_gamma_q as {{ type_double() }}) as gamma_gamma_q,
        cast(scores.gamma_gamma_gamma_eur as {{ type_double() }}) as gamma_gamma_gamma_eur,
        cast(scores.gamma_gamma_accounts as {{ dbt.type_bigint() }}) as gamma_gamma_accounts,
        cast(scores.quarantined_revenue_rows as {{ dbt.type_bigint() }}) as quarantined_revenue_rows,
        cast(scores.is_revenue_incomplete as {{ dbt.type_boolean() }}) as is_revenue_incomplete
    from accounts
    inner join scores
        on accounts.account_id = scores.account_id
)

select * from final
