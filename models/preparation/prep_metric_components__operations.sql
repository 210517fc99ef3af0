{#- The operational drivers' components for the metric cascade, per period x metric x touchpoint x account
    segment: the monthly drivers of prep_operational_drivers__monthly (where each driver is defined) rolled up
    to months, quarters and years of the reporting calendar. -#}

with monthly_drivers as (
    select * from {{ ref('prep_operational_drivers__monthly') }}
),

reporting_periods as (
    select * from {{ ref('dim_reporting_periods') }}
),

{# The shared reporting calendar decides which periods are reported, as in every metric mart. #}
final as (
    {{ cascade_components_by_period('monthly_drivers', 'event_month', 'reporting_periods') }}
)

select * from final
