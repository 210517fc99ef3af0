{#- One row per account x month of submission with NPS, CSAT or CES answers: per metric the answers and the
    sum of their score_pct (0-100, 100 the best experience), additive, so any window of months is a sum. The
    metrics are account_survey_metrics(). -#}

{%- set survey_metrics = account_survey_metrics() -%}

with answers as (
    select * from {{ ref('fct_survey_answers') }}
),

questions as (
    select * from {{ ref('dim_survey_questions') }}
),

final as (
    select
        answers.account_id,
        answers.submitted_month,
        {%- for metric in survey_metrics %}
            count(case when questions.metric = '{{ metric }}' then answers.score_pct end)
                as {{ metric }}_answers,
            sum(case when questions.metric = '{{ metric }}' then answers.score_pct end)
                as {{ metric }}_score_pct_sum,
        {%- endfor %}
        count(*) as survey_answers
    from answers
    inner join questions
        on answers.question_id = questions.question_id
    where
        {%- for metric in survey_metrics %}
            {{ 'or ' if not loop.first }}questions.metric = '{{ metric }}'
        {%- endfor %}
    group by
        answers.account_id,
        answers.submitted_month
)

select * from final
