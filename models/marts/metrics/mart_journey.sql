{#- The customer journey side by side, from the monthly stages of prep_journey_stages__monthly: per period
    and touchpoint (journey stage, in the order of seed touchpoint_journey, touchpoints it does not list
    last) the stage's volume, its NPS, CSAT and CES, their answer-weighted gap to the targets of seed
    journey_score_targets, the stage's operational driver (seed touchpoint_journey.stage_driver) and the
    flag of the period's weakest stage, and the mean sentiment of the stage's comments (null on Spark, where
    the comment-sentiment model does not run). Only additive counts and sums are rolled up from months; every
    ratio and mean is computed last. -#}
{%- set measures = [
    'responses', 'nps_responses', 'promoters', 'detractors', 'csat_responses', 'satisfied', 'ces_responses',
    'low_effort', 'scored_answers', 'score_pct_sum', 'driver_observations', 'driver_value_sum',
    'sentiment_comments', 'sentiment_score_sum',
] -%}
{%- set stage_columns = ['touchpoint', 'journey_position', 'stage_description', 'stage_driver'] -%}

with stage_months as (
    select * from {{ ref('prep_journey_stages__monthly') }}
),

reporting_periods as (
    select * from {{ ref('dim_reporting_periods') }}
),

score_targets as (
    select * from {{ ref('journey_score_targets') }}
),

targets as (
    select
        max(case when metric = 'nps' then target_score end) as nps_target,
        max(case when metric = 'csat' then target_score end) as csat_target,
        max(case when metric = 'ces' then target_score end) as ces_target
    from score_targets
),

periods as (
    {{ rollup_months_to_periods('stage_months', 'stage_month', stage_columns, measures) }}
),

{# The shared reporting calendar decides which periods are reported, as in every metric mart. #}
reported_periods as (
    select periods.*
    from periods
    inner join reporting_periods
        on periods.period_grain = reporting_periods.period_grain
            and periods.period_start = reporting_periods.period_start
),

scored as (
    select
        reported_periods.period_grain,
        reported_periods.period_start,
        reported_periods.touchpoint,
        reported_periods.journey_position,
        reported_periods.stage_description,
        cast(reported_periods.responses as {{ dbt.type_bigint() }}) as responses,
        cast(reported_periods.nps_responses as {{ dbt.type_bigint() }}) as nps_responses,
        cast(reported_periods.promoters as {{ dbt.type_bigint() }}) as promoters,
        cast(reported_periods.detractors as {{ dbt.type_bigint() }}) as detractors,
        cast(reported_periods.csat_responses as {{ dbt.type_bigint() }}) as csat_responses,
        cast(reported_periods.satisfied as {{ dbt.type_bigint() }}) as satisfied,
        cast(reported_periods.ces_responses as {{ dbt.type_bigint() }}) as ces_responses,
        cast(reported_periods.low_effort as {{ dbt.type_bigint() }}) as low_effort,
        cast(reported_periods.scored_answers as {{ dbt.type_bigint() }}) as scored_answers,
        cast(reported_periods.driver_observations as {{ dbt.type_bigint() }}) as driver_observations,
        cast(reported_periods.score_pct_sum as {{ type_double() }}) as score_pct_sum,
        cast(reported_periods.driver_value_sum as {{ type_double() }}) as driver_value_sum,
        cast(reported_periods.sentiment_comments as {{ dbt.type_bigint() }}) as sentiment_comments,
        cast(reported_periods.sentiment_score_sum as {{ type_double() }}) as sentiment_score_sum,
        reported_periods.stage_driver,
        reported_periods.touchpoint != 'unknown'
        and not {{ is_low_sample('reported_periods.scored_answers') }} as is_weakest_stage_candidate,
        {# Each metric's gap to its target (score - target, in points) weighted by its answers: from the
           counts, n x (score - target) = positives x 100 - n x target, promoters - detractors for NPS. #}
        (
            cast(reported_periods.promoters - reported_periods.detractors as {{ type_double() }}) * 100
            - reported_periods.nps_responses * targets.nps_target
            + cast(reported_periods.satisfied as {{ type_double() }}) * 100
            - reported_periods.csat_responses * targets.csat_target
            + cast(reported_periods.low_effort as {{ type_double() }}) * 100
            - reported_periods.ces_responses * targets.ces_target
        ) / nullif(reported_periods.scored_answers, 0) as target_gap
    from reported_periods
    cross join targets
),

{# The weakest stage of a period: the largest shortfall to target among the stages with enough answers,
   the earlier stage on a tie (DECISIONLOG "Journey: the weakest stage"). #}
ranked as (
    select
        *,
        row_number() over (
            partition by period_grain, period_start, is_weakest_stage_candidate
            order by target_gap asc, journey_position asc
        ) as weakness_rank
    from scored
),

final as (
    select
        period_grain,
        period_start,
        touchpoint,
        journey_position,
        stage_description,
        responses,
        nps_responses,
        promoters,
        detractors,
        cast(promoters - detractors as {{ type_double() }}) * 100 / nullif(nps_responses, 0) as nps,
        csat_responses,
        satisfied,
        cast(satisfied as {{ type_double() }}) * 100 / nullif(csat_responses, 0) as csat,
        ces_responses,
        low_effort,
        cast(low_effort as {{ type_double() }}) * 100 / nullif(ces_responses, 0) as ces,
        scored_answers,
        target_gap,
        score_pct_sum,
        score_pct_sum / nullif(scored_answers, 0) as mean_score_pct,
        {{ is_low_sample('scored_answers') }} as is_low_sample,
        is_weakest_stage_candidate and weakness_rank = 1 as is_weakest_stage,
        sentiment_comments,
        sentiment_score_sum,
        sentiment_score_sum / nullif(sentiment_comments, 0) as sentiment_score_mean,
        stage_driver,
        driver_observations,
        driver_value_sum,
        driver_value_sum / nullif(driver_observations, 0) as driver_value
    from ranked
)

select * from final
