{%- set typed_columns = {
    'scale_min': 'integer',
    'scale_max': 'integer',
    'higher_is_better': 'boolean',
    'weight': 'number',
} -%}

with source as (
    select * from {{ source('survey', 'survey_questions') }}
),

renamed as (
    select
        {{ cast_raw('question_id', 'text') }} as question_id,
        {{ cast_raw('survey_id', 'text') }} as survey_id,
        {{ cast_raw('question_code', 'text') }} as question_code,
        lower({{ cast_raw('metric', 'text') }}) as metric,
        {{ cast_raw('scale_min', 'integer') }} as scale_min,
        {{ cast_raw('scale_max', 'integer') }} as scale_max,
        {{ cast_raw('higher_is_better', 'boolean') }} as higher_is_better,
        {{ cast_raw('weight', 'number') }} as weight,
        {{ cast_raw('driver_name', 'text') }} as driver_name,
        {{ invalid_fields(typed_columns) }} as invalid_fields
    from source
)

select * from renamed
