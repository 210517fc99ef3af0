{%- set typed_columns = {
    'created_at': 'timestamp',
    'first_response_at': 'timestamp',
    'solved_at': 'timestamp',
    'agent_replies': 'integer',
    'reopened_count': 'integer',
} -%}

with source as (
    select * from {{ source('support', 'support_tickets') }}
),

renamed as (
    select
        {{ cast_raw('ticket_id', 'text') }} as ticket_id,
        {{ cast_raw('account_id', 'text') }} as account_id,
        {{ cast_raw('contact_id', 'text') }} as contact_id,
        {{ cast_raw('created_at', 'timestamp') }} as created_at,
        {{ cast_raw('first_response_at', 'timestamp') }} as first_response_at,
        {{ cast_raw('solved_at', 'timestamp') }} as solved_at,
        lower({{ cast_raw('channel', 'text') }}) as channel,
        lower({{ cast_raw('priority', 'text') }}) as priority,
        lower({{ cast_raw('category', 'text') }}) as category,
        {{ cast_raw('agent_replies', 'integer') }} as agent_replies,
        {{ cast_raw('reopened_count', 'integer') }} as reopened_count,
        {{ invalid_fields(typed_columns) }} as invalid_fields
    from source
)

select * from renamed
