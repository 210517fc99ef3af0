{#- The raw tables that pass through validation, with their source: the one list the data-quality marts loop
    over (fct_quarantined_rows, mart_raw_reconciliation, tests/singular). Each has a staging model and a
    checked model int_<table>__checked. -#}
{% macro checked_source_tables() -%}
  {{ return([
      {'source': 'crm', 'table': 'accounts'},
      {'source': 'crm', 'table': 'contacts'},
      {'source': 'crm', 'table': 'contracts'},
      {'source': 'crm', 'table': 'invoices'},
      {'source': 'crm', 'table': 'churn_events'},
      {'source': 'survey', 'table': 'surveys'},
      {'source': 'survey', 'table': 'survey_questions'},
      {'source': 'survey', 'table': 'survey_invitations'},
      {'source': 'survey', 'table': 'survey_responses'},
      {'source': 'survey', 'table': 'survey_answers'},
      {'source': 'support', 'table': 'support_tickets'},
      {'source': 'success', 'table': 'onboarding_projects'},
      {'source': 'success', 'table': 'feedback_cases'},
  ]) }}
{%- endmacro %}
