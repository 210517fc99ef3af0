{#- CSI per period: the average customer satisfaction index (0-100) of the responses submitted in it. Each
    response's index comes from prep_csi_responses; the sum and the count are rolled up and divided last. -#}
{%- set measures = ['responses', 'csi_sum'] -%}

with csi_responses as (
    select * from {{ ref('prep_csi_responses') }}
),

reporting_periods as (
    select * from {{ ref('dim_reporting_periods') }}
),

csi_monthly as (
    select
        submitted_month,
        count(*) as responses,
        sum(csi) as csi_sum
    from csi_responses
    group by submitted_month
),

periods as (
    {{ rollup_months_to_periods('csi_monthly', 'submitted_month', [], measures) }}
),

counted as (
    select
        periods.period_grain,
        periods.period_start,
        cast(periods.responses as {{ dbt.type_bigint() }}) as responses,
        periods.csi_sum
    {#- The shared reporting calendar decides which periods are reported, as in every metric mart. #}
    from periods
    inner join reporting_periods
        on periods.period_grain = reporting_periods.period_grain
            and periods.period_start = reporting_periods.period_start
),

final as (
    select
        period_grain,
        period_start,
        responses,
        csi_sum,
        csi_sum / nullif(responses, 0) as csi
    from counted
)

select * from final
