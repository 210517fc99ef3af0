{#- The raw tables that pass through validation, with their source and staging model: the one list the models
    that read every table loop over (the label spellings, the orphan list, the data-quality marts and tests).
    Each has a staging model and a checked model int_<table>__checked. -#}
{% macro checked_source_tables() -%}
  {{ return([
      {'source': 'crm', 'table': 'accounts', 'staging': 'stg_crm__accounts'},
      {'source': 'crm', 'table': 'contacts', 'staging': 'stg_crm__contacts'},
      {'source': 'crm', 'table': 'contracts', 'staging': 'stg_crm__contracts'},
      {'source': 'crm', 'table': 'invoices', 'staging': 'stg_crm__invoices'},
      {'source': 'crm', 'table': 'churn_events', 'staging': 'stg_crm__churn_events'},
      {'source': 'survey', 'table': 'surveys', 'staging': 'stg_survey__surveys'},
      {'source': 'survey', 'table': 'survey_questions', 'staging': 'stg_survey__questions'},
      {'source': 'survey', 'table': 'survey_invitations', 'staging': 'stg_survey__invitations'},
      {'source': 'survey', 'table': 'survey_responses', 'staging': 'stg_survey__responses'},
      {'source': 'survey', 'table': 'survey_answers', 'staging': 'stg_survey__answers'},
      {'source': 'support', 'table': 'support_tickets', 'staging': 'stg_support__tickets'},
      {'source': 'success', 'table': 'onboarding_projects', 'staging': 'stg_success__onboarding_projects'},
      {'source': 'success', 'table': 'feedback_cases', 'staging': 'stg_success__feedback_cases'},
  ]) }}
{%- endmacro %}

{#- The staging model of a raw table (stg_<source>__<table>, with the survey tables' survey_ prefix dropped).
    -#}
{% macro staging_model_name(table_name) -%}
  {%- for table in checked_source_tables() if table.table == table_name -%}
    {{ return(table.staging) }}
  {%- endfor -%}
  {{ exceptions.raise_compiler_error("no staging model for raw table '" ~ table_name ~ "'") }}
{%- endmacro %}
