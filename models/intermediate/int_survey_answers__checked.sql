{#- The biggest table (up to 100 M rows): one left join per parent, on its key, and no correlated subquery.
    An answer must belong to a question of its response's survey, and its score must lie on that
    question's scale (a question without a scale, a comment, takes no score). -#}
{%- set checks = [
    {'when': 'response_id is null', 'reason': 'missing_key', 'column': 'response_id'},
    {'when': 'question_id is null', 'reason': 'missing_key', 'column': 'question_id'},
    {'when': 'invalid_fields is not null', 'reason': 'unparseable_value',
     'column': 'invalid_fields', 'column_is_sql': true},
    {'when': 'score is null and answer_text is null',
     'reason': 'empty_answer', 'column': 'score,answer_text'},
    {'when': 'response_survey_id is null', 'reason': 'unknown_reference', 'column': 'response_id'},
    {'when': 'question_survey_id is null', 'reason': 'unknown_reference', 'column': 'question_id'},
    {'when': 'question_survey_id <> response_survey_id',
     'reason': 'unknown_reference', 'column': 'question_id'},
    {'when': 'score is not null and question_scale_min is null', 'reason': 'out_of_scale', 'column': 'score'},
    {'when': 'score < question_scale_min or score > question_scale_max or score <> floor(score)',
     'reason': 'out_of_scale', 'column': 'score'},
] -%}
{#- Incremental, partitioned by the day of the response's submitted_at; answers that did not parse or whose
    response is not valid are undated and rebuilt every run (macros/incremental.sql, docs/incremental.md). -#}
{{ config(**incremental_partitions_config('partition_date')) }}
{#- An answer is dated by its valid response, so it is stored in the partition of its response. -#}
{%- set dating = {
    'partition_date': 'case when answers.invalid_fields is null and valid_responses.response_id is not null'
        ~ ' then valid_responses.partition_date else ' ~ incremental_undated_partition() ~ ' end',
    'last_event_at': 'case when answers.invalid_fields is null then valid_responses.last_event_at end',
} -%}
{%- set partition_source -%}
    select
        {{ dating.partition_date }} as partition_date,
        {{ dating.last_event_at }} as last_event_at
    from {{ ref('stg_survey__answers') }} as answers
    left join {{ ref('int_survey_responses__checked') }} as valid_responses
        on
            answers.response_id = valid_responses.response_id
            and valid_responses.quarantine_reason is null
{%- endset %}

with answers as (
    select * from {{ ref('stg_survey__answers') }}
),

responses as (
    select * from {{ ref('int_survey_responses__checked') }}
),

questions as (
    select * from {{ ref('int_survey_questions__checked') }}
),

valid_responses as (
    select
        response_id,
        survey_id,
        partition_date,
        last_event_at
    from responses
    where quarantine_reason is null
),

valid_questions as (
    select
        question_id,
        survey_id,
        scale_min,
        scale_max
    from questions
    where quarantine_reason is null
),

answers_dated as (
    select
        answers.*,
        valid_responses.survey_id as response_survey_id,
        {{ dating.partition_date }} as partition_date,
        {{ dating.last_event_at }} as last_event_at
    from answers
    left join valid_responses
        on answers.response_id = valid_responses.response_id
),

batch as (
    select answers_dated.*
    from answers_dated
    {%- if is_incremental() %}
    where {{ incremental_partition_filter('answers_dated.partition_date', partition_source) }}
    {%- endif %}
),

answers_with_parents as (
    select
        batch.*,
        valid_questions.survey_id as question_survey_id,
        valid_questions.scale_min as question_scale_min,
        valid_questions.scale_max as question_scale_max
    from batch
    left join valid_questions
        on batch.question_id = valid_questions.question_id
),

checked as (
    {{ checked_with_duplicates(
        'answers_with_parents',
        ['response_id', 'question_id'],
        checks,
        'score asc nulls last, answer_text asc nulls last'
    ) }}
),

final as (
    select
        response_id,
        question_id,
        score,
        answer_text,
        invalid_fields,
        record_key,
        quarantine_reason,
        quarantine_column,
        partition_date,
        last_event_at
    from checked
)

select * from final
