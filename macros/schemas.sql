{#-
    Where each layer's relations live (dbt_project.yml gives each folder its +schema: staging, intermediate,
    core, marts, reference for seeds). On DuckDB the file is the warehouse, so a layer's schema is named after
    the layer and a BI user opens `marts` alone (docs/publishing.md). On a shared engine (Spark, a server) the
    target's schema prefixes it (`cx_warehouse_marts`), so several warehouses or developers share one catalog
    without meeting. A model with no +schema stays in the target's schema.
-#}
{% macro generate_schema_name(custom_schema_name, node) -%}
    {%- if custom_schema_name is none -%}
        {{ target.schema }}
    {%- elif target.type == 'duckdb' -%}
        {{ custom_schema_name | trim }}
    {%- else -%}
        {{ target.schema }}_{{ custom_schema_name | trim }}
    {%- endif -%}
{%- endmacro %}
