{#- One row per valid survey response, with the survey's touchpoint, the contact's account and the language
    shown as a label. A response whose contact is missing from the CRM points at that contact's inferred
    member (account '-1', the unknown account), one without a contact at the unknown contact '-1': it still
    counts in every total it can be placed in. Its language is shown with dim_languages' label ('unknown' when
    empty). submitted_date and submitted_month are days of the reporting
    calendar (var reporting_time_zone).
    Incremental, partitioned by submitted_date (macros/incremental.sql, docs/incremental.md): a run rebuilds
    the days of the look-back window, the days whose valid responses changed in number, and the days holding
    a stored response whose copied attributes (touchpoint, account, language label) differ from what the
    dimensions give now. That comparison reads the model's own table ({{ this }}): the copies it stored are
    its record of what it loaded, so no other state is kept. -#}
{{ config(**incremental_partitions_config(survey_fact_partition_column())) }}

{#- The attributes a response copies from its dimensions, written once for the build and for the comparison
    with the stored rows. -#}
{%- set copied_columns = {
    'touchpoint': 'surveys.touchpoint',
    'account_id': "coalesce(contacts.account_id, '-1')",
    'language': "coalesce(languages.language, 'unknown')",
} -%}

{%- set changed_partitions -%}
    select distinct loaded.{{ survey_fact_partition_column() }} as partition_start
    from {{ this }} as loaded
    left join {{ ref('int_survey_responses__checked') }} as responses
        on loaded.response_id = responses.response_id
            and responses.quarantine_reason is null
    left join {{ ref('dim_surveys') }} as surveys
        on loaded.survey_id = surveys.survey_id
    left join {{ ref('dim_contacts') }} as contacts
        on loaded.contact_id = contacts.contact_id
    left join {{ ref('dim_languages') }} as languages
        on {{ label_key('responses.language') }} = languages.language_key
    where
    {%- for column, expression in copied_columns.items() %}
        {{ 'or ' if not loop.first }}{{ values_differ('loaded.' ~ column, expression) }}
    {%- endfor %}
{%- endset %}

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

languages as (
    select * from {{ ref('dim_languages') }}
),

batch as (
    select responses.*
    from responses
    {%- if is_incremental() %}
    where {{ incremental_partition_filter(
        'responses.partition_date',
        survey_fact_partition_source('int_survey_responses__checked'),
        target_partition=survey_fact_partition_column(),
        target_event_time='submitted_date',
        target_valid_where=none,
        changed_partitions_sql=changed_partitions
    ) }}
    {%- endif %}
),

final as (
    select
        batch.response_id,
        batch.survey_id,
        {{ copied_columns.touchpoint }} as touchpoint,
        coalesce(batch.contact_id, '-1') as contact_id,
        {{ copied_columns.account_id }} as account_id,
        batch.invitation_id,
        {{ copied_columns.language }} as language,
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
    left join languages
        on {{ label_key('batch.language') }} = languages.language_key
)

select * from final
