{#- The survey metrics' components for the metric cascade, per period x metric x touchpoint x account segment
    (as was). Every scored metric of prep_survey_scores__monthly (those with cut-offs in seed scale_cutoffs)
    is its share of positive answers, as its mart computes it, except NPS, which is by definition the net
    share: promoters - detractors. CSI is the mean of the responses' indices (prep_csi_responses), as in
    mart_csi. Monthly sums are rolled up to quarters and years; the ratio is computed by the marts. -#}
{%- set segments_as_was = [] -%}
{%- for column in account_segment_columns() -%}
    {%- do segments_as_was.append('response_accounts.' ~ column ~ '_as_was as ' ~ column) -%}
{%- endfor -%}

with monthly_scores as (
    select * from {{ ref('prep_survey_scores__monthly') }}
),

csi_responses as (
    select * from {{ ref('prep_csi_responses') }}
),

response_accounts as (
    select * from {{ ref('prep_survey_responses__accounts') }}
),

surveys as (
    select * from {{ ref('dim_surveys') }}
),

reporting_periods as (
    select * from {{ ref('dim_reporting_periods') }}
),

scored_monthly as (
    select
        submitted_month,
        metric as metric_code,
        100 as value_scale,
        touchpoint,
        {{ account_segment_columns() | join(',\n        ') }},
        cast(
            case when metric = 'nps' then positive_answers - negative_answers else positive_answers end
            as {{ type_double() }}
        ) as numerator,
        cast(answers as {{ type_double() }}) as denominator,
        answers as sample_size
    from monthly_scores
),

csi_segmented as (
    select
        csi_responses.submitted_month,
        csi_responses.csi,
        surveys.touchpoint,
        {{ segments_as_was | join(',\n        ') }}
    from csi_responses
    left join response_accounts
        on csi_responses.response_id = response_accounts.response_id
    left join surveys
        on csi_responses.survey_id = surveys.survey_id
),

csi_monthly as (
    select
        submitted_month,
        'csi' as metric_code,
        1 as value_scale,
        touchpoint,
        {{ account_segment_columns() | join(',\n        ') }},
        sum(csi) as numerator,
        cast(count(*) as {{ type_double() }}) as denominator,
        count(*) as sample_size
    from csi_segmented
    group by
        submitted_month,
        touchpoint,
        {{ account_segment_columns() | join(',\n        ') }}
),

monthly as (
    select * from scored_monthly
    union all
    select * from csi_monthly
),

{# The shared reporting calendar decides which periods are reported, as in every metric mart. #}
final as (
    {{ cascade_components_by_period('monthly', 'submitted_month', 'reporting_periods') }}
)

select * from final
