{#- One row per survey: every valid survey, its touchpoint shown as a label with its journey position
    (dim_touchpoints), and an inferred member for every survey key that questions, invitations or responses
    point at but the survey export lacks (touchpoint 'unknown'). -#}

with surveys as (
    select * from {{ ref('int_surveys__checked') }}
    where quarantine_reason is null
),

orphaned_references as (
    select * from {{ ref('int_orphaned_references') }}
    where parent_table = 'surveys'
),

label_values as (
    select * from {{ ref('int_label_values') }}
),

touchpoints as (
    select * from {{ ref('dim_touchpoints') }}
),

valid_surveys as (
    select
        surveys.survey_id,
        {{ label_display('survey_name_label') }} as survey_name,
        {{ label_display('touchpoint_label') }} as touchpoint,
        surveys.created_at,
        false as is_inferred_member
    from surveys
    {{ label_value_join('label_values', 'survey_name', 'surveys.survey_name', 'survey_name_label') }}
    {{ label_value_join('label_values', 'touchpoint', 'surveys.touchpoint', 'touchpoint_label') }}
),

inferred_members as (
    select distinct
        missing_key as survey_id,
        'unknown' as survey_name,
        'unknown' as touchpoint,
        cast(null as {{ dbt.type_timestamp() }}) as created_at,
        true as is_inferred_member
    from orphaned_references
),

all_surveys as (
    select * from valid_surveys
    union all
    select * from inferred_members
),

final as (
    select
        all_surveys.survey_id,
        all_surveys.survey_name,
        all_surveys.touchpoint,
        touchpoints.journey_position,
        all_surveys.created_at,
        all_surveys.is_inferred_member
    from all_surveys
    left join touchpoints
        on all_surveys.touchpoint = touchpoints.touchpoint
)

select * from final
