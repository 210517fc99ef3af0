{#- One row per valid survey response, with the survey's touchpoint and the contact's account. A response
    whose account cannot be found points at the unknown account member ('-1') rather than being dropped. -#}

with responses as (
    select * from {{ ref('int_survey_responses__checked') }}
    where quarantine_reason is null
),

surveys as (
    select * from {{ ref('dim_surveys') }}
),

contacts as (
    select * from {{ ref('dim_contacts') }}
),

final as (
    select
        responses.response_id,
        responses.survey_id,
        surveys.touchpoint,
        responses.contact_id,
        coalesce(contacts.account_id, '-1') as account_id,
        responses.invitation_id,
        responses.language,
        responses.submitted_at,
        cast(responses.submitted_at as date) as submitted_date,
        cast({{ dbt.date_trunc('month', 'responses.submitted_at') }} as date) as submitted_month
    from responses
    left join surveys
        on responses.survey_id = surveys.survey_id
    left join contacts
        on responses.contact_id = contacts.contact_id
)

select * from final
