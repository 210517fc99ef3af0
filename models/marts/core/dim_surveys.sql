with surveys as (
    select * from {{ ref('int_surveys__checked') }}
    where quarantine_reason is null
),

final as (
    select
        survey_id,
        survey_name,
        touchpoint,
        created_at
    from surveys
)

select * from final
