{#- Every valid NPS answer in the reporting calendar is counted exactly once per segment dimension of
    mart_nps_by_segment: for each (period_grain, segment_dimension), the mart's responses add up to the number
    of scored NPS answers in fct_survey_answers whose period (at that grain) is a reporting period. A segment
    value lost, duplicated or counted in two places makes the sums differ. Returns the offending
    grain/dimension with both counts. -#}
{%- set segment_dimensions = ['all'] + account_segment_columns() + ['touchpoint'] -%}

with answers as (
    select * from {{ ref('fct_survey_answers') }}
),

questions as (
    select * from {{ ref('dim_survey_questions') }}
),

reporting_periods as (
    select * from {{ ref('dim_reporting_periods') }}
),

mart as (
    select * from {{ ref('mart_nps_by_segment') }}
),

nps_answers as (
    select answers.submitted_month
    from answers
    inner join questions
        on answers.question_id = questions.question_id
    where questions.metric = 'nps'
        and answers.score is not null
),

answers_per_grain as (
    {%- for grain in period_grains() %}
        select
            '{{ grain }}' as period_grain,
            count(*) as valid_nps_answers
        from nps_answers
        inner join reporting_periods
            on reporting_periods.period_grain = '{{ grain }}'
                and reporting_periods.period_start
                = cast({{ dbt.date_trunc(grain, 'nps_answers.submitted_month') }} as date)
        {%- if not loop.last %}
            union all
        {%- endif %}
    {%- endfor %}
),

segment_dimensions as (
    {%- for dimension in segment_dimensions %}
        select '{{ dimension }}' as segment_dimension
        {%- if not loop.last %}
            union all
        {%- endif %}
    {%- endfor %}
),

expected as (
    select
        answers_per_grain.period_grain,
        segment_dimensions.segment_dimension,
        answers_per_grain.valid_nps_answers
    from answers_per_grain
    cross join segment_dimensions
),

counted as (
    select
        period_grain,
        segment_dimension,
        sum(responses) as mart_responses
    from mart
    group by
        period_grain,
        segment_dimension
),

final as (
    select
        coalesce(expected.period_grain, counted.period_grain) as period_grain,
        coalesce(expected.segment_dimension, counted.segment_dimension) as segment_dimension,
        coalesce(expected.valid_nps_answers, 0) as valid_nps_answers,
        coalesce(counted.mart_responses, 0) as mart_responses
    from expected
    full outer join counted
        on expected.period_grain = counted.period_grain
            and expected.segment_dimension = counted.segment_dimension
    where coalesce(expected.valid_nps_answers, 0) <> coalesce(counted.mart_responses, 0)
)

select * from final
