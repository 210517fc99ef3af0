{#- mart_clv accounts for every valid invoice dated up to the as-of day: purchases, credit notes and the net
    EUR amount summed over its accounts equal fct_invoices'. Fails with one row when they differ. -#}

with clv as (
    select * from {{ ref('mart_clv') }}
),

invoices as (
    select * from {{ ref('fct_invoices') }}
    where invoice_date <= {{ as_of_date_literal() }}
),

clv_totals as (
    select
        coalesce(sum(invoices), 0) as purchases,
        coalesce(sum(credit_notes), 0) as credit_notes,
        coalesce(sum(invoiced_eur), 0) as invoiced_eur
    from clv
),

invoice_totals as (
    select
        count(case when amount_eur > 0 then invoice_id end) as purchases,
        count(case when amount_eur < 0 then invoice_id end) as credit_notes,
        coalesce(sum(amount_eur), 0) as invoiced_eur
    from invoices
)

select
    clv_totals.purchases as clv_purchases,
    invoice_totals.purchases as invoice_purchases,
    clv_totals.credit_notes as clv_credit_notes,
    invoice_totals.credit_notes as invoice_credit_notes,
    clv_totals.invoiced_eur as clv_invoiced_eur,
    invoice_totals.invoiced_eur as invoice_invoiced_eur
from clv_totals
cross join invoice_totals
where clv_totals.purchases <> invoice_totals.purchases
    or clv_totals.credit_notes <> invoice_totals.credit_notes
    or clv_totals.invoiced_eur <> invoice_totals.invoiced_eur
