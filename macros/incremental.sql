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
        holding a dimension member that changed (survey_fact_partition_filter).
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
  {%- set as_of_text = checked_var('as_of_date', 'date') if var('as_of_date')
      else run_started_at.strftime('%Y-%m-%d') -%}
  {%- set as_of_start = incremental_grain_start(modules.datetime.date.fromisoformat(as_of_text | string)) -%}
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
  {%- set partitions = [] -%}
  {%- for value in run_query(partitions_sql).columns[0].values() -%}
    {%- do partitions.append(value.strftime('%Y-%m-%d') if value is not string else value[:10]) -%}
  {%- endfor -%}
  {%- set shown = partitions if partitions | length <= 4 else partitions[:2] + ['...'] + partitions[-2:] -%}
  {{ log(this.identifier ~ ": rebuilding " ~ partitions | length ~ " partitions: " ~ shown | join(', '),
         info=true) }}
  {%- set literals = [] -%}
  {%- for partition in partitions -%}
    {%- do literals.append("cast('" ~ partition ~ "' as date)") -%}
  {%- endfor -%}
  {{ return(partition_column ~ ' in (' ~ literals | join(', ') ~ ')') }}
{%- endmacro %}

{#- The survey facts copy a few attributes of the dimensions: a response its survey's touchpoint, its
    contact's account and its language's display label, an answer its response's account and, through its
    score_pct and score_category, its question's scale and cut-offs. A night that changes one of them must
    rebuild the fact partitions holding its members, as a full refresh would.
    int_survey_facts__dimensions_loaded keeps the attributes as the facts last copied them; the facts compare
    it with the dimensions now. The other attributes (segments, question texts) are not copied: the marts join
    the dimensions. -#}
{% macro survey_fact_dimensions() -%}
  {{ return([
      {'dimension': 'contact', 'model': 'dim_contacts', 'key': 'contact_id', 'columns': ['account_id']},
      {'dimension': 'survey', 'model': 'dim_surveys', 'key': 'survey_id', 'columns': ['touchpoint']},
      {'dimension': 'language', 'model': 'int_label_values', 'key': 'value_key', 'columns': ['display_value'],
       'where': "vocabulary = 'language'"},
      {'dimension': 'question', 'model': 'dim_survey_questions', 'key': 'question_id',
       'columns': ['scale_min', 'scale_max', 'higher_is_better', 'positive_score_from', 'positive_score_to',
                   'passive_score_from', 'passive_score_to']},
  ]) }}
{%- endmacro %}

{#- One row per dimension member: dimension, member_id, attributes (the copied columns as one text). -#}
{% macro survey_fact_dimension_rows() -%}
  {%- for dimension in survey_fact_dimensions() %}
  select
    '{{ dimension.dimension }}' as dimension,
    cast({{ dimension.key }} as {{ dbt.type_string() }}) as member_id,
    concat_ws('|'
    {%- for column in dimension.columns %},
      coalesce(cast({{ column }} as {{ dbt.type_string() }}), '<null>')
    {%- endfor %}
    ) as attributes
  from {{ ref(dimension.model) }}
  {%- if dimension.where %}
  where {{ dimension.where }}
  {%- endif %}
  {%- if not loop.last %}
  union all
  {%- endif %}
  {%- endfor %}
{%- endmacro %}

{#- A query of the changed members (dimension, member_id): added, removed or with other attributes since the
    facts were last built; none when that record does not exist yet (then everything counts as changed). -#}
{% macro survey_fact_changed_members() -%}
  {%- set loaded = adapter.get_relation(
      database=this.database, schema=this.schema, identifier='int_survey_facts__dimensions_loaded') -%}
  {%- if loaded is none -%}
    {{ return(none) }}
  {%- endif -%}
  {%- set changed_sql -%}
    select now_changed.dimension, now_changed.member_id
    from (
      select current_rows.dimension, current_rows.member_id, current_rows.attributes
      from ({{ survey_fact_dimension_rows() }}) as current_rows
      except
      select loaded_rows.dimension, loaded_rows.member_id, loaded_rows.attributes
      from {{ loaded }} as loaded_rows
    ) as now_changed
    union all
    select was_changed.dimension, was_changed.member_id
    from (
      select loaded_rows.dimension, loaded_rows.member_id, loaded_rows.attributes
      from {{ loaded }} as loaded_rows
      except
      select current_rows.dimension, current_rows.member_id, current_rows.attributes
      from ({{ survey_fact_dimension_rows() }}) as current_rows
    ) as was_changed
  {%- endset -%}
  {{ return(changed_sql) }}
{%- endmacro %}

{#- The partition column of the survey facts: submitted_date (day grain) or submitted_month (month grain). -#}
{% macro survey_fact_partition_column() -%}
  {{ return('submitted_date' if incremental_partition_grain() == 'day' else 'submitted_month') }}
{%- endmacro %}

{#- The batch predicate of a survey fact ({{ this }}) built from the valid rows of a checked model: the
    partitions to rebuild by incremental_partition_filter (look-back, changed row counts, the undated
    partition) plus the partitions holding a row whose dimension member changed since the facts were last
    built (every partition when that record does not exist yet).
      partition_column: the checked rows' partition column as the model's SQL names it;
      checked_model: the checked model the fact reads (it must be a ref of the fact);
      members: the fact's columns that point at a member, as
        {'column': 'question_id', 'dimension': 'question'}, or, when the fact reaches the member through
        another model, {'column': 'response_id', 'dimension': 'contact',
                        'through': {'model': 'fct_survey_responses', 'column': 'contact_id'}}
        (that model must be a ref of the fact, keyed by the same column; 'column_sql' instead of 'column'
        gives an expression over through_model whose value is the member id). -#}
{% macro survey_fact_partition_filter(partition_column, checked_model, members) -%}
  {%- set fact_partition = survey_fact_partition_column() -%}
  {%- set partition_source -%}
    select
      partition_date,
      last_event_at
    from {{ ref(checked_model) }}
    where quarantine_reason is null
  {%- endset -%}
  {%- set changed_members = survey_fact_changed_members() -%}
  {%- set changed_partitions -%}
    {%- if changed_members %}
    with changed as (
      {{ changed_members }}
    )

    {% endif -%}
    select distinct loaded.{{ fact_partition }} as partition_start
    from {{ this }} as loaded
    {%- if changed_members %}
    where
      {%- for member in members %}
      {{ 'or ' if not loop.first }}loaded.{{ member.column }} in (
        {%- if member.through %}
        select through_model.{{ member.column }}
        from {{ ref(member.through.model) }} as through_model
        where {{ member.through.get('column_sql', 'through_model.' ~ member.through.column) }} in (
          select changed.member_id from changed
          where changed.dimension = '{{ member.dimension }}'
        )
        {%- else %}
        select changed.member_id from changed
        where changed.dimension = '{{ member.dimension }}'
        {%- endif %}
      )
      {%- endfor %}
    {%- endif %}
  {%- endset -%}
  {{ return(incremental_partition_filter(
      partition_column,
      partition_source,
      target_partition=fact_partition,
      target_event_time='submitted_date',
      target_valid_where=none,
      changed_partitions_sql=changed_partitions
  )) }}
{%- endmacro %}
