{%- set typed_columns = {
    'created_at': 'timestamp',
} -%}

with source as (
    select * from {{ source('survey', 'surveys') }}
),

renamed as (
    select
        {{ cast_raw('survey_id', 'text') }} as survey_id,
        {{ cast_raw('survey_name', 'text') }} as survey_name,
        lower({{ cast_raw('touchpoint', 'text') }}) as touchpoint,
        {{ cast_raw('created_at', 'timestamp') }} as created_at,
        {{ invalid_fields(typed_columns) }} as invalid_fields
    from source
)

select * from renamed
