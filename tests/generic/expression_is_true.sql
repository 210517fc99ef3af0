{#- Fails for each row where the SQL expression is not true (null counts as a failure), optionally only for
    rows matching `where_clause`. Use it for row-level identities such as promoters + passives + detractors = responses.
    Declared under a column it tests the same full expression (column_name is accepted, not used). -#}
{% test expression_is_true(model, expression, where_clause=none, column_name=none) %}
  select *
  from {{ model }}
  where not coalesce({{ expression }}, false)
  {%- if where_clause %}
    and ({{ where_clause }})
  {%- endif %}
{% endtest %}
