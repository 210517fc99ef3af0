{#- Validation of the raw tables: the body of every int_<table>__checked model (checked_raw_table), generated
    from the raw contract (macros/raw_contract.sql) plus the few rules of the table.

    Only what decides a figure invalidates a row. The checks, first match wins: the loader's error
    (malformed_line, undecodable_value), missing_key, unparseable_value, missing_value (columns declared
    required), future_timestamp (columns declared not_after_as_of), an unknown code (a code column whose value
    is not in its vocabulary and has neither unknown_code nor keep_unknown), unknown_reference for references
    declared missing_parent: quarantine (or the parent's reason, where the parent was lost as a settled copy: an
    answer of a double submission is a double_submission), then the table's own rules. Labels never invalidate a row. A reference
    whose parent is missing or quarantined keeps the row valid and lists the column in orphan_columns (the
    marts place the row under an inferred member; fct_orphaned_rows). Among the rows that pass, copies of one
    key are settled last (checked_copies): the newest copy is kept.

    A check: {'when': '<sql: the row is bad>', 'reason': '<code of seed quarantine_reasons>', 'column':
    '<column at fault>'}; optional 'reason_sql', 'column_sql' and 'detail_sql' (sql expressions instead of
    text) and 'detail' (text). -#}

{% macro quarantine_case(checks, field) -%}
  case
  {%- for check in checks %}
    when {{ check.when }} then
      {%- if check.get(field ~ '_sql') %} {{ check[field ~ '_sql'] }}
      {%- elif check.get(field) is not none %} {{ sql_string_literal(check[field]) }}
      {%- else %} cast(null as {{ dbt.type_string() }})
      {%- endif %}
  {%- endfor %}
  end
{%- endmacro %}

{#- The text key of a row, for the quarantine and the orphan list: key columns joined with '|', '<null>' for a
    missing part. -#}
{% macro record_key(key_columns) -%}
  {%- if key_columns | length == 1 -%}
    coalesce({{ key_columns[0] }}, '<null>')
  {%- else -%}
    concat_ws('|'{% for column in key_columns %}, coalesce({{ column }}, '<null>'){% endfor %})
  {%- endif -%}
{%- endmacro %}

{#- The latest of some timestamps, ignoring nulls among all but the first. -#}
{% macro latest_of(columns) -%}
  {%- if columns | length == 1 -%}
    {{ columns[0] }}
  {%- else -%}
    greatest({% for column in columns %}coalesce({{ column }}, {{ columns[0] }}){{ ', ' if not loop.last }}{% endfor %})
  {%- endif -%}
{%- endmacro %}

{#- The name a parent's columns get in a checked row: response_id's parent columns are response_<column>. -#}
{% macro parent_prefix(reference_column) -%}
  {{ return(reference_column[:-3] if reference_column.endswith('_id') else reference_column) }}
{%- endmacro %}

{#- The body of int_<table>__checked: every staged row of the raw table, with its codes matched to their
    vocabulary, orphan_columns, record_key, quarantine_reason, quarantine_column and quarantine_detail (and,
    for an incremental model, partition_date and last_event_at). The staging model, the parents' checked
    models and int_code_values are the raw contract's (macro raw_table_contract). table_name: the raw table.
    parent_columns: {reference column: [parent columns a rule needs]}, joined as <prefix>_<column>. lookups:
    further left joins for the rules: [{'name', 'relation', 'on', 'columns': {name: sql}}]; 'on' reads the
    staged row as batch.<column> and a code column's matched code as <column>_codes.code. rules: the table's
    own checks, in order, after the contract's. incremental: the model is incremental by day (it calls
    incremental_partitions_config itself); dated_by_parent: a reference column whose parent dates the row
    instead of its own dated_by (an answer is dated by its response). double_submission: {'by': [columns],
    'at': timestamp column} for survey responses. -#}
{% macro checked_raw_table(
    table_name,
    parent_columns={},
    lookups=[],
    rules=[],
    incremental=false,
    dated_by_parent=none,
    double_submission=none
) -%}
{%- set contract = raw_table_contract(table_name) -%}
{%- set staged = ref(staging_model_name(table_name)) -%}
{%- set references = contract.columns | selectattr('references') | list -%}
{%- set parents = {} -%}
{%- for column in references -%}
  {%- do parents.update({column.name: ref('int_' ~ column.references ~ '__checked')}) -%}
{%- endfor -%}
{%- set codes = contract.columns | selectattr('role', 'equalto', 'code') | list -%}
{%- set code_values = ref('int_code_values') if codes else none -%}
{%- set key = contract.key -%}
{%- set content = contract.columns | rejectattr('role', 'equalto', 'key') | map(attribute='name') | list -%}
{%- set version_at = latest_of(contract.version_by) if contract.version_by else none -%}

{#- How the row is dated, for an incremental model: the day of dated_by (or of the dating parent's day). -#}
{%- if dated_by_parent -%}
  {%- set dating_parent = 'parent_' ~ dated_by_parent -%}
  {%- set dating = {
      'partition_date': 'case when staged.invalid_fields is null and staged.load_error is null and '
          ~ dating_parent ~ '.parent_key is not null then ' ~ dating_parent ~ '.partition_date else '
          ~ incremental_undated_partition() ~ ' end',
      'last_event_at': 'case when staged.invalid_fields is null and staged.load_error is null then '
          ~ dating_parent ~ '.last_event_at end',
  } -%}
{%- elif incremental -%}
  {%- set event_columns = [] -%}
  {%- for column in contract.version_by -%}
    {%- do event_columns.append('staged.' ~ column) -%}
  {%- endfor -%}
  {#- A row the loader could not read is undated too: it is rebuilt every night, so its 'line N' is tonight's. #}
  {%- set unreadable = 'coalesce(staged.invalid_fields, staged.load_error)' -%}
  {%- set dating = {
      'partition_date': incremental_partition('staged.' ~ contract.dated_by, unreadable),
      'last_event_at': incremental_last_event_at(event_columns, unreadable),
  } -%}
{%- endif -%}

{%- set checks = [{'when': 'load_error is not null', 'reason_sql': 'load_error', 'column': '*',
                   'detail_sql': 'load_detail'}] -%}
{%- for column in key -%}
  {%- do checks.append({'when': column ~ ' is null', 'reason': 'missing_key', 'column': column}) -%}
{%- endfor -%}
{%- do checks.append({'when': 'invalid_fields is not null', 'reason': 'unparseable_value',
                      'column_sql': 'invalid_fields'}) -%}
{%- for column in contract.columns if column.required and column.role != 'key' -%}
  {%- set value = column.name ~ '__as_written' if column.role == 'code' else column.name -%}
  {%- do checks.append({'when': value ~ ' is null', 'reason': 'missing_value', 'column': column.name}) -%}
{%- endfor -%}
{%- for column in contract.columns if column.not_after_as_of -%}
  {%- do checks.append({'when': column.name ~ ' >= ' ~ (as_of_end_timestamp() if column.kind == 'timestamp'
                            else dbt.dateadd('day', 1, as_of_date_literal())),
                        'reason': 'future_timestamp', 'column': column.name}) -%}
{%- endfor -%}
{%- for column in codes if column.unknown_code is none and not column.keep_unknown -%}
  {%- do checks.append({
      'when': column.name ~ '__as_written is not null and ' ~ column.name ~ ' is null',
      'reason': column.invalid_reason, 'column': column.name,
      'detail_sql': dbt.concat([sql_string_literal(column.vocabulary ~ " '"), column.name ~ '__as_written',
                                sql_string_literal("' is not in seeds/label_synonyms.csv")]),
  }) -%}
{%- endfor -%}
{%- set quarantining = references | selectattr('missing_parent', 'equalto', 'quarantine') | list -%}
{%- for column in quarantining -%}
  {#- A parent lost as a settled copy (a double submission) passes its reason on: its rows are settled too. -#}
  {%- set settled = column.name ~ '__settled_reason' -%}
  {%- do checks.append({
      'when': column.name ~ ' is not null and ' ~ column.name ~ '__parent_key is null',
      'reason_sql': 'coalesce(' ~ settled ~ ", 'unknown_reference')", 'column': column.name,
      'detail_sql': 'case when ' ~ settled ~ ' is null then '
          ~ dbt.concat([sql_string_literal('no valid ' ~ column.references ~ ' row '), column.name])
          ~ ' else ' ~ dbt.concat([sql_string_literal('its ' ~ column.references ~ ' row '), column.name,
                                   sql_string_literal(' is a '), settled]) ~ ' end',
  }) -%}
{%- endfor -%}
{%- for rule in rules -%}
  {%- do checks.append(rule) -%}
{%- endfor -%}
{%- set orphaned = references | selectattr('missing_parent', 'equalto', 'orphan') | list -%}

with staged as (
    select * from {{ staged }}
),

{% for column, relation in parents.items() -%}
parent_{{ column }} as (
    select
        {{ column }} as parent_key
        {%- for parent_column in parent_columns.get(column, []) %},
        {{ parent_column }}
        {%- endfor %}
    from {{ relation }}
    where quarantine_reason is null
),

{% endfor -%}
{% if quarantining -%}
settled_reasons as (
    select reason_code from {{ ref('quarantine_reasons') }}
    where is_settled_copy
),

{% endif -%}
{% for column in quarantining -%}
settled_{{ column.name }} as (
    select
        {{ column.name }} as parent_key,
        min(quarantine_reason) as quarantine_reason
    from {{ parents[column.name] }}
    where quarantine_reason in (select settled_reasons.reason_code from settled_reasons)
    group by {{ column.name }}
),

{% endfor -%}
{% for lookup in lookups -%}
{{ lookup.name }} as (
    select * from {{ lookup.relation }}
),

{% endfor -%}
{% if code_values is not none -%}
code_values as (
    select * from {{ code_values }}
),

{% endif -%}
dated as (
    select
        staged.*
        {%- if dating is defined %},
        {{ dating.partition_date }} as partition_date,
        {{ dating.last_event_at }} as last_event_at
        {%- endif %}
    from staged
    {%- if dated_by_parent %}
    left join parent_{{ dated_by_parent }}
        on staged.{{ dated_by_parent }} = parent_{{ dated_by_parent }}.parent_key
    {%- endif %}
),

batch as (
    select dated.*
    from dated
    {%- if incremental and is_incremental() %}
    where {{ incremental_partition_filter(
        'dated.partition_date',
        checked_partition_source(staged, dating, dated_by_parent, parents),
        changed_partitions_sql=orphan_status_changes(orphaned, parents),
        key_columns=[] if dated_by_parent else key
    ) }}
    {%- endif %}
),

with_context as (
    select
        {%- for column in contract.columns %}
        {%- if column.role == 'code' %}
        {%- set code = column.name ~ '_codes.code' %}
        {%- set known = code if column.unknown_code is none
            else 'coalesce(' ~ code ~ ', ' ~ sql_string_literal(column.unknown_code) ~ ')' %}
        batch.{{ column.name }} as {{ column.name }}__as_written,
        case when batch.{{ column.name }} is not null then
            {{ 'cast(' ~ known ~ ' as ' ~ dbt.type_boolean() ~ ')' if column.kind == 'boolean' else known }}
        end as {{ column.name }},
        {%- else %}
        batch.{{ column.name }},
        {%- endif %}
        {%- endfor %}
        {%- for column in references %}
        parent_{{ column.name }}.parent_key as {{ column.name }}__parent_key,
        {%- for parent_column in parent_columns.get(column.name, []) %}
        parent_{{ column.name }}.{{ parent_column }} as {{ parent_prefix(column.name) }}_{{ parent_column }},
        {%- endfor %}
        {%- endfor %}
        {%- for column in quarantining %}
        settled_{{ column.name }}.quarantine_reason as {{ column.name }}__settled_reason,
        {%- endfor %}
        {%- for lookup in lookups %}
        {%- for name, expression in lookup.columns.items() %}
        {{ expression }} as {{ name }},
        {%- endfor %}
        {%- endfor %}
        {%- if incremental %}
        batch.partition_date,
        batch.last_event_at,
        {%- endif %}
        {{ version_at if version_at else 'cast(null as ' ~ dbt.type_timestamp() ~ ')' }} as version_at,
        batch.source_row_number,
        batch.source_line_number,
        batch.load_error,
        batch.load_detail,
        batch.invalid_fields
    from batch
    {%- for column in codes %}
    left join code_values as {{ column.name }}_codes
        on {{ column.name }}_codes.vocabulary = {{ sql_string_literal(column.vocabulary) }}
            and {{ column.name }}_codes.value_key = {{ label_key('batch.' ~ column.name) }}
    {%- endfor %}
    {%- for column in references %}
    left join parent_{{ column.name }}
        on batch.{{ column.name }} = parent_{{ column.name }}.parent_key
    {%- endfor %}
    {%- for column in quarantining %}
    left join settled_{{ column.name }}
        on batch.{{ column.name }} = settled_{{ column.name }}.parent_key
    {%- endfor %}
    {%- for lookup in lookups %}
    left join {{ lookup.name }}
        on {{ lookup.on }}
    {%- endfor %}
),

flagged as (
    select
        with_context.*,
        {{ quarantine_case(checks, 'reason') }} as failed_reason,
        {{ quarantine_case(checks, 'column') }} as failed_column,
        {{ quarantine_case(checks, 'detail') }} as failed_detail,
        {%- if orphaned %}
        nullif(concat_ws(','
            {%- for column in orphaned %},
            case
                when {{ column.name }} is not null and {{ column.name }}__parent_key is null
                    then '{{ column.name }}'
            end
            {%- endfor %}
        ), '') as orphan_columns
        {%- else %}
        cast(null as {{ dbt.type_string() }}) as orphan_columns
        {%- endif %}
    from with_context
),

{{ checked_copies('flagged', key, content, double_submission) }}

final as (
    select
        {%- for column in contract.columns %}
        {{ column.name }},
        {%- endfor %}
        case when quarantine_reason is null then orphan_columns end as orphan_columns,
        source_row_number,
        source_line_number,
        case
            when load_error is not null
                then {{ dbt.concat(["'line '", 'cast(coalesce(source_line_number, source_row_number) as ' ~ dbt.type_string() ~ ')']) }}
            when quarantine_reason is not null or orphan_columns is not null then {{ record_key(key) if key else "'<none>'" }}
        end as record_key,
        quarantine_reason,
        quarantine_column,
        quarantine_detail
        {%- if incremental %},
        partition_date,
        last_event_at
        {%- endif %}
    from settled
)

select * from final
{%- endmacro %}

{#- The partitions of an incremental checked model ({{ this }}) holding a valid row whose orphan status no
    longer holds: a reference listed in orphan_columns whose parent is now valid (a contact that arrived late),
    or one not listed whose parent is gone (a contact deleted from the CRM for privacy). Rebuilding them keeps
    orphan_columns exact however old the row; none when the table has no orphan references. -#}
{% macro orphan_status_changes(orphaned, parents) -%}
  {%- if not orphaned -%}
    {{ return(none) }}
  {%- endif -%}
  {%- set changed -%}
    {%- for column in orphaned %}
    {{ 'union all' if not loop.first }}
    select stored.partition_date as partition_start
    from {{ this }} as stored
    left join (
      select distinct {{ column.name }} as parent_key
      from {{ parents[column.name] }}
      where quarantine_reason is null
    ) as parent
      on stored.{{ column.name }} = parent.parent_key
    where
      stored.quarantine_reason is null
      and stored.{{ column.name }} is not null
      and (parent.parent_key is null)
      <> ({{ dbt.concat(["','", "coalesce(stored.orphan_columns, '')", "','"]) }} like '%,{{ column.name }},%')
    {%- endfor %}
  {%- endset -%}
  {{ return(changed) }}
{%- endmacro %}

{#- The input rows of an incremental checked model as the partition filter needs them (partition_date,
    last_event_at and the key), read from its staging model. -#}
{% macro checked_partition_source(staged, dating, dated_by_parent, parents) -%}
  select
    {{ dating.partition_date }} as partition_date,
    {{ dating.last_event_at }} as last_event_at,
    staged.*
  from {{ staged }} as staged
  {%- if dated_by_parent %}
  left join (
    select {{ dated_by_parent }} as parent_key, partition_date, last_event_at
    from {{ parents[dated_by_parent] }}
    where quarantine_reason is null
  ) as parent_{{ dated_by_parent }}
    on staged.{{ dated_by_parent }} = parent_{{ dated_by_parent }}.parent_key
  {%- endif %}
{%- endmacro %}

{#- Settles the copies of a key among the rows that passed every check (cte `flagged`, with failed_reason):
    the newest copy is kept (the latest version_at, from the table's version_by timestamps; then the last in
    file order), an exact copy of it is quarantined as duplicate_row and a copy that differs as
    conflicting_duplicate, with the values that lost in quarantine_detail (not the kept copy's line: a line
    number is the night's, and a stored detail must stay true). Never by score or any other value.
    double_submission: {'by': [columns], 'at': timestamp column}: of two kept rows with the same `by` values
    (both set) whose `at` lie at most var double_submission_window_minutes apart, the earlier is quarantined
    as double_submission. Ends with a cte `settled` holding quarantine_reason, quarantine_column and
    quarantine_detail. -#}
{% macro checked_copies(relation, key, content, double_submission=none) -%}
{%- set copies_window -%}
    partition by {{ (key + ['failed_reason']) | join(', ') if key else 'failed_reason' }}
    order by version_at desc nulls last, source_row_number desc
{%- endset -%}
ranked as (
    select
        {{ relation }}.*,
        row_number() over ({{ copies_window }}) as copy_number
        {%- for column in content %},
        first_value({{ column }}) over ({{ copies_window }}) as kept__{{ column }}
        {%- endfor %}
    from {{ relation }}
),

copies as (
    select
        ranked.*,
        case
            when failed_reason is not null then failed_reason
            when copy_number > 1
                {%- for column in content %}
                and {{ null_safe_equal(column, 'kept__' ~ column) }}
                {%- endfor %}
                then 'duplicate_row'
            when copy_number > 1 then 'conflicting_duplicate'
        end as copy_reason,
        case
            when failed_reason is not null then failed_detail
            when copy_number > 1 then {{ dbt.concat([
                "'another copy is kept'",
                ("coalesce(" ~ dbt.concat(["'; this copy had '", "nullif(concat_ws(', '" ~ copy_differences(content) ~ "), '')"]) ~ ", '')") if content else "''",
            ]) }}
        end as copy_detail
    from ranked
),

{%- if double_submission %}
{%- set counted = "copy_reason is null and " ~ (double_submission.by | join(' is not null and ')) ~ ' is not null' %}

submissions as (
    select
        copies.*,
        case when {{ counted }} then
            lead({{ double_submission.at }}) over (
                partition by {{ double_submission.by | join(', ') }}, case when {{ counted }} then 1 else 0 end
                order by {{ double_submission.at }} asc nulls last, source_row_number asc
            )
        end as next_submission_at,
        case when {{ counted }} then
            lead({{ key[0] }}) over (
                partition by {{ double_submission.by | join(', ') }}, case when {{ counted }} then 1 else 0 end
                order by {{ double_submission.at }} asc nulls last, source_row_number asc
            )
        end as next_submission_key
    from copies
),

resubmitted as (
    select
        submissions.*,
        coalesce(
            {{ dbt.datediff(double_submission.at, 'next_submission_at', 'second') }}
            <= 60 * {{ checked_var('double_submission_window_minutes', 'number') }},
            false
        ) as is_double_submission
    from submissions
),

settled as (
    select
        resubmitted.*,
        case
            when copy_reason is not null then copy_reason
            when is_double_submission then 'double_submission'
        end as quarantine_reason,
        case
            when failed_reason is not null then failed_column
            when copy_reason is not null then '{{ key | join(",") }}'
            when is_double_submission then '{{ (double_submission.by + [double_submission.at]) | join(",") }}'
        end as quarantine_column,
        case
            when copy_reason is not null then copy_detail
            when is_double_submission
                then {{ dbt.concat(["'submitted again as '", 'next_submission_key', "', which is kept'"]) }}
        end as quarantine_detail
    from resubmitted
),
{%- else %}

settled as (
    select
        copies.*,
        copy_reason as quarantine_reason,
        case
            when failed_reason is not null then failed_column
            when copy_reason is not null then '{{ key | join(",") }}'
        end as quarantine_column,
        copy_detail as quarantine_detail
    from copies
),
{%- endif %}
{%- endmacro %}

{#- ', <text naming each content column whose value differs from the kept copy's>' for a concat_ws. -#}
{% macro copy_differences(content) -%}
  {%- for column in content %},
    case
      when not {{ null_safe_equal(column, 'kept__' ~ column) }}
        then {{ dbt.concat(["'" ~ column ~ " '", "coalesce(cast(" ~ column ~ " as " ~ dbt.type_string() ~ "), 'empty')",
                            "' (kept: '", "coalesce(cast(kept__" ~ column ~ " as " ~ dbt.type_string() ~ "), 'empty')", "')'"]) }}
    end
  {%- endfor %}
{%- endmacro %}

{#- True when both values are equal or both null (sqlfluff's dialects do not all parse is not distinct from).
    -#}
{% macro null_safe_equal(left, right) -%}
  ({{ left }} = {{ right }} or ({{ left }} is null and {{ right }} is null))
{%- endmacro %}
