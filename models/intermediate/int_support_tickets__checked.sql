{%- set checks = [
    {'when': 'ticket_id is null', 'reason': 'missing_key', 'column': 'ticket_id'},
    {'when': 'invalid_fields is not null', 'reason': 'unparseable_value',
     'column': 'invalid_fields', 'column_is_sql': true},
    {'when': 'account_id is null', 'reason': 'missing_value', 'column': 'account_id'},
    {'when': 'created_at is null', 'reason': 'missing_value', 'column': 'created_at'},
    {'when': 'channel is null', 'reason': 'missing_value', 'column': 'channel'},
    {'when': 'priority is null', 'reason': 'missing_value', 'column': 'priority'},
    {'when': 'created_at >= ' ~ as_of_end_timestamp(), 'reason': 'future_timestamp', 'column': 'created_at'},
    {'when': 'first_response_at >= ' ~ as_of_end_timestamp(), 'reason': 'future_timestamp',
     'column': 'first_response_at'},
    {'when': 'solved_at >= ' ~ as_of_end_timestamp(), 'reason': 'future_timestamp', 'column': 'solved_at'},
    {'when': 'first_response_at < created_at', 'reason': 'invalid_order', 'column': 'first_response_at'},
    {'when': 'solved_at < created_at', 'reason': 'invalid_order', 'column': 'solved_at'},
    {'when': 'not ' ~ is_accepted_category('channel', 'support_tickets'),
     'reason': 'invalid_category', 'column': 'channel'},
    {'when': 'not ' ~ is_accepted_category('priority', 'support_tickets'),
     'reason': 'invalid_category', 'column': 'priority'},
    {'when': 'agent_replies < 0', 'reason': 'negative_amount', 'column': 'agent_replies'},
    {'when': 'reopened_count < 0', 'reason': 'negative_amount', 'column': 'reopened_count'},
    {'when': 'valid_account_id is null', 'reason': 'unknown_reference', 'column': 'account_id'},
    {'when': 'contact_id is not null and valid_contact_id is null',
     'reason': 'unknown_reference', 'column': 'contact_id'},
] -%}
{#- Incremental, partitioned by the day of created_at; a ticket answered or solved later rebuilds the day it
    was created on, since its last event (created, first response or solve) falls in the look-back window
    (macros/incremental.sql, docs/incremental.md). -#}
{{ config(**incremental_partitions_config('partition_date')) }}
{%- set dating = {
    'partition_date': incremental_partition('created_at'),
    'last_event_at': incremental_last_event_at(['created_at', 'first_response_at', 'solved_at']),
} -%}
{%- set partition_source -%}
    select
        {{ dating.partition_date }} as partition_date,
        {{ dating.last_event_at }} as last_event_at
    from {{ ref('stg_support__tickets') }}
{%- endset %}

with tickets as (
    select * from {{ ref('stg_support__tickets') }}
),

accounts as (
    select * from {{ ref('int_accounts__checked') }}
),

contacts as (
    select * from {{ ref('int_contacts__checked') }}
),

valid_accounts as (
    select account_id from accounts
    where quarantine_reason is null
),

valid_contacts as (
    select contact_id from contacts
    where quarantine_reason is null
),

tickets_dated as (
    select
        tickets.*,
        {{ dating.partition_date }} as partition_date,
        {{ dating.last_event_at }} as last_event_at
    from tickets
),

batch as (
    select tickets_dated.*
    from tickets_dated
    {%- if is_incremental() %}
    where {{ incremental_partition_filter('tickets_dated.partition_date', partition_source) }}
    {%- endif %}
),

tickets_with_parents as (
    select
        batch.*,
        valid_accounts.account_id as valid_account_id,
        valid_contacts.contact_id as valid_contact_id
    from batch
    left join valid_accounts
        on batch.account_id = valid_accounts.account_id
    left join valid_contacts
        on batch.contact_id = valid_contacts.contact_id
),

checked as (
    {{ checked_with_duplicates(
        'tickets_with_parents',
        ['ticket_id'],
        checks,
        'account_id asc nulls last, contact_id asc nulls last, created_at asc nulls last,
        first_response_at asc nulls last, solved_at asc nulls last, channel asc nulls last,
        priority asc nulls last, category asc nulls last, agent_replies asc nulls last,
        reopened_count asc nulls last'
    ) }}
),

final as (
    select
        ticket_id,
        account_id,
        contact_id,
        created_at,
        first_response_at,
        solved_at,
        channel,
        priority,
        category,
        agent_replies,
        reopened_count,
        invalid_fields,
        record_key,
        quarantine_reason,
        quarantine_column,
        partition_date,
        last_event_at
    from checked
)

select * from final
