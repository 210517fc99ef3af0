{%- set typed_columns = {
    'opened_at': 'timestamp',
    'first_contact_at': 'timestamp',
    'closed_at': 'timestamp',
} -%}

with source as (
    select * from {{ source('success', 'feedback_cases') }}
),

renamed as (
    select
        {{ cast_raw('case_id', 'text') }} as case_id,
        {{ cast_raw('response_id', 'text') }} as response_id,
        {{ cast_raw('owner', 'text') }} as owner,
        {{ cast_raw('opened_at', 'timestamp') }} as opened_at,
        {{ cast_raw('first_contact_at', 'timestamp') }} as first_contact_at,
        {{ cast_raw('closed_at', 'timestamp') }} as closed_at,
        lower({{ cast_raw('outcome', 'text') }}) as outcome,
        {{ invalid_fields(typed_columns) }} as invalid_fields
    from source
)

select * from renamed
