{#- One row per touchpoint (journey stage) a survey measures, as shown in the marts: every touchpoint of the
    surveys, however the export spells it, and every stage of seed touchpoint_journey. journey_position orders
    the stages as seed touchpoint_journey does; touchpoints it does not list (new ones, and unknown for
    surveys without a touchpoint) come last, in name order. stage_driver names the operational figure that explains the stage's scores
    (a metric_code of prep_operational_drivers__monthly), as the seed says. -#}

with label_values as (
    select * from {{ ref('int_label_values') }}
    where vocabulary = 'touchpoint'
),

touchpoint_journey as (
    select * from {{ ref('touchpoint_journey') }}
),

journey as (
    select
        cast(touchpoint as {{ dbt.type_string() }}) as touchpoint,
        {{ label_key('cast(touchpoint as ' ~ dbt.type_string() ~ ')') }} as value_key,
        cast(journey_position as {{ dbt.type_int() }}) as journey_position,
        cast(stage_description as {{ dbt.type_string() }}) as stage_description,
        cast(stage_driver as {{ dbt.type_string() }}) as stage_driver
    from touchpoint_journey
),

shown as (
    select distinct display_value as touchpoint
    from label_values
    union
    select 'unknown' as touchpoint
),

touchpoints as (
    select touchpoint
    from shown
    union
    select journey.touchpoint
    from journey
    where journey.value_key not in (select {{ label_key('shown.touchpoint') }} from shown)
),

placed as (
    select
        touchpoints.touchpoint,
        journey.journey_position as seed_position,
        journey.stage_description,
        journey.stage_driver
    from touchpoints
    left join journey
        on {{ label_key('touchpoints.touchpoint') }} = journey.value_key
),

final as (
    select
        touchpoint,
        cast(
            coalesce(
                seed_position,
                (select max(journey.journey_position) from journey)
                + row_number() over (
                    partition by case when seed_position is null then 1 else 0 end
                    order by touchpoint asc
                )
            ) as {{ dbt.type_int() }}
        ) as journey_position,
        seed_position is not null as is_in_journey_seed,
        stage_description,
        stage_driver
    from placed
)

select * from final
