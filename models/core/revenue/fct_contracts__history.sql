{#- One row per version of each valid contract (SCD type 2, docs/history.md), from snapshot snap_contracts:
    what the CRM said about the contract's account, product, dates, ARR and currency from valid_from
    (inclusive) to valid_to (exclusive), each contract's first version from the beginning of time. ARR is
    converted to EUR at today's fx_rates, as fct_contracts. is_deleted marks the versions during which the
    contract was missing from the export's valid rows (they keep its last values). Where no snapshot can be
    read (plain Spark, or a `dbt run` before the snapshot was ever built) each valid contract is its own
    single, current version (macros/history.sql). -#}
{%- set tracked_columns = [
    'contract_id', 'account_id', 'product', 'start_date', 'end_date', 'arr', 'currency',
] -%}

with versions as (
    {{ history_versions('snap_contracts', 'int_contracts__checked', tracked_columns) }}
),

fx_rates as (
    select * from {{ ref('fx_rates') }}
),

numbered as (
    select
        versions.*,
        row_number() over (
            partition by versions.contract_id
            order by versions.dbt_valid_from asc, versions.dbt_valid_to asc
        ) as version_number
    from versions
),

final as (
    select
        numbered.contract_id,
        cast(numbered.version_number as {{ dbt.type_int() }}) as version_number,
        case
            when numbered.version_number = 1 then {{ history_beginning_of_time() }}
            else numbered.dbt_valid_from
        end as valid_from,
        numbered.dbt_valid_to as valid_to,
        numbered.dbt_valid_to = {{ history_end_of_time() }} as is_current,
        numbered.dbt_is_deleted as is_deleted,
        numbered.account_id,
        numbered.product,
        numbered.start_date,
        numbered.end_date,
        numbered.end_date is null as is_open_ended,
        cast(numbered.arr as {{ type_money() }}) as arr,
        numbered.currency,
        {{ money_to_eur('numbered.arr', 'fx_rates.rate_to_eur') }} as arr_eur
    from numbered
    left join fx_rates
        on numbered.currency = fx_rates.currency_code
)

select * from final
