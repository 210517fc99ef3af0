{%- set typed_columns = {
    'kickoff_at': 'timestamp',
    'go_live_at': 'timestamp',
} -%}

with source as (
    select * from {{ source('success', 'onboarding_projects') }}
),

renamed as (
    select
        {{ cast_raw('account_id', 'text') }} as account_id,
        {{ cast_raw('kickoff_at', 'timestamp') }} as kickoff_at,
        {{ cast_raw('go_live_at', 'timestamp') }} as go_live_at,
        {{ invalid_fields(typed_columns) }} as invalid_fields
    from source
)

select * from renamed
