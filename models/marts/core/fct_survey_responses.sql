{#- One row per valid survey response, with the survey's touchpoint, the contact's account and the language
    shown as a label. A response whose contact is missing from the CRM points at that contact's inferred
    member (account '-1', the unknown account), one without a contact at the unknown contact '-1': it still
    counts in every total it can be placed in. submitted_date and submitted_month are days of the reporting
    calendar (var reporting_time_zone). Incremental, partitioned by submitted_date (macros/incremental.sql,
    docs/incremental.md): a run rebuilds the days of the look-back window, the days whose valid responses
    changed in number, and the days holding a response whose survey, contact or language label has changed
    (int_survey_facts__dimensions_loaded) since it was loaded. -#}
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

label_values as (
    select * from {{ ref('int_label_values') }}
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
            {'column': 'response_id', 'dimension': 'language',
             'through': {'model': 'int_survey_responses__checked',
                         'column_sql': label_key('through_model.language')}},
        ]
    ) }}
    {%- endif %}
),

final as (
    select
        batch.response_id,
        batch.survey_id,
        surveys.touchpoint,
        coalesce(batch.contact_id, '-1') as contact_id,
        coalesce(contacts.account_id, '-1') as account_id,
        batch.invitation_id,
        {{ label_display('language_label') }} as language,
        batch.submitted_at,
        {{ reporting_date('batch.submitted_at') }} as submitted_date,
        cast(
            {{ dbt.date_trunc('month', to_reporting_time('batch.submitted_at')) }} as date
        ) as submitted_month
    from batch
    left join surveys
        on batch.survey_id = surveys.survey_id
    left join contacts
        on coalesce(batch.contact_id, '-1') = contacts.contact_id
    {{ label_value_join('label_values', 'language', 'batch.language', 'language_label') }}
)

select * from final
