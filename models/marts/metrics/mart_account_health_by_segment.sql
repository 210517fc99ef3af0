{#- Account health per period_grain x period_start x segment (segment_dimension all, industry, tier, region,
    employee_band; the accounts' segments as is). Each account of prep_account_health adds 0/1 counts and its
    ARR to additive parts (accounts per category, ARR per category, ARR answered recently); the unknown
    account '-1' adds only its respondents (unattributed_respondents), since its responses are no one
    account's view. The ratios are computed from the summed parts last:
    account-weighted NPS = (promoter accounts - detractor accounts) * 100 / answering accounts,
    ARR-weighted NPS = (promoter ARR - detractor ARR) * 100 / ARR of answering accounts,
    ARR at risk = ARR of detractor accounts, revenue coverage = ARR answered recently * 100 / ARR. -#}

{%- set count_measures = [
    'accounts', 'answering_accounts', 'promoter_accounts', 'passive_accounts', 'detractor_accounts',
    'respondents', 'unattributed_respondents', 'revenue_incomplete_accounts',
] -%}
{%- set money_measures = [
    'arr_eur', 'answering_arr_eur', 'promoter_arr_eur', 'passive_arr_eur', 'arr_at_risk_eur',
    'arr_answered_recently_eur',
] -%}
{%- set measures = count_measures + money_measures -%}

with account_health as (
    select * from {{ ref('prep_account_health') }}
),

account_parts as (
    {%- set is_account = 'not is_unknown_account' %}
    select
        period_grain,
        period_start,
        {{ account_segment_columns() | join(',\n        ') }},
        case when {{ is_account }} then 1 else 0 end as accounts,
        case when account_category is not null then 1 else 0 end as answering_accounts,
        case when account_category = 'promoter' then 1 else 0 end as promoter_accounts,
        case when account_category = 'passive' then 1 else 0 end as passive_accounts,
        case when account_category = 'detractor' then 1 else 0 end as detractor_accounts,
        respondents,
        case when is_unknown_account then respondents else 0 end as unattributed_respondents,
        case when {{ is_account }} then arr_eur else 0 end as arr_eur,
        case when account_category is not null then arr_eur else 0 end as answering_arr_eur,
        case when account_category = 'promoter' then arr_eur else 0 end as promoter_arr_eur,
        case when account_category = 'passive' then arr_eur else 0 end as passive_arr_eur,
        case when account_category = 'detractor' then arr_eur else 0 end as arr_at_risk_eur,
        case when {{ is_account }} and is_answered_recently then arr_eur else 0 end
            as arr_answered_recently_eur,
        case when {{ is_account }} and is_revenue_incomplete then 1 else 0 end
            as revenue_incomplete_accounts
    from account_health
),

segments as (
    {{ rollup_segments(
        'account_parts',
        ['period_grain', 'period_start'],
        account_segment_columns(),
        measures
    ) }}
),

totals as (
    select
        period_grain,
        period_start,
        segment_dimension,
        segment_value,
        {%- for measure in count_measures %}
            cast({{ measure }} as {{ dbt.type_bigint() }}) as {{ measure }},
        {%- endfor %}
        {%- for measure in money_measures %}
            cast({{ measure }} as {{ type_money() }}) as {{ measure }},
        {%- endfor %}
        cast(promoter_accounts - detractor_accounts as {{ type_double() }}) as net_promoter_accounts,
        cast(promoter_arr_eur - arr_at_risk_eur as {{ type_double() }}) as net_promoter_arr_eur
    from segments
),

{# Ratios in points or percent, from the summed parts; null when the denominator is 0. #}
final as (
    select
        period_grain,
        period_start,
        segment_dimension,
        segment_value,
        {{ measures | join(',\n        ') }},
        net_promoter_accounts * 100 / nullif(answering_accounts, 0) as account_weighted_nps,
        {#- ARR ratios divide first, then scale, so a share of the whole is never above 100 by rounding (see
            mart_survey_coverage) -#}
        net_promoter_arr_eur / nullif(answering_arr_eur, 0) * 100 as arr_weighted_nps,
        cast(arr_at_risk_eur as {{ type_double() }}) / nullif(arr_eur, 0) * 100 as arr_at_risk_pct,
        cast(arr_answered_recently_eur as {{ type_double() }}) / nullif(arr_eur, 0) * 100
            as revenue_coverage_pct,
        {{ is_low_sample('answering_accounts') }} as is_low_sample
    from totals
)

select * from final
