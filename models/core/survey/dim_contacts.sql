{#- One row per contact: every valid contact (an empty account means the unknown account '-1'); an inferred
    member for every contact key that responses, invitations or tickets point at but the CRM lacks (a contact
    deleted for privacy), with the unknown account; and an unknown member '-1' for rows without a contact.
    full_name and email hold the loader's pseudonyms of the personal data (meta pii in the YAML). -#}

with contacts as (
    select * from {{ ref('int_contacts__checked') }}
    where quarantine_reason is null
),

orphaned_references as (
    select * from {{ ref('int_orphaned_references') }}
    where parent_table = 'contacts'
),

label_values as (
    select * from {{ ref('int_label_values') }}
),

valid_contacts as (
    select
        contacts.contact_id,
        coalesce(contacts.account_id, '-1') as account_id,
        contacts.full_name,
        contacts.email,
        {{ label_display('job_role_label') }} as job_role,
        contacts.is_decision_maker,
        contacts.created_at,
        false as is_inferred_member,
        false as is_unknown_member
    from contacts
    {{ label_value_join('label_values', 'job_role', 'contacts.job_role', 'job_role_label') }}
),

inferred_members as (
    select distinct
        missing_key as contact_id,
        '-1' as account_id,
        cast(null as {{ dbt.type_string() }}) as full_name,
        cast(null as {{ dbt.type_string() }}) as email,
        'unknown' as job_role,
        cast(null as {{ dbt.type_boolean() }}) as is_decision_maker,
        cast(null as {{ dbt.type_timestamp() }}) as created_at,
        true as is_inferred_member,
        false as is_unknown_member
    from orphaned_references
),

unknown_member as (
    select
        '-1' as contact_id,
        '-1' as account_id,
        cast(null as {{ dbt.type_string() }}) as full_name,
        cast(null as {{ dbt.type_string() }}) as email,
        'unknown' as job_role,
        cast(null as {{ dbt.type_boolean() }}) as is_decision_maker,
        cast(null as {{ dbt.type_timestamp() }}) as created_at,
        false as is_inferred_member,
        true as is_unknown_member
),

final as (
    select * from valid_contacts
    union all
    select * from inferred_members
    union all
    select * from unknown_member
)

select * from final
