{#- Every row of every checked model, with only what validation decided about it: one row per raw row of the
    13 raw tables (each checked model keeps every staged row, tested), its key, its line and its verdict
    (quarantine reason, column and detail; orphan columns). The one place that unions the checked tables: the
    quarantine list (fct_quarantined_rows) and the per-table shares (mart_raw_reconciliation) read it. A view:
    each reader filters or aggregates it in one pass over the checked tables. partition_date is the partition
    of an incremental checked model (null for the others): a partition kept from an earlier night keeps that
    night's row numbers, so a row is identified by its table, partition and row number. -#}
{{ config(materialized='view') }}

{%- set tables = checked_source_tables() %}

with
{% for table in tables -%}
    {{ table.table }}_checked as (
        select * from {{ ref('int_' ~ table.table ~ '__checked') }}
    ),

{% endfor -%}
unioned as (
    {%- for table in tables %}
        {%- if not loop.first %}

            union all

        {%- endif %}
        {%- set checked = graph.nodes.get('model.cx_warehouse.int_' ~ table.table ~ '__checked') if execute %}
        select
            '{{ table.table }}' as source_table,
            {{ 'partition_date' if checked and checked.config.materialized == 'incremental'
               else 'cast(null as date)' }} as partition_date,
            source_row_number,
            source_line_number,
            record_key,
            quarantine_reason,
            quarantine_column,
            quarantine_detail,
            orphan_columns
        from {{ table.table }}_checked
    {%- endfor %}
)

select * from unioned
