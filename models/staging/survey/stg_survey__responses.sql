{%- set typed_columns = {
    'submitted_at': 'timestamp',
} -%}

with source as (
    select * from {{ source('survey', 'survey_responses') }}
),

renamed as (
    select
        {{ cast_raw('response_id', 'text') }} as response_id,
        {{ cast_raw('survey_id', 'text') }} as survey_id,
        {{ cast_raw('invitation_id', 'text') }} as invitation_id,
        {{ cast_raw('contact_id', 'text') }} as contact_id,
        {{ cast_raw('submitted_at', 'timestamp') }} as submitted_at,
        lower({{ cast_raw('language', 'text') }}) as language,
        {{ invalid_fields(typed_columns) }} as invalid_fields
    from source
)

select * from renamed
