{%- set typed_columns = {
    'is_decision_maker': 'boolean',
    'created_at': 'timestamp',
} -%}

with source as (
    select * from {{ source('crm', 'contacts') }}
),

renamed as (
    select
        {{ cast_raw('contact_id', 'text') }} as contact_id,
        {{ cast_raw('account_id', 'text') }} as account_id,
        {{ cast_raw('full_name', 'text') }} as full_name,
        {{ cast_raw('email', 'text') }} as email,
        {{ cast_raw('job_role', 'text') }} as job_role,
        {{ cast_raw('is_decision_maker', 'boolean') }} as is_decision_maker,
        {{ cast_raw('created_at', 'timestamp') }} as created_at,
        {{ invalid_fields(typed_columns) }} as invalid_fields
    from source
)

select * from renamed
