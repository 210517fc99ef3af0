{#- One row per valid survey invitation with what the survey-health marts count it by: the survey and its
    touchpoint (dim_surveys: an invitation of a survey missing from the export counts under the inferred
    survey 'unknown'), the channel as a label, the invited contact's account and its segments as they were when
    the invitation was sent (dim_accounts__history; an unknown or missing contact counts under the unknown
    account and segments 'unknown'), whether a valid response answers it, and the contact's invitation history:
    whether the contact was invited within var survey_reinvite_window_days before it, and how many invitations
    the contact received in the var survey_frequency_window_days up to and including it. Invitations without a
    contact have no history (null). Earlier invitations are read through a self-join on the contact, which
    every engine runs (a range window over an interval is not portable). -#}
{%- set seconds_per_day = 86400 -%}
{%- set reinvite_days = checked_var('survey_reinvite_window_days', 'whole_number') | int -%}
{%- set frequency_days = checked_var('survey_frequency_window_days', 'whole_number') | int -%}
{%- set reinvite_seconds = reinvite_days * seconds_per_day -%}
{%- set frequency_seconds = frequency_days * seconds_per_day -%}

with invitations as (
    select * from {{ ref('int_survey_invitations__checked') }}
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

survey_responses as (
    select * from {{ ref('fct_survey_responses') }}
),

account_versions as (
    select * from {{ ref('dim_accounts__history') }}
),

answered_invitations as (
    select distinct invitation_id
    from survey_responses
    where invitation_id is not null
),

{# Every earlier invitation of the same contact (the same moment ordered by invitation_id), with its distance
   in seconds: exact on every engine, where adding days to a timestamp is not (Spark's date_add drops the time). #}
earlier_invitation_gaps as (
    select
        invitations.invitation_id,
        {#- the adapter's datediff renders longer than the line limit #}
        {{ dbt.datediff('earlier.sent_at', 'invitations.sent_at', 'second') }} as seconds_since_earlier  -- noqa: LT05
    from invitations
    inner join invitations as earlier
        on invitations.contact_id = earlier.contact_id
            and (
                invitations.sent_at > earlier.sent_at
                or (
                    invitations.sent_at = earlier.sent_at
                    and invitations.invitation_id > earlier.invitation_id
                )
            )
),

earlier_invitations as (
    select
        invitation_id,
        {{ dbt.bool_or('seconds_since_earlier <= ' ~ reinvite_seconds) }} as is_reinvited,
        sum(
            case when seconds_since_earlier <= {{ frequency_seconds }} then 1 else 0 end
        ) as earlier_in_frequency_window
    from earlier_invitation_gaps
    group by invitation_id
),

final as (
    select
        invitations.invitation_id,
        invitations.survey_id,
        coalesce(surveys.survey_name, 'unknown') as survey_name,
        coalesce(surveys.touchpoint, 'unknown') as touchpoint,
        {{ label_display('channel_label') }} as channel,
        coalesce(invitations.contact_id, '-1') as contact_id,
        coalesce(contacts.account_id, '-1') as account_id,
        invitations.sent_at,
        cast({{ dbt.date_trunc('month', to_reporting_time('invitations.sent_at')) }} as date) as sent_month,
        coalesce(account_versions.industry, 'unknown') as industry,
        coalesce(account_versions.tier, 'unknown') as tier,
        coalesce(account_versions.region, 'unknown') as region,
        coalesce(account_versions.employee_band, 'unknown') as employee_band,
        cast(case when answered_invitations.invitation_id is null then 0 else 1 end as {{ dbt.type_int() }})
            as is_responded,
        case
            when invitations.contact_id is null then null
            else coalesce(earlier_invitations.is_reinvited, false)
        end as is_reinvited,
        cast(
            case
                when invitations.contact_id is null then null
                else 1 + coalesce(earlier_invitations.earlier_in_frequency_window, 0)
            end as {{ dbt.type_int() }}
        ) as invitations_in_frequency_window
    from invitations
    left join surveys
        on invitations.survey_id = surveys.survey_id
    left join contacts
        on coalesce(invitations.contact_id, '-1') = contacts.contact_id
    {{ label_value_join('label_values', 'channel', 'invitations.channel', 'channel_label') }}
    left join answered_invitations
        on invitations.invitation_id = answered_invitations.invitation_id
    left join earlier_invitations
        on invitations.invitation_id = earlier_invitations.invitation_id
    left join account_versions
        on coalesce(contacts.account_id, '-1') = account_versions.account_id
            and invitations.sent_at >= account_versions.valid_from
            and invitations.sent_at < account_versions.valid_to
)

select * from final
