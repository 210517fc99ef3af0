{#- The customer-journey stages per month: one row per month x touchpoint with every additive measure
    mart_journey needs: survey responses (volume, fct_survey_responses), the NPS, CSAT and CES counts of
    prep_survey_scores__monthly summed over the segments, the stage's operational driver (the metric seed
    touchpoint_journey names for the stage, through dim_touchpoints.stage_driver, from
    prep_operational_drivers__monthly summed over the segments) and the comments' sentiment
    (prep_comment_sentiment), with the stage's place in the journey and its description. -#}
{#- The comment-sentiment Python model is disabled on Spark: there the sentiment columns stay null. -#}
{%- set has_comment_sentiment = target.type != 'spark' -%}

with monthly_scores as (
    select * from {{ ref('prep_survey_scores__monthly') }}
),

survey_responses as (
    select * from {{ ref('fct_survey_responses') }}
),

operational_drivers as (
    select * from {{ ref('prep_operational_drivers__monthly') }}
),

touchpoint_stages as (
    select * from {{ ref('dim_touchpoints') }}
),
{%- if has_comment_sentiment %}

    survey_comments as (
        select * from {{ ref('prep_survey_comments') }}
    ),

    comment_sentiment as (
        select * from {{ ref('prep_comment_sentiment') }}
    ),

    {# A comment belongs to a response, so its month and touchpoint always have a stage_totals row. A comment
       in a language without a lexicon has no score and is not counted. #}
    stage_sentiment as (
        select
            survey_comments.submitted_month as stage_month,
            survey_comments.touchpoint,
            count(comment_sentiment.sentiment_score) as sentiment_comments,
            sum(comment_sentiment.sentiment_score) as sentiment_score_sum
        from survey_comments
        inner join comment_sentiment
            on survey_comments.response_id = comment_sentiment.response_id
                and survey_comments.question_id = comment_sentiment.question_id
        group by
            survey_comments.submitted_month,
            survey_comments.touchpoint
    ),
{%- endif %}

stage_scores as (
    select
        submitted_month as stage_month,
        touchpoint,
        0 as responses,
        sum(case when metric = 'nps' then answers else 0 end) as nps_responses,
        sum(case when metric = 'nps' then positive_answers else 0 end) as promoters,
        sum(case when metric = 'nps' then negative_answers else 0 end) as detractors,
        sum(case when metric = 'csat' then answers else 0 end) as csat_responses,
        sum(case when metric = 'csat' then positive_answers else 0 end) as satisfied,
        sum(case when metric = 'ces' then answers else 0 end) as ces_responses,
        sum(case when metric = 'ces' then positive_answers else 0 end) as low_effort,
        sum(answers) as scored_answers,
        sum(score_pct_sum) as score_pct_sum,
        0 as driver_observations,
        0 as driver_value_sum
    from monthly_scores
    group by
        submitted_month,
        touchpoint
),

stage_volumes as (
    select
        submitted_month as stage_month,
        touchpoint,
        count(*) as responses,
        0 as nps_responses,
        0 as promoters,
        0 as detractors,
        0 as csat_responses,
        0 as satisfied,
        0 as ces_responses,
        0 as low_effort,
        0 as scored_answers,
        0 as score_pct_sum,
        0 as driver_observations,
        0 as driver_value_sum
    from survey_responses
    group by
        submitted_month,
        touchpoint
),

{# Each driver counts at every stage whose seed row names it, in its unit (x value_scale). #}
stage_drivers as (
    select
        operational_drivers.event_month as stage_month,
        touchpoint_stages.touchpoint,
        0 as responses,
        0 as nps_responses,
        0 as promoters,
        0 as detractors,
        0 as csat_responses,
        0 as satisfied,
        0 as ces_responses,
        0 as low_effort,
        0 as scored_answers,
        0 as score_pct_sum,
        operational_drivers.denominator as driver_observations,
        operational_drivers.numerator * operational_drivers.value_scale as driver_value_sum
    from operational_drivers
    inner join touchpoint_stages
        on operational_drivers.metric_code = touchpoint_stages.stage_driver
),

stage_months as (
    select * from stage_scores
    union all
    select * from stage_volumes
    union all
    select * from stage_drivers
),

stage_totals as (
    select
        stage_month,
        touchpoint,
        cast(sum(responses) as {{ dbt.type_bigint() }}) as responses,
        cast(sum(nps_responses) as {{ dbt.type_bigint() }}) as nps_responses,
        cast(sum(promoters) as {{ dbt.type_bigint() }}) as promoters,
        cast(sum(detractors) as {{ dbt.type_bigint() }}) as detractors,
        cast(sum(csat_responses) as {{ dbt.type_bigint() }}) as csat_responses,
        cast(sum(satisfied) as {{ dbt.type_bigint() }}) as satisfied,
        cast(sum(ces_responses) as {{ dbt.type_bigint() }}) as ces_responses,
        cast(sum(low_effort) as {{ dbt.type_bigint() }}) as low_effort,
        cast(sum(scored_answers) as {{ dbt.type_bigint() }}) as scored_answers,
        cast(sum(score_pct_sum) as {{ type_double() }}) as score_pct_sum,
        cast(sum(driver_observations) as {{ dbt.type_bigint() }}) as driver_observations,
        cast(sum(driver_value_sum) as {{ type_double() }}) as driver_value_sum
    from stage_months
    group by
        stage_month,
        touchpoint
),

final as (
    select
        stage_totals.stage_month,
        stage_totals.touchpoint,
        touchpoint_stages.journey_position,
        touchpoint_stages.stage_description,
        touchpoint_stages.stage_driver,
        stage_totals.responses,
        stage_totals.nps_responses,
        stage_totals.promoters,
        stage_totals.detractors,
        stage_totals.csat_responses,
        stage_totals.satisfied,
        stage_totals.ces_responses,
        stage_totals.low_effort,
        stage_totals.scored_answers,
        stage_totals.score_pct_sum,
        stage_totals.driver_observations,
        stage_totals.driver_value_sum,
        {%- if has_comment_sentiment %}
            cast(coalesce(stage_sentiment.sentiment_comments, 0) as {{ dbt.type_bigint() }})
                as sentiment_comments,
            cast(coalesce(stage_sentiment.sentiment_score_sum, 0) as {{ type_double() }})
                as sentiment_score_sum
        {%- else %}
            cast(null as {{ dbt.type_bigint() }}) as sentiment_comments,
            cast(null as {{ type_double() }}) as sentiment_score_sum
        {%- endif %}
    from stage_totals
    inner join touchpoint_stages
        on stage_totals.touchpoint = touchpoint_stages.touchpoint
    {%- if has_comment_sentiment %}
        left join stage_sentiment
            on stage_totals.stage_month = stage_sentiment.stage_month
                and stage_totals.touchpoint = stage_sentiment.touchpoint
    {%- endif %}
)

select * from final
