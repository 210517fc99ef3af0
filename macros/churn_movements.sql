{#- The churn movements mart_churn and the metric cascade (prep_metric_components__revenue) share, so that
    both count retention one way. -#}

{#- Each account's contribution to its period, from prep_account_period_status rows in `relation`: 0/1
    counts and its ARR movement, split so that arr_end = arr_start + arr_new + arr_expansion - arr_contraction
    - arr_churned holds per account. An account-period with a quarantined contract or churn event
    (is_revenue_incomplete) adds nothing to the movements and positions, only to the incomplete_* counts. -#}
{% macro account_period_movements(relation) -%}
    select
        account_id,
        period_grain,
        period_start,
        {%- set complete = 'not is_revenue_incomplete and ' %}
        case when {{ complete }}is_active_at_start then 1 else 0 end as accounts_start,
        case
            when {{ complete }}is_active_at_end and not is_active_at_start then 1 else 0
        end as new_accounts,
        case
            when {{ complete }}is_active_at_start and not is_active_at_end then 1 else 0
        end as churned_accounts,
        case when {{ complete }}is_active_at_end then 1 else 0 end as accounts_end,
        0 as churn_events_recorded,
        case when not is_revenue_incomplete then arr_start_eur else 0 end as arr_start,
        case
            when {{ complete }}is_active_at_end and not is_active_at_start then arr_end_eur else 0
        end as arr_new,
        case
            when {{ complete }}is_active_at_start and is_active_at_end and arr_end_eur > arr_start_eur
                then arr_end_eur - arr_start_eur
            else 0
        end as arr_expansion,
        case
            when {{ complete }}is_active_at_start and is_active_at_end and arr_end_eur < arr_start_eur
                then arr_start_eur - arr_end_eur
            else 0
        end as arr_contraction,
        case
            when {{ complete }}is_active_at_start and not is_active_at_end then arr_start_eur else 0
        end as arr_churned,
        case when not is_revenue_incomplete then arr_end_eur else 0 end as arr_end,
        case when is_revenue_incomplete then 1 else 0 end as incomplete_accounts,
        case when is_revenue_incomplete and is_active_at_start then 1 else 0 end as incomplete_accounts_start,
        case when is_revenue_incomplete and is_active_at_end then 1 else 0 end as incomplete_accounts_end,
        case when is_revenue_incomplete then arr_start_eur else 0 end as incomplete_arr_start,
        case when is_revenue_incomplete then arr_end_eur else 0 end as incomplete_arr_end
    from {{ relation }}
{%- endmacro %}

{#- The retained parts of the period's opening position, from the movements' columns (per account or summed):
    accounts_retained (CRR's and logo retention's numerator, over accounts_start), arr_retained_gross (GRR's,
    over arr_start) and arr_retained_net (NRR's, over arr_start). -#}
{% macro retained_position_expressions() -%}
  {{ return({
      'accounts_retained': 'accounts_end - new_accounts',
      'arr_retained_gross': 'arr_start - arr_contraction - arr_churned',
      'arr_retained_net': 'arr_start + arr_expansion - arr_contraction - arr_churned',
  }) }}
{%- endmacro %}
