{#- One row per valid answer, scored: score_pct puts every scale on 0-100 with 100 the best experience
    (effort questions where a low score is good are turned round), and score_category applies the question's
    cut-offs from seed scale_cutoffs (for NPS: positive = promoter, passive = passive, negative = detractor).
    Questions without cut-offs (csi items, drivers, comments) and answers without a score get no category.
    A narrow fact: keys to the dimensions (question, survey, account), the dates and the measures; what
    describes a question, survey or account stays in its dimension and is joined where it is used (writing
    the repeated attributes into up to 100 M rows cost more than the joins, docs/benchmarks.md).
    Incremental, partitioned by submitted_date (macros/incremental.sql, docs/incremental.md): a run rebuilds
    the days of the look-back window, the days whose valid answers changed in number, and the days holding an
    answer whose question (its scale or cut-offs) or whose response's contact (its account) has changed
    (int_survey_facts__dimensions_loaded) since it was loaded. -#}
{{ config(**incremental_partitions_config(survey_fact_partition_column())) }}

-- depends_on: {{ ref('dim_contacts') }}
-- depends_on: {{ ref('dim_surveys') }}
-- depends_on: {{ ref('int_label_values') }}
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
    where {{ survey_fact_partition_filter(
        'answers.partition_date',
        'int_survey_answers__checked',
        [
            {'column': 'question_id', 'dimension': 'question'},
            {'column': 'response_id', 'dimension': 'contact',
             'through': {'model': 'fct_survey_responses', 'column': 'contact_id'}},
        ]
    ) }}
    {%- endif %}
),

joined as (
    select
        batch.response_id,
        batch.question_id,
        responses.survey_id,
        responses.account_id,
        responses.submitted_date,
        responses.submitted_month,
        batch.score,
        questions.scale_min,
        questions.scale_max,
        questions.higher_is_better,
        questions.positive_score_from,
        questions.positive_score_to,
        questions.passive_score_from,
        questions.passive_score_to,
        batch.answer_text
    from batch
    inner join responses
        on batch.response_id = responses.response_id
    inner join questions
        on batch.question_id = questions.question_id
),

scored as (
    select
        joined.*,
        {# Cast before dividing: integer division truncates on some engines. #}
        cast(joined.score - joined.scale_min as {{ type_double() }}) * 100
        / nullif(joined.scale_max - joined.scale_min, 0) as raw_pct,
        case
            when joined.score is null or joined.positive_score_from is null then null
            when
                joined.score >= joined.positive_score_from
                and joined.score <= joined.positive_score_to
                then 'positive'
            when
                joined.score >= joined.passive_score_from
                and joined.score <= joined.passive_score_to
                then 'passive'
            else 'negative'
        end as score_category
    from joined
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
        case
            when higher_is_better then raw_pct
            when not higher_is_better then 100 - raw_pct
        end as score_pct,
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
