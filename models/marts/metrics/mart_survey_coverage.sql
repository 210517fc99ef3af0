{#- Survey coverage per period and account segment (as is): of the accounts active in the period and their
    ARR, how many had at least one survey invitation and at least one answered invitation in it. The
    account-period flags of prep_account_survey_coverage add up over segments but not over months (a quarter
    counts an account once), so each grain is summed from its own rows; the shares are computed last. -#}
{%- set measures = [
    'active_accounts', 'arr_eur', 'invited_accounts', 'invited_arr_eur', 'responding_accounts',
    'responding_arr_eur',
] -%}

with account_coverage as (
    select * from {{ ref('prep_account_survey_coverage') }}
),

weighted_accounts as (
    select
        period_grain,
        period_start,
        {{ account_segment_columns() | join(',\n        ') }},
        1 as active_accounts,
        arr_eur,
        is_invited as invited_accounts,
        is_invited * arr_eur as invited_arr_eur,
        is_responding as responding_accounts,
        is_responding * arr_eur as responding_arr_eur
    from account_coverage
),

segments as (
    {{ rollup_segments(
        'weighted_accounts', ['period_grain', 'period_start'], account_segment_columns(), measures
    ) }}
),

final as (
    select
        period_grain,
        period_start,
        segment_dimension,
        segment_value,
        cast(active_accounts as {{ dbt.type_bigint() }}) as active_accounts,
        cast(arr_eur as {{ type_money() }}) as arr_eur,
        cast(invited_accounts as {{ dbt.type_bigint() }}) as invited_accounts,
        cast(invited_arr_eur as {{ type_money() }}) as invited_arr_eur,
        cast(responding_accounts as {{ dbt.type_bigint() }}) as responding_accounts,
        cast(responding_arr_eur as {{ type_money() }}) as responding_arr_eur,
        cast(invited_accounts as {{ type_double() }}) * 100 / active_accounts as invited_accounts_pct,
        {#- ARR shares divide first, then scale: x * 100 / x can round to 100.00000000000001, x / x * 100
            cannot, and a part never exceeds its whole -#}
        cast(invited_arr_eur as {{ type_double() }}) / nullif(arr_eur, 0) * 100 as invited_arr_pct,
        cast(responding_accounts as {{ type_double() }}) * 100 / active_accounts as responding_accounts_pct,
        cast(responding_arr_eur as {{ type_double() }}) / nullif(arr_eur, 0) * 100 as responding_arr_pct
    from segments
)

select * from final
