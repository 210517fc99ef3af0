{#- The references of the raw contract hold on the valid rows: a reference declared missing_parent: quarantine
    (an answer's response and question) always has a valid parent, and any other reference whose parent is
    missing or quarantined is listed in the row's orphan_columns, and only then, so that the orphan list and
    the inferred dimension members are exact. Fails for each offending row (with the value), for each valid
    answer whose question belongs to another survey than its response, and for each valid answer whose score
    lies outside its question's scale. -#}
{%- set references = raw_contract_columns() | selectattr('references') | list %}

with answers as (
    select * from {{ ref('int_survey_answers__checked') }}
),

responses as (
    select * from {{ ref('int_survey_responses__checked') }}
),

questions as (
    select * from {{ ref('int_survey_questions__checked') }}
),

{% for table in checked_source_tables() -%}
    {{ table.table }}_valid as (
        select * from {{ ref('int_' ~ table.table ~ '__checked') }}
        where quarantine_reason is null
    ),

{% endfor -%}
{% for reference in references -%}
    {%- set parent_missing = 'parent_keys_' ~ loop.index ~ '.parent_key is null' -%}
    {%- set listed_as_orphan = dbt.concat(["','", "coalesce(child.orphan_columns, '')", "','"])
        ~ " like '%," ~ reference.name ~ ",%'" -%}
    {%- set wrong = '(' ~ parent_missing ~ ') <> (' ~ listed_as_orphan ~ ')'
        if reference.missing_parent == 'orphan' else parent_missing %}
    parent_keys_{{ loop.index }} as (
        select distinct {{ reference.name }} as parent_key
        from {{ reference.references }}_valid
    ),

    reference_{{ loop.index }} as (
        select
            '{{ reference.table }}' as source_table,
            child.{{ reference.name }} as offending_value,
            case
                when parent_keys_{{ loop.index }}.parent_key is null
                    then '{{ reference.name }} has no valid row in {{ reference.references }}'
                else '{{ reference.name }} is listed as an orphan but its parent is valid'
            end as failure
        from {{ reference.table }}_valid as child
        left join parent_keys_{{ loop.index }}
            on child.{{ reference.name }} = parent_keys_{{ loop.index }}.parent_key
        where child.{{ reference.name }} is not null and {{ wrong }}
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
    {%- for reference in references %}
        select * from reference_{{ loop.index }}

        union all

    {%- endfor %}
    select * from answers_off_survey_or_scale
)

select * from failures
