{%- set checks = [
    {'when': 'response_id is null', 'reason': 'missing_key', 'column': 'response_id'},
    {'when': 'invalid_fields is not null', 'reason': 'unparseable_value',
     'column': 'invalid_fields', 'column_is_sql': true},
    {'when': 'survey_id is null', 'reason': 'missing_value', 'column': 'survey_id'},
    {'when': 'contact_id is null', 'reason': 'missing_value', 'column': 'contact_id'},
    {'when': 'submitted_at is null', 'reason': 'missing_value', 'column': 'submitted_at'},
    {'when': 'language is null', 'reason': 'missing_value', 'column': 'language'},
    {'when': 'submitted_at >= ' ~ as_of_end_timestamp(),
     'reason': 'future_timestamp', 'column': 'submitted_at'},
    {'when': 'not ' ~ is_accepted_category('language', 'survey_responses'),
     'reason': 'invalid_category', 'column': 'language'},
    {'when': 'valid_survey_id is null', 'reason': 'unknown_reference', 'column': 'survey_id'},
    {'when': 'valid_contact_id is null', 'reason': 'unknown_reference', 'column': 'contact_id'},
    {'when': 'invitation_id is not null and valid_invitation_id is null',
     'reason': 'unknown_reference', 'column': 'invitation_id'},
] -%}
{#- Incremental, partitioned by the day of submitted_at (macros/incremental.sql, docs/incremental.md). -#}
{{ config(**incremental_partitions_config('partition_date')) }}
{%- set dating = {
    'partition_date': incremental_partition('submitted_at'),
    'last_event_at': incremental_last_event_at(['submitted_at']),
} -%}
{%- set partition_source -%}
    select
        {{ dating.partition_date }} as partition_date,
        {{ dating.last_event_at }} as last_event_at
    from {{ ref('stg_survey__responses') }}
{%- endset %}

with responses as (
    select * from {{ ref('stg_survey__responses') }}
),

surveys as (
    select * from {{ ref('int_surveys__checked') }}
),

contacts as (
    select * from {{ ref('int_contacts__checked') }}
),

invitations as (
    select * from {{ ref('int_survey_invitations__checked') }}
),

valid_surveys as (
    select survey_id from surveys
    where quarantine_reason is null
),

valid_contacts as (
    select contact_id from contacts
    where quarantine_reason is null
),

valid_invitations as (
    select invitation_id from invitations
    where quarantine_reason is null
),

responses_dated as (
    select
        responses.*,
        {{ dating.partition_date }} as partition_date,
        {{ dating.last_event_at }} as last_event_at
    from responses
),

batch as (
    select responses_dated.*
    from responses_dated
    {%- if is_incremental() %}
    where {{ incremental_partition_filter('responses_dated.partition_date', partition_source) }}
    {%- endif %}
),

responses_with_parents as (
    select
        batch.*,
        valid_surveys.survey_id as valid_survey_id,
        valid_contacts.contact_id as valid_contact_id,
        valid_invitations.invitation_id as valid_invitation_id
    from batch
    left join valid_surveys
        on batch.survey_id = valid_surveys.survey_id
    left join valid_contacts
        on batch.contact_id = valid_contacts.contact_id
    left join valid_invitations
        on batch.invitation_id = valid_invitations.invitation_id
),

checked as (
    {{ checked_with_duplicates(
        'responses_with_parents',
        ['response_id'],
        checks,
        'survey_id asc nulls last, invitation_id asc nulls last, contact_id asc nulls last,
        submitted_at asc nulls last, language asc nulls last'
    ) }}
),

final as (
    select
        response_id,
        survey_id,
        invitation_id,
        contact_id,
        submitted_at,
        language,
        invalid_fields,
        record_key,
        quarantine_reason,
        quarantine_column,
        partition_date,
        last_event_at
    from checked
)

select * from final
