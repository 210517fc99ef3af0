{#- One row per valid answer, scored: score_pct puts every scale on 0-100 with 100 the best experience
    (effort questions where a low score is good are turned round), and score_category applies the question's
    cut-offs from seed scale_cutoffs (for NPS: positive = promoter, passive = passive, negative = detractor);
    both macros/survey_facts.sql. Questions without cut-offs (csi items, drivers, comments) and answers
    without a score get no category.
    A narrow fact: keys to the dimensions (question, survey, account), the dates and the measures; what
    describes a question, survey or account stays in its dimension and is joined where it is used (writing
    the repeated attributes into up to 100 M rows cost more than the joins, docs/benchmarks.md).
    Incremental, partitioned by submitted_date (macros/incremental.sql, docs/incremental.md): a run rebuilds
    the days of the look-back window, the days whose valid answers changed in number, and the days holding a
    stored answer whose copies no longer match: its response's account, or its score_pct and score_category
    scored again with its question as it is now (a changed scale or cut-off). That comparison reads the
    model's own table ({{ this }}), so no other state is kept. -#}
{{ config(**incremental_partitions_config(survey_fact_partition_column())) }}

{%- set changed_partitions -%}
    select distinct loaded.{{ survey_fact_partition_column() }} as partition_start
    from {{ this }} as loaded
    left join {{ ref('fct_survey_responses') }} as responses
        on loaded.response_id = responses.response_id
    left join {{ ref('dim_survey_questions') }} as questions
        on loaded.question_id = questions.question_id
    where {{ values_differ('loaded.account_id', 'responses.account_id') }}
        or {{ values_differ('loaded.score_pct', answer_score_pct('loaded.score', 'questions')) }}
        or {{ values_differ('loaded.score_category', answer_score_category('loaded.score', 'questions')) }}
{%- endset %}

with answers as (
    select * from {{ ref('int_survey_answers__checked') }}
    where quarantine_reason is null
),

responses as (
    select * from {{ ref('fct_survey_responses') }}
),

questions as (
    select * from {{ ref('dim_survey_questions') }}
),

batch as (
    select answers.*
    from answers
    {%- if is_incremental() %}
    where {{ incremental_partition_filter(
        'answers.partition_date',
        survey_fact_partition_source('int_survey_answers__checked'),
        target_partition=survey_fact_partition_column(),
        target_event_time='submitted_date',
        target_valid_where=none,
        changed_partitions_sql=changed_partitions
    ) }}
    {%- endif %}
),

scored as (
    select
        batch.response_id,
        batch.question_id,
        responses.survey_id,
        responses.account_id,
        responses.submitted_date,
        responses.submitted_month,
        batch.score,
        {{ answer_score_pct('batch.score', 'questions') }} as score_pct,
        {{ answer_score_category('batch.score', 'questions') }} as score_category,
        batch.answer_text
    from batch
    inner join responses
        on batch.response_id = responses.response_id
    inner join questions
        on batch.question_id = questions.question_id
),

final as (
    select
        response_id,
        question_id,
        survey_id,
        account_id,
        submitted_date,
        submitted_month,
        score,
        score_pct,
        score_category,
        cast(
            case when score_category = 'positive' then 1 when score_category is not null then 0 end
            as {{ dbt.type_int() }}
        ) as is_positive,
        cast(
            case when score_category = 'passive' then 1 when score_category is not null then 0 end
            as {{ dbt.type_int() }}
        ) as is_passive,
        cast(
            case when score_category = 'negative' then 1 when score_category is not null then 0 end
            as {{ dbt.type_int() }}
        ) as is_negative,
        answer_text
    from scored
)

select * from final
