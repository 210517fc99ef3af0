{#- Survey fatigue per period: the response rate of invitations by the contact's invitation history, to see
    whether contacts invited often answer less. Two comparisons (segment_dimension): invitation_history
    (first_time, or re_invited when the contact was invited within var survey_reinvite_window_days before) and
    invitation_frequency (the contact's invitations within var survey_frequency_window_days up to and including
    this one, in the buckets of seed invitation_frequency_buckets); 'unknown' for invitations without a contact.
    Each row is compared with its dimension's reference group (first_time, the lowest bucket) by a
    two-proportion z-test. Counts are rolled up from months; rates and tests are computed last. -#}
{%- set measures = ['invitations', 'responded_invitations'] -%}

with invitation_history as (
    select * from {{ ref('prep_survey_invitations__history') }}
),

frequency_buckets as (
    select * from {{ ref('invitation_frequency_buckets') }}
),

reporting_periods as (
    select * from {{ ref('dim_reporting_periods') }}
),

last_bucket as (
    select max(bucket_order) as last_bucket_order
    from frequency_buckets
),

classified_invitations as (
    select
        invitation_history.sent_month,
        case
            when invitation_history.is_reinvited is null then 'unknown'
            when invitation_history.is_reinvited then 're_invited'
            else 'first_time'
        end as invitation_history,
        coalesce(cast(frequency_buckets.bucket_label as {{ dbt.type_string() }}), 'unknown')
            as invitation_frequency,
        invitation_history.is_responded
    from invitation_history
    left join frequency_buckets
        on invitation_history.invitations_in_frequency_window >= frequency_buckets.invitations_from
            and invitation_history.invitations_in_frequency_window <= frequency_buckets.invitations_to
),

invitations_monthly as (
    select
        sent_month,
        invitation_history,
        invitation_frequency,
        count(*) as invitations,
        sum(is_responded) as responded_invitations
    from classified_invitations
    group by
        sent_month,
        invitation_history,
        invitation_frequency
),

periods as (
    {{ rollup_months_to_periods(
        'invitations_monthly', 'sent_month', ['invitation_history', 'invitation_frequency'], measures
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

groups as (
    {{ rollup_segments(
        'reported_periods',
        ['period_grain', 'period_start'],
        ['invitation_history', 'invitation_frequency'],
        measures
    ) }}
),

{# The order of the groups within their comparison: first_time 1, re_invited 2; the buckets in their seed
   order; 'unknown' last; 'all' 0. #}
ordered as (
    select
        groups.period_grain,
        groups.period_start,
        groups.segment_dimension,
        groups.segment_value,
        cast(
            case
                when groups.segment_dimension = 'all' then 0
                when groups.segment_value = 'first_time' then 1
                when groups.segment_value = 're_invited' then 2
                when groups.segment_dimension = 'invitation_history' then 3
                else coalesce(frequency_buckets.bucket_order, last_bucket.last_bucket_order + 1)
            end as {{ dbt.type_int() }}
        ) as group_order,
        cast(groups.invitations as {{ dbt.type_bigint() }}) as invitations,
        cast(groups.responded_invitations as {{ dbt.type_bigint() }}) as responded_invitations
    from groups
    left join frequency_buckets
        on groups.segment_dimension = 'invitation_frequency'
            and groups.segment_value = cast(frequency_buckets.bucket_label as {{ dbt.type_string() }})
    cross join last_bucket
),

{# The reference of a comparison is its first group present in the period (first_time, the lowest bucket). #}
with_reference_order as (
    select
        *,
        min(group_order) over (
            partition by period_grain, period_start, segment_dimension
        ) as reference_group_order
    from ordered
),

with_reference as (
    select
        with_reference_order.*,
        reference.invitations as reference_invitations,
        reference.responded_invitations as reference_responded_invitations
    from with_reference_order
    left join ordered as reference
        on with_reference_order.period_grain = reference.period_grain
            and with_reference_order.period_start = reference.period_start
            and with_reference_order.segment_dimension = reference.segment_dimension
            and with_reference_order.reference_group_order = reference.group_order
),

final as (
    select
        period_grain,
        period_start,
        segment_dimension,
        segment_value,
        group_order,
        invitations,
        responded_invitations,
        {{ response_rate_columns('responded_invitations', 'invitations') }},
        reference_invitations,
        reference_responded_invitations,
        cast(responded_invitations as {{ type_double() }}) * 100 / invitations
        - cast(reference_responded_invitations as {{ type_double() }}) * 100 / reference_invitations
            as response_rate_difference,
        {{ two_proportion_z(
            'responded_invitations', 'invitations', 'reference_responded_invitations', 'reference_invitations'
        ) }} as response_rate_difference_z,
        {{ is_change_significant(
            two_proportion_z(
                'responded_invitations', 'invitations', 'reference_responded_invitations', 'reference_invitations'
            ),
            'reference_invitations'
        ) }} as is_response_rate_difference_significant
    from with_reference
)

select * from final
