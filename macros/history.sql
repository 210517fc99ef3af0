{#- History (docs/history.md): the snapshots of accounts and contracts (snapshots/), their clock, and the
    versions the history models read from them. -#}

{#- The beginning and the end of time of the history models: an account's first version is valid from the
    beginning of time (the warehouse cannot know what the account looked like before its first night, and an
    answer older than the first night must still find a version), the current one until the end of time. The
    beginning is after 1582, like the undated partition, so that Spark writes it to Parquet unrebased. -#}
{% macro history_beginning_of_time() -%}
  cast('1900-01-01 00:00:00' as {{ dbt.type_timestamp() }})
{%- endmacro %}

{#- Also the snapshots' dbt_valid_to_current (written out in dbt_project.yml, which cannot call macros). -#}
{% macro history_end_of_time() -%}
  cast('9999-12-31 00:00:00' as {{ dbt.type_timestamp() }})
{%- endmacro %}

{#- Whether the snapshots run on this target: everywhere but on plain Spark, where dbt-spark's snapshots need
    a Delta, Iceberg or Hudi table (the same condition as `snapshots: +enabled` in dbt_project.yml). -#}
{% macro history_snapshots_enabled() -%}
  {{ return(target.type != 'spark' or var('spark_file_format', 'parquet') in ['delta', 'iceberg', 'hudi']) }}
{%- endmacro %}

{#- The snapshots' clock (dbt's snapshot_get_time, overridden for every adapter): the moment the dbt command
    started, moved to the as-of day. On a normal night the as-of day is today, so it is the real start time;
    a build of another day (a test, a backfill with --as-of) records its versions on that day, as the rest of
    the build sees it. It is not now(): every statement of one run records the same moment, and two runs
    (nights) never share one, so a version's id (dbt_scd_id, a hash of the key and this moment) is unique. -#}
{% macro history_snapshot_clock() -%}
  cast('{{ as_of_day() }} {{ run_started_at.strftime("%H:%M:%S.%f") }}' as {{ dbt.type_timestamp() }})
{%- endmacro %}

{% macro default__snapshot_get_time() -%}
  {{ history_snapshot_clock() }}
{%- endmacro %}

{% macro duckdb__snapshot_get_time() -%}
  {{ history_snapshot_clock() }}
{%- endmacro %}

{% macro spark__snapshot_get_time() -%}
  {{ history_snapshot_clock() }}
{%- endmacro %}

{% macro postgres__snapshot_get_time() -%}
  {{ history_snapshot_clock() }}
{%- endmacro %}

{#- The versions a history model reads: the snapshot's rows (the tracked columns, dbt_valid_from,
    dbt_valid_to and dbt_is_deleted as a boolean). Where there is no snapshot to read - snapshots disabled on
    the target (plain Spark), or not built yet in this database (a `dbt run`, which runs no snapshot, on a
    fresh database) - the valid rows of the checked model the snapshot's input filters stand in as one
    current version per key, which is exactly what the snapshot holds after its first night. (The checked
    model, not the snapshot's input: reading both the snapshot and its only parent would join one concept
    twice.) -#}
{% macro history_versions(snapshot_name, checked_model, columns) -%}
  {%- set snapshot_relation = ref(snapshot_name) if history_snapshots_enabled() else none -%}
  {%- set checked_relation = ref(checked_model) -%}
  {%- if snapshot_relation is not none and execute and load_relation(snapshot_relation) is not none %}
    select
        {{ columns | join(',\n        ') }},
        dbt_valid_from,
        coalesce(dbt_valid_to, {{ history_end_of_time() }}) as dbt_valid_to,
        coalesce(dbt_is_deleted = 'True', false) as dbt_is_deleted
    from {{ snapshot_relation }}
  {%- else %}
    select
        {{ columns | join(',\n        ') }},
        {{ history_beginning_of_time() }} as dbt_valid_from,
        {{ history_end_of_time() }} as dbt_valid_to,
        false as dbt_is_deleted
    from {{ checked_relation }}
    where quarantine_reason is null
  {%- endif %}
{%- endmacro %}

{#- A history model's label (label_value_join under `alias`): the display label int_label_values gives today,
    else - a spelling that has left the export since the version was recorded - the value as written, so
    that an old version never turns 'unknown' when the CRM stops using its spelling; 'unknown' when empty. -#}
{% macro history_label_display(alias, expression) -%}
    coalesce({{ alias }}.display_value, nullif(trim({{ expression }}), ''), 'unknown')
{%- endmacro %}
