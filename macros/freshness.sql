{#-
    Source freshness judged at the end of the as-of day (var as_of_date), not at the moment the check runs:
    the age of a raw table is the end of the as-of day minus its newest timestamp (each source's
    loaded_at_field or loaded_at_query, which leave out future-dated rows), so a rebuild of an old night and a
    test on a fixed data set judge freshness as the night itself did. Rows after the as-of day are left out
    (they are quarantined as future-dated). Overrides dbt's default implementations
    (dbt/include/global_project/macros/adapters/freshness.sql), which read current_timestamp.
-#}
{% macro default__collect_freshness(source, loaded_at_field, filter) %}
  {% call statement('collect_freshness', fetch_result=True, auto_begin=False) -%}
    select
      max({{ loaded_at_field }}) as max_loaded_at,
      {{ as_of_end_timestamp() }} as snapshotted_at
    from {{ source }}
    where {{ loaded_at_field }} < {{ as_of_end_timestamp() }}
    {% if filter %}
      and ({{ filter }})
    {% endif %}
  {% endcall %}
  {{ return(load_result('collect_freshness')) }}
{% endmacro %}

{% macro default__collect_freshness_custom_sql(source, loaded_at_query) %}
  {% call statement('collect_freshness_custom_sql', fetch_result=True, auto_begin=False) -%}
  with source_query as (
    {{ loaded_at_query }}
  )
  select
    (select * from source_query) as max_loaded_at,
    {{ as_of_end_timestamp() }} as snapshotted_at
  {% endcall %}
  {{ return(load_result('collect_freshness_custom_sql')) }}
{% endmacro %}
