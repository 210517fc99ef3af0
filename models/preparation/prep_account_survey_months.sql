{#- One row per account x month of submission with NPS, CSAT or CES answers or scored comments: per metric the
    answers and the sum of their score_pct (0-100, 100 the best experience), and the comments with a sentiment
    score and the sum of those scores, all additive, so any window of months is a sum. The metrics are
    account_survey_metrics(). -#}
{#- The comment-sentiment Python model is disabled on Spark: there the sentiment columns stay null. -#}
{%- set survey_metrics = account_survey_metrics() -%}
{%- set survey_metric_list = "'" ~ survey_metrics | join("', '") ~ "'" -%}
{%- set has_comment_sentiment = target.type != 'spark' -%}

with answers as (
    select * from {{ ref('fct_survey_answers') }}
),

questions as (
    select * from {{ ref('dim_survey_questions') }}
),
{%- if has_comment_sentiment %}

    comment_sentiment as (
        select * from {{ ref('prep_comment_sentiment') }}
    ),
{%- endif %}

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
        count(case when questions.metric in ({{ survey_metric_list }}) then answers.response_id end)
            as survey_answers,
        {#- A comment in a language without a lexicon has no score and is not counted. #}
        {%- if has_comment_sentiment %}
            count(comment_sentiment.sentiment_score) as comment_sentiments,
            sum(comment_sentiment.sentiment_score) as comment_sentiment_sum
        {%- else %}
            cast(null as {{ dbt.type_bigint() }}) as comment_sentiments,
            cast(null as {{ type_double() }}) as comment_sentiment_sum
        {%- endif %}
    from answers
    inner join questions
        on answers.question_id = questions.question_id
    {%- if has_comment_sentiment %}
        left join comment_sentiment
            on
                answers.response_id = comment_sentiment.response_id
                and answers.question_id = comment_sentiment.question_id
    {%- endif %}
    where
        questions.metric in ({{ survey_metric_list }})
        {%- if has_comment_sentiment %}
            or comment_sentiment.sentiment_score is not null
        {%- endif %}
    group by
        answers.account_id,
        answers.submitted_month
)

select * from final
