{#- One row per valid contact. full_name and email are personal data (meta pii in the YAML). -#}

with contacts as (
    select * from {{ ref('int_contacts__checked') }}
    where quarantine_reason is null
),

final as (
    select
        contact_id,
        account_id,
        full_name,
        email,
        job_role,
        is_decision_maker,
        created_at
    from contacts
)

select * from final
