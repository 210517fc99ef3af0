{#- The marts read only valid rows, so a valid row must never point at a parent that is missing or quarantined
    (docs/architecture.md, validation order). Fails for each valid child row whose reference (when set) has no
    valid parent row (with the dangling value), for each valid answer whose question belongs to another survey
    than its response, and for each valid answer whose score lies outside its question's scale (with the
    answer's key). -#}
{#- child table, reference column, parent table: the column has the parent's key name. -#}
{%- set references = [
    ('contacts', 'account_id', 'accounts'),
    ('contracts', 'account_id', 'accounts'),
    ('invoices', 'account_id', 'accounts'),
    ('churn_events', 'account_id', 'accounts'),
    ('support_tickets', 'account_id', 'accounts'),
    ('onboarding_projects', 'account_id', 'accounts'),
    ('survey_questions', 'survey_id', 'surveys'),
    ('survey_invitations', 'survey_id', 'surveys'),
    ('survey_responses', 'survey_id', 'surveys'),
    ('survey_invitations', 'contact_id', 'contacts'),
    ('survey_responses', 'contact_id', 'contacts'),
    ('support_tickets', 'contact_id', 'contacts'),
    ('survey_responses', 'invitation_id', 'survey_invitations'),
    ('survey_answers', 'response_id', 'survey_responses'),
    ('feedback_cases', 'response_id', 'survey_responses'),
    ('survey_answers', 'question_id', 'survey_questions'),
] -%}

with answers as (
    select * from {{ ref('int_survey_answers__checked') }}
),

responses as (
    select * from {{ ref('int_survey_responses__checked') }}
),

questions as (
    select * from {{ ref('int_survey_questions__checked') }}
),

{% for child, column, parent in references -%}
    child_{{ loop.index }} as (
        select * from {{ ref('int_' ~ child ~ '__checked') }}
        where quarantine_reason is null
    ),

    parent_{{ loop.index }} as (
        select * from {{ ref('int_' ~ parent ~ '__checked') }}
        where quarantine_reason is null
    ),

    dangling_{{ loop.index }} as (
        select
            '{{ child }}' as source_table,
            child_{{ loop.index }}.{{ column }} as offending_value,
            '{{ column }} has no valid row in {{ parent }}' as failure
        from child_{{ loop.index }}
        left join parent_{{ loop.index }}
            on
                child_{{ loop.index }}.{{ column }}
                = parent_{{ loop.index }}.{{ column }}
        where
            child_{{ loop.index }}.{{ column }} is not null
            and parent_{{ loop.index }}.{{ column }} is null
    ),

{% endfor -%}
answers_off_survey_or_scale as (
    select
        'survey_answers' as source_table,
        {{ record_key(['answers.response_id', 'answers.question_id']) }} as offending_value,
        case
            when questions.survey_id <> responses.survey_id then 'question belongs to another survey'
            else 'score outside the question''s scale'
        end as failure
    from answers
    inner join responses
        on answers.response_id = responses.response_id
    inner join questions
        on answers.question_id = questions.question_id
    where
        answers.quarantine_reason is null
        and responses.quarantine_reason is null
        and questions.quarantine_reason is null
        and (
            questions.survey_id <> responses.survey_id
            or answers.score < questions.scale_min
            or answers.score > questions.scale_max
            or (answers.score is not null and questions.scale_min is null)
        )
),

failures as (
    {%- for child, column, parent in references %}
        select * from dangling_{{ loop.index }}

        union all

    {%- endfor %}
    select * from answers_off_survey_or_scale
)

select * from failures
