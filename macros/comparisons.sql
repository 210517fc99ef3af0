{#- True when two values differ, a null counting as a value of its own (IS DISTINCT FROM, written so that
    every engine the project runs on reads it). -#}
{% macro values_differ(left, right) -%}
    (case when {{ left }} = {{ right }} or ({{ left }} is null and {{ right }} is null) then 0 else 1 end = 1)
{%- endmacro %}
