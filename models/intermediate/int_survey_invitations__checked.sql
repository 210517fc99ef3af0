{%- set checks = [
    {'when': 'invitation_id is null', 'reason': 'missing_key', 'column': 'invitation_id'},
    {'when': 'invalid_fields is not null', 'reason': 'unparseable_value',
     'column': 'invalid_fields', 'column_is_sql': true},
    {'when': 'survey_id is null', 'reason': 'missing_value', 'column': 'survey_id'},
    {'when': 'contact_id is null', 'reason': 'missing_value', 'column': 'contact_id'},
    {'when': 'sent_at is null', 'reason': 'missing_value', 'column': 'sent_at'},
    {'when': 'channel is null', 'reason': 'missing_value', 'column': 'channel'},
    {'when': 'sent_at >= ' ~ as_of_end_timestamp(), 'reason': 'future_timestamp', 'column': 'sent_at'},
    {'when': 'not ' ~ is_accepted_category('channel', 'survey_invitations'),
     'reason': 'invalid_category', 'column': 'channel'},
    {'when': 'valid_survey_id is null', 'reason': 'unknown_reference', 'column': 'survey_id'},
    {'when': 'valid_contact_id is null', 'reason': 'unknown_reference', 'column': 'contact_id'},
] -%}
{#- Incremental, partitioned by the day of sent_at (macros/incremental.sql, docs/incremental.md). -#}
{{ config(**incremental_partitions_config('partition_date')) }}
{%- set dating = {
    'partition_date': incremental_partition('sent_at'),
    'last_event_at': incremental_last_event_at(['sent_at']),
} -%}
{%- set partition_source -%}
    select
        {{ dating.partition_date }} as partition_date,
        {{ dating.last_event_at }} as last_event_at
    from {{ ref('stg_survey__invitations') }}
{%- endset %}

with invitations as (
    select * from {{ ref('stg_survey__invitations') }}
),

surveys as (
    select * from {{ ref('int_surveys__checked') }}
),

contacts as (
    select * from {{ ref('int_contacts__checked') }}
),

valid_surveys as (
    select survey_id from surveys
    where quarantine_reason is null
),

valid_contacts as (
    select contact_id from contacts
    where quarantine_reason is null
),

invitations_dated as (
    select
        invitations.*,
        {{ dating.partition_date }} as partition_date,
        {{ dating.last_event_at }} as last_event_at
    from invitations
),

batch as (
    select invitations_dated.*
    from invitations_dated
    {%- if is_incremental() %}
    where {{ incremental_partition_filter('invitations_dated.partition_date', partition_source) }}
    {%- endif %}
),

invitations_with_parents as (
    select
        batch.*,
        valid_surveys.survey_id as valid_survey_id,
        valid_contacts.contact_id as valid_contact_id
    from batch
    left join valid_surveys
        on batch.survey_id = valid_surveys.survey_id
    left join valid_contacts
        on batch.contact_id = valid_contacts.contact_id
),

checked as (
    {{ checked_with_duplicates(
        'invitations_with_parents',
        ['invitation_id'],
        checks,
        'survey_id asc nulls last, contact_id asc nulls last, sent_at asc nulls last,
        channel asc nulls last'
    ) }}
),

final as (
    select
        invitation_id,
        survey_id,
        contact_id,
        sent_at,
        channel,
        invalid_fields,
        record_key,
        quarantine_reason,
        quarantine_column,
        partition_date,
        last_event_at
    from checked
)

select * from final
