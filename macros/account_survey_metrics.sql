{#- The survey metrics summed per account and month in prep_account_survey_months (one pair of columns each,
    <metric>_answers and <metric>_score_pct_sum), which prep_churn_risk_snapshots windows into features. -#}
{% macro account_survey_metrics() -%}
  {{ return(['nps', 'csat', 'ces']) }}
{%- endmacro %}
