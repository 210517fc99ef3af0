{#- Every valid response with a scored, weighted CSI item in the reporting calendar is counted exactly once
    per period_grain of mart_csi, counted straight from fct_survey_answers. Returns the offending grain with
    both counts. -#}

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
    select * from {{ ref('mart_csi') }}
),

csi_responses as (
    select distinct
        answers.response_id,
        answers.submitted_month
    from answers
    inner join questions
        on answers.question_id = questions.question_id
    where questions.metric = 'csi_item'
        and answers.score is not null
        and questions.csi_weight > 0
),

expected as (
    {%- for grain in period_grains() %}
        select
            '{{ grain }}' as period_grain,
            count(*) as valid_responses
        from csi_responses
        inner join reporting_periods
            on reporting_periods.period_grain = '{{ grain }}'
                and reporting_periods.period_start
                = cast({{ dbt.date_trunc(grain, 'csi_responses.submitted_month') }} as date)
        {%- if not loop.last %}
            union all
        {%- endif %}
    {%- endfor %}
),

counted as (
    select
        period_grain,
        sum(responses) as mart_responses
    from mart
    group by period_grain
),

final as (
    select
        coalesce(expected.period_grain, counted.period_grain) as period_grain,
        coalesce(expected.valid_responses, 0) as valid_responses,
        coalesce(counted.mart_responses, 0) as mart_responses
    from expected
    full outer join counted
        on expected.period_grain = counted.period_grain
    where coalesce(expected.valid_responses, 0) <> coalesce(counted.mart_responses, 0)
)

select * from final
