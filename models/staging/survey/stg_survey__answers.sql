{%- set typed_columns = {
    'score': 'number',
} -%}

with source as (
    select * from {{ source('survey', 'survey_answers') }}
),

renamed as (
    select
        {{ cast_raw('response_id', 'text') }} as response_id,
        {{ cast_raw('question_id', 'text') }} as question_id,
        {{ cast_raw('score', 'number') }} as score,
        {{ cast_raw('answer_text', 'text') }} as answer_text,
        {{ invalid_fields(typed_columns) }} as invalid_fields
    from source
)

select * from renamed
