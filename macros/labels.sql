{#- Labels are the user's words (README, "Using your own data"): kept as written, never a reason to reject a
    row, and shown through int_label_values (seed label_synonyms, else the most frequent spelling). -#}

{#- The key two spellings of one label share when they differ only in case or spacing ('DACH', ' dach',
    'Mid  Market' / 'mid market'): trimmed, runs of spaces made one, lower case. -#}
{% macro label_key(expression) -%}
  lower(trim({{ regexp_replace_all(expression, ' +', ' ') }}))
{%- endmacro %}

{#- A left join of int_label_values (as the cte `values_cte`) for one label column, under `alias`; select its
    label with label_display(alias). -#}
{% macro label_value_join(values_cte, vocabulary, expression, alias) -%}
    left join {{ values_cte }} as {{ alias }}
        on {{ alias }}.vocabulary = {{ sql_string_literal(vocabulary) }}
            and {{ alias }}.value_key = {{ label_key(expression) }}
{%- endmacro %}

{#- The display label joined by label_value_join; an empty value shows as 'unknown'. -#}
{% macro label_display(alias) -%}
    coalesce({{ alias }}.display_value, 'unknown')
{%- endmacro %}
