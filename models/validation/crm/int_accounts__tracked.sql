{#- The input of snapshot snap_accounts (docs/history.md): one row per valid account with the columns whose
    changes the history keeps - its segments, tier and account manager - as the export writes them (shown as
    labels only downstream, so that a new spelling in seed label_synonyms relabels the whole history).
    Ephemeral: a YAML snapshot reads a relation, and this is its filter. -#}
{{ config(materialized='ephemeral') }}

with accounts as (
    select * from {{ ref('int_accounts__checked') }}
    where quarantine_reason is null
),

final as (
    select
        account_id,
        industry,
        tier,
        region,
        employee_band,
        country_code,
        account_manager
    from accounts
)

select * from final
