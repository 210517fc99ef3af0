{#- One row per valid survey response, with the survey's touchpoint and the contact's account. A response
    whose account cannot be found points at the unknown account member ('-1') rather than being dropped.
    Incremental, partitioned by submitted_date (macros/incremental.sql, docs/incremental.md): a run rebuilds
    the days of the look-back window, the days whose valid responses changed in number, and the days holding
    a response whose survey or contact has changed (int_survey_facts__dimensions_loaded) since it was
    loaded. -#}
{{ config(**incremental_partitions_config(survey_fact_partition_column())) }}

-- depends_on: {{ ref('dim_survey_questions') }}
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

batch as (
    select responses.*
    from responses
    {%- if is_incremental() %}
    where {{ survey_fact_partition_filter(
        'responses.partition_date',
        'int_survey_responses__checked',
        [
            {'column': 'survey_id', 'dimension': 'survey'},
            {'column': 'contact_id', 'dimension': 'contact'},
        ]
    ) }}
    {%- endif %}
),

final as (
    select
        batch.response_id,
        batch.survey_id,
        surveys.touchpoint,
        batch.contact_id,
        coalesce(contacts.account_id, '-1') as account_id,
        batch.invitation_id,
        batch.language,
        batch.submitted_at,
        cast(batch.submitted_at as date) as submitted_date,
        cast({{ dbt.date_trunc('month', 'batch.submitted_at') }} as date) as submitted_month
    from batch
    left join surveys
        on batch.survey_id = surveys.survey_id
    left join contacts
        on batch.contact_id = contacts.contact_id
)

select * from final
