{#- Key drivers of NPS per reported year, survey, segment and driver: how much each driver question and each
    operational figure explains the NPS score (correlation and LMG share of R2 from
    prep_key_driver_importance), beside the driver's performance (its mean, and the share of responses meeting
    its target, which the Python model carries from the co-moments), and the quadrant of an
    importance-performance chart (Martilla & James 1977): importance is high from
    var('key_drivers_high_importance_factor') x the mean share (1 / the drivers fitted), performance low below
    var('key_drivers_low_performance_share') of responses meeting the target. The Python model returns pandas
    types: cast back here. -#}
{%- set high_importance_factor = var('key_drivers_high_importance_factor') | float -%}
{%- set low_performance_share = var('key_drivers_low_performance_share') | float -%}

with importance as (
    select * from {{ ref('prep_key_driver_importance') }}
),

targets as (
    select * from {{ ref('metric_cascade') }}
    where cascade_level = 'operational_driver'
),

typed_importance as (
    select
        cast(period_grain as {{ dbt.type_string() }}) as period_grain,
        cast(period_start as date) as period_start,
        cast(survey_id as {{ dbt.type_string() }}) as survey_id,
        cast(segment_dimension as {{ dbt.type_string() }}) as segment_dimension,
        cast(segment_value as {{ dbt.type_string() }}) as segment_value,
        cast(driver_key as {{ dbt.type_string() }}) as driver_key,
        cast(nps_responses as {{ dbt.type_bigint() }}) as nps_responses,
        cast(driver_responses as {{ dbt.type_bigint() }}) as driver_responses,
        cast(driver_values_meeting_target as {{ dbt.type_bigint() }}) as driver_values_meeting_target,
        cast(driver_value_sum as {{ type_double() }}) as driver_value_sum,
        cast(correlation as {{ type_double() }}) as correlation,
        cast(importance_r2 as {{ type_double() }}) as importance_r2,
        cast(importance_share as {{ type_double() }}) as importance_share,
        cast(model_r2 as {{ type_double() }}) as model_r2,
        cast(model_drivers as {{ dbt.type_bigint() }}) as model_drivers,
        cast(model_responses as {{ dbt.type_bigint() }}) as model_responses,
        cast(importance_status as {{ dbt.type_string() }}) as importance_status
    from importance
),

joined as (
    select
        typed_importance.*,
        case when targets.metric_code is null then 'question' else 'operational' end as driver_type,
        coalesce(targets.unit, 'score') as performance_unit,
        typed_importance.driver_value_sum / nullif(typed_importance.driver_responses, 0) as performance_mean,
        cast(typed_importance.driver_values_meeting_target as {{ type_double() }})
        / nullif(typed_importance.driver_responses, 0) as performance_share
    from typed_importance
    left join targets
        on typed_importance.driver_key = targets.metric_code
),

judged as (
    select
        *,
        importance_share >= {{ high_importance_factor }} / nullif(model_drivers, 0) as is_high_importance,
        performance_share < {{ low_performance_share }} as is_low_performance
    from joined
),

final as (
    select
        period_grain,
        period_start,
        survey_id,
        segment_dimension,
        segment_value,
        driver_key,
        driver_type,
        nps_responses,
        driver_responses,
        correlation,
        importance_r2,
        importance_share,
        model_r2,
        model_drivers,
        model_responses,
        importance_status,
        performance_unit,
        driver_values_meeting_target,
        cast(performance_mean as {{ type_double() }}) as performance_mean,
        cast(performance_share as {{ type_double() }}) as performance_share,
        is_high_importance,
        is_low_performance,
        cast(case
            when importance_status <> 'fitted' then null
            when is_high_importance and is_low_performance then 'fix_first'
            when is_high_importance then 'keep_up'
            when is_low_performance then 'low_priority'
            else 'possible_overkill'
        end as {{ dbt.type_string() }}) as quadrant
    from judged
)

select * from final
