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

invitations_with_parents as (
    select
        invitations.*,
        valid_surveys.survey_id as valid_survey_id,
        valid_contacts.contact_id as valid_contact_id
    from invitations
    left join valid_surveys
        on invitations.survey_id = valid_surveys.survey_id
    left join valid_contacts
        on invitations.contact_id = valid_contacts.contact_id
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
        quarantine_column
    from checked
)

select * from final
