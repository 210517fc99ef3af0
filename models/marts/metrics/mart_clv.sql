{#- Customer lifetime value per valid account with the simple formula of the founding documents:
      clv_eur = avg_invoice_eur x invoices_per_year x expected_lifetime_years
    with expected_lifetime_years = 1 / tier_annual_churn_rate, capped at var('clv_max_lifetime_years') (also
    when the tier lost no account). The probabilistic model (BG/NBD + Gamma-Gamma) stands beside it: mart_clv_probabilistic.
    Purchases are the invoices with a positive amount up to the as-of day; credit notes reduce invoiced_eur.
    Stored figures are rounded; clv_eur is computed from the unrounded ones. An account with quarantined
    contracts or invoices (int_account_revenue_gaps) has a partial history: it is flagged
    (is_revenue_incomplete, quarantined_revenue_rows), gets no clv_eur, and is left out of its tier's churn
    rate. Accounts missing from the accounts export but holding contracts or invoices are included (inferred
    members of dim_accounts, tier unknown). -#}

{%- set days_per_year = 365 -%}
{#- The shortest observation window: one month, so a first invoice days ago does not inflate the rate.
    Ratios are computed in double precision: a decimal division keeps 6 decimals on Spark (and gives a double
    on DuckDB), so decimals would make the engines disagree. -#}
{%- set min_years_observed = 'cast(1 as ' ~ type_double() ~ ') / 12' -%}
{%- set max_lifetime_years = checked_var('clv_max_lifetime_years', 'number') -%}
{%- set as_of = as_of_date_literal() -%}
{%- set year_before = 'cast(' ~ dbt.dateadd('day', -days_per_year, as_of) ~ ' as date)' -%}

with accounts as (
    select * from {{ ref('dim_accounts') }}
    where not is_unknown_member
),

invoices as (
    select * from {{ ref('fct_invoices') }}
    where invoice_date <= {{ as_of }}
),

contracts as (
    select * from {{ ref('fct_contracts') }}
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

account_invoices as (
    select
        account_id,
        count(case when amount_eur > 0 then invoice_id end) as invoices,
        count(case when amount_eur < 0 then invoice_id end) as credit_notes,
        sum(amount_eur) as invoiced_eur,
        min(case when amount_eur > 0 then invoice_date end) as first_invoice_date,
        max(case when amount_eur > 0 then invoice_date end) as last_invoice_date
    from invoices
    group by account_id
),

{# Activity by the active-day rule: a contract runs on a day when start_date <= day and
   (end_date is null or end_date >= day). #}
account_activity as (
    select
        account_id,
        {{ dbt.bool_or(
            'start_date <= ' ~ as_of ~ ' and (end_date is null or end_date >= ' ~ as_of ~ ')'
        ) }} as is_active_at_as_of,
        {{ dbt.bool_or(
            'start_date <= ' ~ year_before ~ ' and (end_date is null or end_date >= ' ~ year_before ~ ')'
        ) }} as was_active_year_before,
        {{ dbt.bool_or('start_date <= ' ~ as_of) }} as has_started_contract,
        max(case when start_date <= {{ as_of }} then end_date end) as last_contract_end_date
    from contracts
    group by account_id
),

account_base as (
    select
        accounts.account_id,
        accounts.tier,
        accounts.industry,
        accounts.region,
        accounts.employee_band,
        coalesce(account_activity.has_started_contract, false)
        and not coalesce(account_activity.is_active_at_as_of, false) as is_churned,
        coalesce(account_activity.is_active_at_as_of, false) as is_active_at_as_of,
        coalesce(account_activity.was_active_year_before, false) as was_active_year_before,
        account_activity.last_contract_end_date,
        coalesce(account_gaps.quarantined_revenue_rows, 0) as quarantined_revenue_rows
    from accounts
    left join account_activity
        on accounts.account_id = account_activity.account_id
    left join account_gaps
        on accounts.account_id = account_gaps.account_id
),

tier_churn as (
    select
        tier,
        count(*) as tier_churn_base_accounts,
        sum(case when is_active_at_as_of then 0 else 1 end) as tier_churned_accounts
    from account_base
    where was_active_year_before and quarantined_revenue_rows = 0
    group by tier
),

{# A churned account is observed until its last active day (or its last purchase, if later). #}
observed as (
    select
        account_base.account_id,
        account_base.tier,
        account_base.industry,
        account_base.region,
        account_base.employee_band,
        account_base.is_churned,
        account_base.quarantined_revenue_rows,
        coalesce(account_invoices.invoices, 0) as invoices,
        coalesce(account_invoices.credit_notes, 0) as credit_notes,
        coalesce(account_invoices.invoiced_eur, 0) as invoiced_eur,
        account_invoices.first_invoice_date,
        account_invoices.last_invoice_date,
        case
            when account_invoices.first_invoice_date is null then null
            when account_base.is_churned
                then greatest(account_base.last_contract_end_date, account_invoices.last_invoice_date)
            else {{ as_of }}
        end as observed_until,
        coalesce(tier_churn.tier_churn_base_accounts, 0) as tier_churn_base_accounts,
        coalesce(tier_churn.tier_churned_accounts, 0) as tier_churned_accounts
    from account_base
    left join account_invoices
        on account_base.account_id = account_invoices.account_id
    left join tier_churn
        on account_base.tier = tier_churn.tier
),

{# 1 / rate = base / churned; the cap applies when that exceeds it, a rate of 0 included. #}
measured as (
    select
        *,
        {#- the adapter's datediff renders longer than the line limit #}
        {{ dbt.datediff('first_invoice_date', 'observed_until', 'day') }} + 1 as days_observed,  -- noqa: LT05
        case
            when invoices > 0 then cast(invoiced_eur as {{ type_double() }}) / invoices
        end as avg_invoice_raw,
        case
            when tier_churn_base_accounts > 0
                then cast(tier_churned_accounts as {{ type_double() }}) / tier_churn_base_accounts
        end as tier_annual_churn_rate_raw,
        case
            when tier_churn_base_accounts = 0 then null
            when tier_churned_accounts * {{ max_lifetime_years }} <= tier_churn_base_accounts
                then cast({{ max_lifetime_years }} as {{ type_double() }})
            else cast(tier_churn_base_accounts as {{ type_double() }}) / tier_churned_accounts
        end as expected_lifetime_raw
    from observed
),

unrounded as (
    select
        *,
        case
            when days_observed is not null
                then
                    greatest(
                        cast(days_observed as {{ type_double() }}) / {{ days_per_year }},
                        {{ min_years_observed }}
                    )
        end as years_observed_raw
    from measured
),

final as (
    select
        account_id,
        tier,
        industry,
        region,
        employee_band,
        cast(invoices as {{ dbt.type_bigint() }}) as invoices,
        cast(credit_notes as {{ dbt.type_bigint() }}) as credit_notes,
        cast(invoiced_eur as {{ type_money() }}) as invoiced_eur,
        first_invoice_date,
        last_invoice_date,
        cast(avg_invoice_raw as {{ type_money() }}) as avg_invoice_eur,
        observed_until,
        cast(years_observed_raw as {{ type_rate() }}) as years_observed,
        cast(invoices / years_observed_raw as {{ type_rate() }}) as invoices_per_year,
        cast(tier_churn_base_accounts as {{ dbt.type_bigint() }}) as tier_churn_base_accounts,
        cast(tier_churned_accounts as {{ dbt.type_bigint() }}) as tier_churned_accounts,
        cast(tier_annual_churn_rate_raw as {{ type_rate() }}) as tier_annual_churn_rate,
        cast(expected_lifetime_raw as {{ type_rate() }}) as expected_lifetime_years,
        cast(
            case
                when quarantined_revenue_rows = 0
                    then avg_invoice_raw * (invoices / years_observed_raw) * expected_lifetime_raw
            end as {{ type_money() }}
        ) as clv_eur,
        {#- Unknown when a contract is quarantined: the missing one may be the account's renewal. #}
        case when quarantined_revenue_rows = 0 then is_churned end as is_churned,
        cast(quarantined_revenue_rows as {{ dbt.type_bigint() }}) as quarantined_revenue_rows,
        quarantined_revenue_rows > 0 as is_revenue_incomplete
    from unrounded
)

select * from final
