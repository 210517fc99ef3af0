{#- The retained positions mart_churn and the metric cascade (prep_metric_components__revenue) share, so that
    both count retention one way (the per-account movements themselves are prep_account_period_movements). -#}

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
