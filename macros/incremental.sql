{#- Incremental loading of the high-volume models (docs/incremental.md).

    Each incremental model is stored in partitions of a date column: partition_date in the checked models
    (the day of the row's dating timestamp), submitted_date in the survey facts. A nightly run rebuilds whole
    partitions, never single rows, so that it behaves the same on every engine:
      - DuckDB (and Postgres): delete+insert with the partition column as unique_key, which deletes every row
        of the partitions present in the batch and inserts the batch;
      - Spark (no Delta, so neither merge nor delete): insert_overwrite partitioned by the same column, which
        replaces the partitions present in the batch.
    The partitions rebuilt (incremental_partition_filter, worked out by a query before the model runs):
      - the undated partition (incremental_undated_partition(): rows with a value that did not parse, without
        their dating timestamp, or whose parent is not valid; never valid rows), always;
      - every partition holding a row whose last event is on or after the cut-off: the start of the partition
        of (watermark - var incremental_lookback_days), the watermark being the latest event among the model's
        valid rows (so an injected 2099 timestamp, always quarantined, never moves it), and never after the
        partition of the as-of day;
      - every partition whose row count differs between the model's input and the model: rows that arrived
        late for an old day, rows deleted upstream, rows that moved out of the undated partition once
        corrected;
      - partitions the model finds changed itself (changed_partitions_sql): the survey facts rebuild the days
        holding a stored row whose copied dimension attributes no longer match (macros/survey_facts.sql);
      - and partitions whose input rows are all gone are emptied (incremental_empty_vanished_partitions).
    The partition grain is a day (incremental_partition_grain): a month would rebuild a whole survey wave
    (a sixth of a year's answers in the demo data) every night of the month.
    Only this file knows the engines apart: a model configures itself with incremental_partitions_config(),
    dates its rows with incremental_partition() and incremental_last_event_at(), filters its input with
    incremental_partition_filter(), and never branches on the target. -#}

{#- The grain of the partitions: 'day' or 'month'. Changing it needs a --full-refresh of the incremental
    models. -#}
{% macro incremental_partition_grain() -%}
  {{ return(adapter.dispatch('incremental_partition_grain', 'cx_warehouse')()) }}
{%- endmacro %}

{% macro default__incremental_partition_grain() -%}
  {{ return('day') }}
{%- endmacro %}

{#- Spark stores each partition as a folder of Parquet files and lists them all on every read of the table:
    a day grain means ~365 folders a year per model (on the test data set the data tests of such a table took
    a median 2 s and up to 19 s on local Spark; 0.4 s and 3.5 s with months), and small files on a cluster.
    A month keeps a partition at a size Spark reads well; the nightly run rewrites the current month of each
    model, which insert_overwrite does in one pass. -#}
{% macro spark__incremental_partition_grain() -%}
  {{ return('month') }}
{%- endmacro %}

{#- The partition of rows that cannot be dated: a real date (not null: delete+insert compares keys with =,
    which never matches a null), before any data, and after 1582 so that Spark writes it to Parquet without
    calendar rebasing. -#}
{% macro incremental_undated_partition() -%}
  cast('1900-01-01' as date)
{%- endmacro %}

{#- var incremental_lookback_days as a whole number of days (0 or more). -#}
{% macro incremental_lookback_days() -%}
  {%- set configured = var('incremental_lookback_days', 7) -%}
  {%- if not modules.re.match('^\\d+$', configured | string) -%}
    {{ exceptions.raise_compiler_error(
        "var incremental_lookback_days is '" ~ configured ~ "'; give a whole number of days (0 or more)") }}
  {%- endif -%}
  {{ return(configured | int) }}
{%- endmacro %}

{#- The config of an incremental model partitioned by partition_column, per engine: at the top of the
    model, `{{ config(**incremental_partitions_config('partition_date')) }}`. on_schema_change 'fail': a
    changed model must be rebuilt with --full-refresh, since its old partitions were computed by the old
    SQL. -#}
{% macro incremental_partitions_config(partition_column) -%}
  {{ return(adapter.dispatch('incremental_partitions_config', 'cx_warehouse')(partition_column)) }}
{%- endmacro %}

{% macro default__incremental_partitions_config(partition_column) -%}
  {{ return({
      'materialized': 'incremental',
      'incremental_strategy': 'delete+insert',
      'unique_key': partition_column,
      'on_schema_change': 'fail',
  }) }}
{%- endmacro %}

{#- Spark without Delta/Iceberg: merge and delete+insert are not available; insert_overwrite replaces the
    partitions present in the batch (dbt-spark sets partitionOverwriteMode to dynamic). -#}
{% macro spark__incremental_partitions_config(partition_column) -%}
  {{ return({
      'materialized': 'incremental',
      'incremental_strategy': 'insert_overwrite',
      'partition_by': [partition_column],
      'on_schema_change': 'fail',
  }) }}
{%- endmacro %}

{#- The partition of a row from its dating timestamp: the undated partition when the row has a value that did
    not parse (invalid_fields) or no dating timestamp, so that such rows are rebuilt every run and move to
    their partition once corrected. -#}
{% macro incremental_partition(timestamp_expression, invalid_fields_column='invalid_fields') -%}
  case
    when {{ invalid_fields_column }} is null and {{ timestamp_expression }} is not null
      then {{ incremental_partition_start(timestamp_expression) }}
    else {{ incremental_undated_partition() }}
  end
{%- endmacro %}

{#- The first day of the partition (of the configured grain) holding a UTC timestamp: days of the reporting
    calendar (var reporting_time_zone), as the facts' submitted_date. -#}
{% macro incremental_partition_start(timestamp_expression) -%}
  {%- if incremental_partition_grain() == 'day' -%}
    {{ reporting_date(timestamp_expression) }}
  {%- else -%}
    cast({{ dbt.date_trunc(incremental_partition_grain(), to_reporting_time(timestamp_expression)) }} as date)
  {%- endif -%}
{%- endmacro %}

{#- The last event of a row: the latest of `timestamps` (the dating one first; nulls among the others are
    skipped), and null exactly when the row is undated (see incremental_partition). -#}
{% macro incremental_last_event_at(timestamps, invalid_fields_column='invalid_fields') -%}
  case
    when {{ invalid_fields_column }} is null and {{ timestamps[0] }} is not null
      then
      {%- if timestamps | length == 1 %} {{ timestamps[0] }}
      {%- else %} greatest(
        {%- for column in timestamps %}
        coalesce({{ column }}, {{ timestamps[0] }}){{ ',' if not loop.last }}
        {%- endfor %}
      )
      {%- endif %}
  end
{%- endmacro %}

{#- The first day of the earliest partition the look-back window rebuilds, as 'YYYY-MM-DD': the partition of
    (watermark - look-back days), the watermark being max(event_time_column) over the model's rows that pass
    valid_where; never after the partition of the as-of day, so that a build with an earlier as_of_date
    re-examines the rows it now finds in the future. Without valid rows it is the undated partition, and
    everything is rebuilt. Reads the model's table: call it only when is_incremental(). -#}
{% macro incremental_cutoff(event_time_column, valid_where=none) -%}
  {%- set undated = modules.datetime.date(1900, 1, 1) -%}
  {%- if not execute -%}
    {{ return(undated.isoformat()) }}
  {%- endif -%}
  {%- set watermark_sql -%}
    select max({{ event_time_column }}) as watermark
    from {{ this }}
    {%- if valid_where %}
    where {{ valid_where }}
    {%- endif %}
  {%- endset -%}
  {%- set watermark = run_query(watermark_sql).columns[0].values()[0] -%}
  {%- if watermark is none -%}
    {%- set cutoff = undated -%}
  {%- else -%}
    {%- if watermark is string -%}
      {%- set watermark = modules.datetime.datetime.fromisoformat(watermark) -%}
    {%- endif -%}
    {%- set cutoff = incremental_grain_start(
        watermark - modules.datetime.timedelta(days=incremental_lookback_days())) -%}
  {%- endif -%}
  {%- set as_of_start = incremental_grain_start(modules.datetime.date.fromisoformat(as_of_day())) -%}
  {%- if as_of_start < cutoff -%}
    {%- set cutoff = as_of_start -%}
  {%- endif -%}
  {{ log(this.identifier ~ ": watermark " ~ watermark ~ ", look-back from " ~ cutoff.isoformat(),
         info=true) }}
  {{ return(cutoff.isoformat()) }}
{%- endmacro %}

{#- A Python date or datetime to the first day (a date) of its partition of the configured grain. -#}
{% macro incremental_grain_start(moment) -%}
  {%- set day = modules.datetime.date(moment.year, moment.month, moment.day) -%}
  {%- if incremental_partition_grain() == 'day' -%}
    {{ return(day) }}
  {%- elif incremental_partition_grain() == 'month' -%}
    {{ return(modules.datetime.date(day.year, day.month, 1)) }}
  {%- else -%}
    {{ exceptions.raise_compiler_error("incremental_partition_grain must be 'day' or 'month'") }}
  {%- endif -%}
{%- endmacro %}

{#- The predicate `<partition_column> in (<the partitions to rebuild>)` for the model's input rows, or a
    predicate that is always true when the run is not incremental. The partitions are found by a query run
    before the model's own (so the model's SQL holds them as literals, shows them in target/, and reads its
    input once):
      source_sql: a query of the model's input rows as two columns, partition_date and last_event_at, the
        partition each row is stored in and its last event; keep it to the columns these need, so that it
        stays cheap;
      target_partition, target_event_time: the same columns in the model ({{ this }});
      target_valid_where: which of the model's rows count for the watermark (the valid ones);
      changed_partitions_sql: an optional query of further partitions to rebuild (one date column named
        partition_start);
      key_columns: the model's key, when copies of one key can sit in different partitions (a response
        re-exported with a new submitted_at): every partition holding a key that also appears in another
        partition is rebuilt, so the copies are settled together (source_sql must then select the key). -#}
{% macro incremental_partition_filter(
    partition_column,
    source_sql,
    target_partition='partition_date',
    target_event_time='last_event_at',
    target_valid_where='quarantine_reason is null',
    changed_partitions_sql=none,
    key_columns=[]
) -%}
  {%- if not (execute and is_incremental()) -%}
    {{ return('1 = 1') }}
  {%- endif -%}
  {%- set stored_columns = adapter.get_columns_in_relation(this) | map(attribute='name') | map('lower')
      | list -%}
  {%- if target_partition | lower not in stored_columns or target_event_time | lower not in stored_columns -%}
    {{ exceptions.raise_compiler_error(
        this.identifier ~ " was built before it became incremental (it lacks " ~ target_partition ~ " or "
        ~ target_event_time ~ "): rebuild it once with dbt build --full-refresh (docs/incremental.md)") }}
  {%- endif -%}
  {%- set cutoff = incremental_cutoff(target_event_time, target_valid_where) -%}
  {%- set partitions_sql -%}
    with source_rows as (
      {{ source_sql }}
    ),

    source_partitions as (
      select
        partition_date as partition_start,
        count(*) as row_count,
        max(last_event_at) as last_event_at
      from source_rows
      group by partition_date
    ),

    target_partitions as (
      select
        {{ target_partition }} as partition_start,
        count(*) as row_count
      from {{ this }}
      group by {{ target_partition }}
    ),

    rebuilt as (
      select {{ incremental_undated_partition() }} as partition_start
      union all
      select source_partitions.partition_start
      from source_partitions
      left join target_partitions
        on source_partitions.partition_start = target_partitions.partition_start
      where source_partitions.last_event_at >= cast('{{ cutoff }}' as {{ dbt.type_timestamp() }})
        or target_partitions.row_count is null
        or source_partitions.row_count <> target_partitions.row_count
      {%- if changed_partitions_sql %}
      union all
      select changed_partitions.partition_start
      from (
        {{ changed_partitions_sql }}
      ) as changed_partitions
      {%- endif %}
      {%- if key_columns %}
      union all
      select spread_keys.partition_date as partition_start
      from source_rows as spread_keys
      inner join (
        select {{ key_columns | join(', ') }}
        from source_rows
        where {{ key_columns | join(' is not null and ') }} is not null
        group by {{ key_columns | join(', ') }}
        having min(partition_date) <> max(partition_date)
      ) as keys_in_several_partitions
        on
        {%- for column in key_columns %}
        {{ 'and ' if not loop.first }}spread_keys.{{ column }} = keys_in_several_partitions.{{ column }}
        {%- endfor %}
      {%- endif %}
    )

    select distinct partition_start
    from rebuilt
    order by partition_start
  {%- endset -%}
  {%- set partitions = incremental_query_days(partitions_sql) -%}
  {%- set shown = partitions if partitions | length <= 4 else partitions[:2] + ['...'] + partitions[-2:] -%}
  {{ log(this.identifier ~ ": rebuilding " ~ partitions | length ~ " partitions: " ~ shown | join(', '),
         info=true) }}
  {%- do incremental_empty_vanished_partitions(source_sql, target_partition) -%}
  {%- set literals = [] -%}
  {%- for partition in partitions -%}
    {%- do literals.append("cast('" ~ partition ~ "' as date)") -%}
  {%- endfor -%}
  {{ return(partition_column ~ ' in (' ~ literals | join(', ') ~ ')') }}
{%- endmacro %}

{#- Empty the model's partitions that no longer have a single input row (every row deleted from the export,
    or every valid row of a fact's day quarantined): a rebuild only replaces the partitions its batch holds,
    so such a day would otherwise keep its old rows. Runs while the model runs (dbt run or build), right
    before its own statement; never when it is only compiled. -#}
{% macro incremental_empty_vanished_partitions(source_sql, target_partition) -%}
  {%- if flags.WHICH not in ('run', 'build') -%}
    {{ return(none) }}
  {%- endif -%}
  {%- set vanished_sql -%}
    with source_rows as (
      {{ source_sql }}
    )

    select distinct stored.{{ target_partition }} as partition_start
    from {{ this }} as stored
    where not exists (
      select 1
      from source_rows
      where source_rows.partition_date = stored.{{ target_partition }}
    )
    order by partition_start
  {%- endset -%}
  {%- set vanished = incremental_query_days(vanished_sql) -%}
  {%- if vanished -%}
    {{ log(this.identifier ~ ": emptying " ~ vanished | length ~ " partitions without input rows: "
           ~ vanished | join(', '), info=true) }}
    {%- do run_query(incremental_delete_partitions_sql(this, target_partition, vanished)) -%}
  {%- endif -%}
{%- endmacro %}

{#- The first column of a query's rows as days 'YYYY-MM-DD' (engines return dates or text). -#}
{% macro incremental_query_days(sql) -%}
  {%- set days = [] -%}
  {%- for value in run_query(sql).columns[0].values() -%}
    {%- do days.append(value.strftime('%Y-%m-%d') if value is not string else value[:10]) -%}
  {%- endfor -%}
  {{ return(days) }}
{%- endmacro %}

{#- The statement that deletes whole partitions (days as 'YYYY-MM-DD') of an incremental model. -#}
{% macro incremental_delete_partitions_sql(relation, partition_column, days) -%}
  {{ return(adapter.dispatch('incremental_delete_partitions_sql', 'cx_warehouse')(relation, partition_column, days)) }}
{%- endmacro %}

{% macro default__incremental_delete_partitions_sql(relation, partition_column, days) -%}
  delete from {{ relation }}
  where {{ partition_column }} in (
    {%- for day in days %}cast('{{ day }}' as date){{ ', ' if not loop.last }}{% endfor -%}
  )
{%- endmacro %}

{#- Spark without Delta cannot delete rows; it drops the partitions (folders) instead. -#}
{% macro spark__incremental_delete_partitions_sql(relation, partition_column, days) -%}
  alter table {{ relation }} drop if exists
  {%- for day in days %} partition ({{ partition_column }} = '{{ day }}'){{ ',' if not loop.last }}{% endfor %}
{%- endmacro %}
