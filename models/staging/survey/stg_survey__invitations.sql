{%- set typed_columns = {
    'sent_at': 'timestamp',
} -%}

with source as (
    select * from {{ source('survey', 'survey_invitations') }}
),

renamed as (
    select
        {{ cast_raw('invitation_id', 'text') }} as invitation_id,
        {{ cast_raw('survey_id', 'text') }} as survey_id,
        {{ cast_raw('contact_id', 'text') }} as contact_id,
        {{ cast_raw('sent_at', 'timestamp') }} as sent_at,
        lower({{ cast_raw('channel', 'text') }}) as channel,
        {{ invalid_fields(typed_columns) }} as invalid_fields
    from source
)

select * from renamed
