{#- Survey response rates per period, survey, channel and account segment (segment_dimension 'all' and each
    account segment as it was when the invitation was sent). Invitations count in the period they were sent; an
    invitation counts as responded when a valid response answers it, whenever that came. Only the counts are
    rolled up from months; the rate and its Wilson interval are computed last. -#}
{%- set group_columns = ['survey_id', 'survey_name', 'touchpoint', 'channel'] -%}
{%- set measures = ['invitations', 'responded_invitations'] -%}

with invitation_history as (
    select * from {{ ref('prep_survey_invitations__history') }}
),

reporting_periods as (
    select * from {{ ref('dim_reporting_periods') }}
),

invitations_monthly as (
    select
        sent_month,
        {{ (group_columns + account_segment_columns()) | join(',\n        ') }},
        count(*) as invitations,
        sum(is_responded) as responded_invitations
    from invitation_history
    group by
        sent_month,
        {{ (group_columns + account_segment_columns()) | join(',\n        ') }}
),

periods as (
    {{ rollup_months_to_periods(
        'invitations_monthly', 'sent_month', group_columns + account_segment_columns(), measures
    ) }}
),

{# The shared reporting calendar decides which periods are reported, as in every metric mart. #}
reported_periods as (
    select periods.*
    from periods
    inner join reporting_periods
        on periods.period_grain = reporting_periods.period_grain
            and periods.period_start = reporting_periods.period_start
),

segments as (
    {{ rollup_segments(
        'reported_periods',
        ['period_grain', 'period_start'] + group_columns,
        account_segment_columns(),
        measures
    ) }}
),

final as (
    select
        period_grain,
        period_start,
        {{ group_columns | join(',\n        ') }},
        segment_dimension,
        segment_value,
        cast(invitations as {{ dbt.type_bigint() }}) as invitations,
        cast(responded_invitations as {{ dbt.type_bigint() }}) as responded_invitations,
        {{ response_rate_columns('responded_invitations', 'invitations') }}
    from segments
)

select * from final
