{#- Every valid CSAT and CES answer in the reporting calendar is counted exactly once in its touchpoint mart:
    per metric and period_grain, the touchpoint rows add up to the number of scored answers in
    fct_survey_answers whose period is a reporting period, and so does the touchpoint 'all' row.
    Returns the offending metric, grain and row kind with both counts. -#}
{%- set marts = [
    ('csat', 'mart_csat_by_touchpoint'),
    ('ces', 'mart_ces_by_touchpoint'),
] -%}
{%- set metric_list = "'" ~ (marts | map(attribute=0) | join("', '")) ~ "'" -%}

with answers as (
    select * from {{ ref('fct_survey_answers') }}
),

questions as (
    select * from {{ ref('dim_survey_questions') }}
),

reporting_periods as (
    select * from {{ ref('dim_reporting_periods') }}
),

scored_answers as (
    select
        questions.metric,
        answers.submitted_month
    from answers
    inner join questions
        on answers.question_id = questions.question_id
    where questions.metric in ({{ metric_list }})
        and answers.score is not null
),

expected_per_grain as (
    {%- for grain in period_grains() %}
        select
            scored_answers.metric,
            '{{ grain }}' as period_grain,
            count(*) as valid_answers
        from scored_answers
        inner join reporting_periods
            on reporting_periods.period_grain = '{{ grain }}'
                and reporting_periods.period_start
                = cast({{ dbt.date_trunc(grain, 'scored_answers.submitted_month') }} as date)
        group by scored_answers.metric
        {%- if not loop.last %}
            union all
        {%- endif %}
    {%- endfor %}
),

row_kinds as (
    select 'touchpoints' as row_kind
    union all
    select 'all' as row_kind
),

expected as (
    select
        expected_per_grain.metric,
        expected_per_grain.period_grain,
        row_kinds.row_kind,
        expected_per_grain.valid_answers
    from expected_per_grain
    cross join row_kinds
),

counted as (
    {%- for metric, mart in marts %}
        select
            '{{ metric }}' as metric,
            period_grain,
            case when touchpoint = 'all' then 'all' else 'touchpoints' end as row_kind,
            sum(responses) as mart_responses
        from {{ ref(mart) }}
        group by
            period_grain,
            case when touchpoint = 'all' then 'all' else 'touchpoints' end
        {%- if not loop.last %}
            union all
        {%- endif %}
    {%- endfor %}
),

final as (
    select
        coalesce(expected.metric, counted.metric) as metric,
        coalesce(expected.period_grain, counted.period_grain) as period_grain,
        coalesce(expected.row_kind, counted.row_kind) as row_kind,
        coalesce(expected.valid_answers, 0) as valid_answers,
        coalesce(counted.mart_responses, 0) as mart_responses
    from expected
    full outer join counted
        on expected.metric = counted.metric
            and expected.period_grain = counted.period_grain
            and expected.row_kind = counted.row_kind
    where coalesce(expected.valid_answers, 0) <> coalesce(counted.mart_responses, 0)
)

select * from final
