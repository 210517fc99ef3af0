{#- Data-quality thresholds on a column of shares in percent (one row per table in mart_raw_reconciliation):
    dbt compares the largest share, rounded up to a whole percent (fail_calc; dbt counts failures in whole
    numbers), with warn_if / error_if, taken from two vars of whole percents, so a build warns above the first
    and fails above the second. dbt reports that share as its count of "results": "Got 28 results, configured
    to fail if >10" reads 28 % against 10 %. A share is judged only when its rows (the sql expression
    bad_rows) number at least var data_quality_min_rows, or are all total_rows of the table: one bad row of
    three is no broken load. The rows returned (label_column and the share) are the ones judged above the warn
    threshold, so the failure names the tables. -#}
{% test share_within_thresholds(model, column_name, label_column, bad_rows, total_rows, warn_var, error_var) %}
  {{ config(
      fail_calc='cast(ceil(coalesce(max(share_pct), 0)) as ' ~ dbt.type_int() ~ ')',
      warn_if='>' ~ checked_var(warn_var, 'whole_number'),
      error_if='>' ~ checked_var(error_var, 'whole_number'),
  ) }}
  select
    {{ label_column }} as label,
    {{ column_name }} as share_pct
  from {{ model }}
  where
    {{ column_name }} > {{ checked_var(warn_var, 'whole_number') }}
    and ({{ bad_rows }} >= {{ checked_var('data_quality_min_rows', 'whole_number') }}
      or {{ bad_rows }} = {{ total_rows }})
{% endtest %}
