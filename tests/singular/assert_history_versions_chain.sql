{#- The versions of one account (dim_accounts__history) or contract (fct_contracts__history) follow each other
    without gap or overlap: each version ends exactly where the next one starts, and only the last is current.
    Fails with the offending version, for instance after a build whose as-of day lies before the last night's
    (the snapshots' clock must move forward, docs/history.md). -#}

with account_versions as (
    select * from {{ ref('dim_accounts__history') }}
),

contract_versions as (
    select * from {{ ref('fct_contracts__history') }}
),

versions as (
    select
        'account' as entity,
        account_id as entity_id,
        valid_from,
        valid_to,
        is_current
    from account_versions
    union all
    select
        'contract' as entity,
        contract_id as entity_id,
        valid_from,
        valid_to,
        is_current
    from contract_versions
),

chained as (
    select
        entity,
        entity_id,
        valid_from,
        valid_to,
        is_current,
        lead(valid_from) over (
            partition by entity, entity_id
            order by valid_from asc
        ) as next_valid_from
    from versions
)

select * from chained
where (next_valid_from is null) <> is_current
    or (next_valid_from is not null and next_valid_from <> valid_to)
