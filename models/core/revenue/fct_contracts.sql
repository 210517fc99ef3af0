{#- One row per valid contract, with its ARR converted to EUR at the fx_rates seed's rate. The checked model
    has already quarantined contracts whose currency has no rate, so the join keeps every row (tested). -#}

with contracts as (
    select * from {{ ref('int_contracts__checked') }}
    where quarantine_reason is null
),

fx_rates as (
    select * from {{ ref('fx_rates') }}
),

final as (
    select
        contracts.contract_id,
        contracts.account_id,
        contracts.product,
        contracts.start_date,
        contracts.end_date,
        contracts.end_date is null as is_open_ended,
        cast(contracts.arr as {{ type_money() }}) as arr,
        contracts.currency,
        cast(fx_rates.rate_to_eur as {{ type_rate() }}) as rate_to_eur,
        {{ money_to_eur('contracts.arr', 'fx_rates.rate_to_eur') }} as arr_eur
    from contracts
    left join fx_rates
        on contracts.currency = fx_rates.currency_code
)

select * from final
