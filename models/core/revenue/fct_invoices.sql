{#- One row per valid invoice (credit notes have a negative amount), with the amount converted to EUR at the
    fx_rates seed's rate. Currencies without a rate were quarantined upstream, so the join keeps every row.
    -#}

with invoices as (
    select * from {{ ref('int_invoices__checked') }}
    where quarantine_reason is null
),

fx_rates as (
    select * from {{ ref('fx_rates') }}
),

final as (
    select
        invoices.invoice_id,
        invoices.account_id,
        invoices.invoice_date,
        cast(invoices.amount as {{ type_money() }}) as amount,
        invoices.currency,
        cast(fx_rates.rate_to_eur as {{ type_rate() }}) as rate_to_eur,
        {{ money_to_eur('invoices.amount', 'fx_rates.rate_to_eur') }} as amount_eur,
        invoices.amount < 0 as is_credit_note
    from invoices
    left join fx_rates
        on invoices.currency = fx_rates.currency_code
)

select * from final
