{%- set checks = [
    {'when': 'case_id is null', 'reason': 'missing_key', 'column': 'case_id'},
    {'when': 'invalid_fields is not null', 'reason': 'unparseable_value',
     'column': 'invalid_fields', 'column_is_sql': true},
    {'when': 'response_id is null', 'reason': 'missing_value', 'column': 'response_id'},
    {'when': 'opened_at is null', 'reason': 'missing_value', 'column': 'opened_at'},
    {'when': 'opened_at >= ' ~ as_of_end_timestamp(), 'reason': 'future_timestamp', 'column': 'opened_at'},
    {'when': 'first_contact_at >= ' ~ as_of_end_timestamp(), 'reason': 'future_timestamp',
     'column': 'first_contact_at'},
    {'when': 'closed_at >= ' ~ as_of_end_timestamp(), 'reason': 'future_timestamp', 'column': 'closed_at'},
    {'when': 'first_contact_at < opened_at', 'reason': 'invalid_order', 'column': 'first_contact_at'},
    {'when': 'closed_at < opened_at', 'reason': 'invalid_order', 'column': 'closed_at'},
    {'when': 'not ' ~ is_accepted_category('outcome', 'feedback_cases'),
     'reason': 'invalid_category', 'column': 'outcome'},
    {'when': 'valid_response_id is null', 'reason': 'unknown_reference', 'column': 'response_id'},
] -%}
{#- Incremental, partitioned by the day of opened_at; a case contacted or closed later rebuilds the day it
    was opened on (macros/incremental.sql, docs/incremental.md). -#}
{{ config(**incremental_partitions_config('partition_date')) }}
{%- set dating = {
    'partition_date': incremental_partition('opened_at'),
    'last_event_at': incremental_last_event_at(['opened_at', 'first_contact_at', 'closed_at']),
} -%}
{%- set partition_source -%}
    select
        {{ dating.partition_date }} as partition_date,
        {{ dating.last_event_at }} as last_event_at
    from {{ ref('stg_success__feedback_cases') }}
{%- endset %}

with feedback_cases as (
    select * from {{ ref('stg_success__feedback_cases') }}
),

responses as (
    select * from {{ ref('int_survey_responses__checked') }}
),

valid_responses as (
    select response_id from responses
    where quarantine_reason is null
),

feedback_cases_dated as (
    select
        feedback_cases.*,
        {{ dating.partition_date }} as partition_date,
        {{ dating.last_event_at }} as last_event_at
    from feedback_cases
),

batch as (
    select feedback_cases_dated.*
    from feedback_cases_dated
    {%- if is_incremental() %}
    where {{ incremental_partition_filter('feedback_cases_dated.partition_date', partition_source) }}
    {%- endif %}
),

feedback_cases_with_parents as (
    select
        batch.*,
        valid_responses.response_id as valid_response_id
    from batch
    left join valid_responses
        on batch.response_id = valid_responses.response_id
),

checked as (
    {{ checked_with_duplicates(
        'feedback_cases_with_parents',
        ['case_id'],
        checks,
        'response_id asc nulls last, owner asc nulls last, opened_at asc nulls last,
        first_contact_at asc nulls last, closed_at asc nulls last, outcome asc nulls last'
    ) }}
),

final as (
    select
        case_id,
        response_id,
        owner,
        opened_at,
        first_contact_at,
        closed_at,
        outcome,
        invalid_fields,
        record_key,
        quarantine_reason,
        quarantine_column,
        partition_date,
        last_event_at
    from checked
)

select * from final
