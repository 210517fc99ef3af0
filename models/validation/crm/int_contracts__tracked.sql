{#- The input of snapshot snap_contracts (docs/history.md): one row per valid contract with every column the
    CRM may change in place - its account, product, dates (an end date is the contract's status: open or
    ended), ARR and currency. Ephemeral: a YAML snapshot reads a relation, and this is its filter. -#}
{{ config(materialized='ephemeral') }}

with contracts as (
    select * from {{ ref('int_contracts__checked') }}
    where quarantine_reason is null
),

final as (
    select
        contract_id,
        account_id,
        product,
        start_date,
        end_date,
        arr,
        currency
    from contracts
)

select * from final
