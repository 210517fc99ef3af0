{#- The retention metrics' components for the metric cascade, per period x metric x account segment (as is,
    like mart_churn): GRR, NRR and logo retention (= CRR) from the same per-account movements
    (prep_account_period_movements) and retained positions (macros/retention.sql) mart_churn sums, so the
    cascade's figures are mart_churn's. An account-period with a quarantined contract or churn event adds
    nothing, as in mart_churn. Retention has no touchpoint (null). -#}
{%- set retained = retained_position_expressions() -%}
{#- metric_code: (numerator, denominator); each over the period's opening position. -#}
{%- set components = {
    'grr': (retained['arr_retained_gross'], 'arr_start'),
    'nrr': (retained['arr_retained_net'], 'arr_start'),
    'logo_retention': (retained['accounts_retained'], 'accounts_start'),
} -%}

with account_movements as (
    select * from {{ ref('prep_account_period_movements') }}
),

accounts as (
    select * from {{ ref('dim_accounts') }}
),

segmented as (
    select
        account_movements.*,
        accounts.{{ account_segment_columns() | join(',\n        accounts.') }}
    from account_movements
    left join accounts
        on account_movements.account_id = accounts.account_id
),

final as (
    {%- for metric_code, (numerator, denominator) in components.items() %}
        select
            period_grain,
            period_start,
            cast('{{ metric_code }}' as {{ dbt.type_string() }}) as metric_code,
            cast(100 as {{ type_double() }}) as value_scale,
            cast(null as {{ dbt.type_string() }}) as touchpoint,
            {{ account_segment_columns() | join(',\n            ') }},
            cast(sum({{ numerator }}) as {{ type_double() }}) as numerator,
            cast(sum({{ denominator }}) as {{ type_double() }}) as denominator,
            cast(sum(accounts_start) as {{ dbt.type_bigint() }}) as sample_size
        from segmented
        group by
            period_grain,
            period_start,
            {{ account_segment_columns() | join(',\n            ') }}
        {%- if not loop.last %}
            union all
        {%- endif %}
    {%- endfor %}
)

select * from final
