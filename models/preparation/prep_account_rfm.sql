{#- The RFM summary of every valid account's invoice history, the input of the BG/NBD and Gamma-Gamma fits
    (prep_account_clv_scores). A transaction is an invoice day: the account's invoices with a positive amount
    dated up to the as-of day, summed per day (two invoices on one day are one purchase, as the models count
    time in whole days). Credit notes are not purchases and are not netted here (the spend model needs positive
    values); mart_clv nets them.
      repeat_invoice_days (x) = invoice days after the first one;
      recency_days (t_x) = days from the first to the last invoice day;
      age_days (T) = days from the first invoice day to the as-of day;
      the _weeks columns are the same divided by 7 (the models' time unit);
      avg_repeat_invoice_eur (m_x) = the EUR of the repeat invoice days / x.
    Accounts with quarantined contracts or invoices are flagged as in mart_clv (is_revenue_incomplete) and
    kept out of the fit. -#}

{%- set as_of = as_of_date_literal() -%}

with accounts as (
    select * from {{ ref('dim_accounts') }}
    where not is_unknown_member
),

invoices as (
    select * from {{ ref('fct_invoices') }}
    where invoice_date <= {{ as_of }} and amount_eur > 0
),

revenue_gaps as (
    select * from {{ ref('int_account_revenue_gaps') }}
    where source_table in ('contracts', 'invoices')
),

account_gaps as (
    select
        account_id,
        count(*) as quarantined_revenue_rows
    from revenue_gaps
    group by account_id
),

invoice_days as (
    select
        account_id,
        invoice_date,
        count(*) as invoices,
        sum(amount_eur) as day_eur
    from invoices
    group by account_id, invoice_date
),

first_days as (
    select
        account_id,
        min(invoice_date) as first_invoice_date
    from invoice_days
    group by account_id
),

account_days as (
    select
        invoice_days.account_id,
        first_days.first_invoice_date,
        max(invoice_days.invoice_date) as last_invoice_date,
        count(*) as invoice_days,
        sum(invoice_days.invoices) as invoices,
        sum(
            case when invoice_days.invoice_date > first_days.first_invoice_date then invoice_days.day_eur end
        ) as repeat_invoiced_eur
    from invoice_days
    inner join first_days
        on invoice_days.account_id = first_days.account_id
    group by invoice_days.account_id, first_days.first_invoice_date
),

measured as (
    select
        accounts.account_id,
        coalesce(account_days.invoices, 0) as invoices,
        coalesce(account_days.invoice_days, 0) as invoice_days,
        account_days.invoice_days - 1 as repeat_invoice_days,
        account_days.first_invoice_date,
        account_days.last_invoice_date,
        {#- the adapter's datediff renders longer than the line limit #}
        {{ dbt.datediff('account_days.first_invoice_date', 'account_days.last_invoice_date', 'day') }} as recency_days,  -- noqa: LT05
        {{ dbt.datediff('account_days.first_invoice_date', as_of, 'day') }} as age_days,  -- noqa: LT05
        account_days.repeat_invoiced_eur,
        coalesce(account_gaps.quarantined_revenue_rows, 0) as quarantined_revenue_rows
    from accounts
    left join account_days
        on accounts.account_id = account_days.account_id
    left join account_gaps
        on accounts.account_id = account_gaps.account_id
),

final as (
    select
        account_id,
        cast(invoices as {{ dbt.type_bigint() }}) as invoices,
        cast(invoice_days as {{ dbt.type_bigint() }}) as invoice_days,
        cast(repeat_invoice_days as {{ dbt.type_bigint() }}) as repeat_invoice_days,
        first_invoice_date,
        last_invoice_date,
        cast(recency_days as {{ dbt.type_bigint() }}) as recency_days,
        cast(age_days as {{ dbt.type_bigint() }}) as age_days,
        cast(cast(recency_days as {{ type_double() }}) / 7 as {{ type_rate() }}) as recency_weeks,
        cast(cast(age_days as {{ type_double() }}) / 7 as {{ type_rate() }}) as age_weeks,
        cast(coalesce(repeat_invoiced_eur, 0) as {{ type_money() }}) as repeat_invoiced_eur,
        cast(
            case
                when repeat_invoice_days > 0
                    then cast(repeat_invoiced_eur as {{ type_double() }}) / repeat_invoice_days
            end as {{ type_money() }}
        ) as avg_repeat_invoice_eur,
        cast(quarantined_revenue_rows as {{ dbt.type_bigint() }}) as quarantined_revenue_rows,
        quarantined_revenue_rows > 0 as is_revenue_incomplete
    from measured
)

select * from final
