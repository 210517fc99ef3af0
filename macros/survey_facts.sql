{#- What the two incremental survey facts (fct_survey_responses, fct_survey_answers) share on top of the
    generic mechanism in macros/incremental.sql: their partition column, the input rows that date their
    partitions, and how an answer is scored. Each fact finds the partitions holding a stored row whose
    copied attributes no longer match the dimensions itself, in its own SQL (docs/incremental.md). -#}

{#- The partition column of the survey facts: submitted_date (day grain) or submitted_month (month grain). -#}
{% macro survey_fact_partition_column() -%}
  {{ return('submitted_date' if incremental_partition_grain() == 'day' else 'submitted_month') }}
{%- endmacro %}

{#- The valid rows of the checked model a survey fact reads, as the partition and last event per row that
    incremental_partition_filter expects. -#}
{% macro survey_fact_partition_source(checked_model) -%}
    select
      partition_date,
      last_event_at
    from {{ ref(checked_model) }}
    where quarantine_reason is null
{%- endmacro %}

{#- An answer's score on 0-100 with 100 the best experience: (score - scale_min) / (scale_max - scale_min) x 100,
    turned round (100 minus it) for questions where a low score is better. `questions` is the alias of a
    relation with dim_survey_questions' columns. Cast before dividing: integer division truncates on some
    engines. -#}
{% macro answer_score_pct(score, questions) -%}
    case
        when {{ questions }}.higher_is_better
            then {{ _answer_raw_pct(score, questions) }}
        when not {{ questions }}.higher_is_better
            then 100 - {{ _answer_raw_pct(score, questions) }}
    end
{%- endmacro %}

{% macro _answer_raw_pct(score, questions) -%}
    cast({{ score }} - {{ questions }}.scale_min as {{ type_score() }}) * 100
    / nullif({{ questions }}.scale_max - {{ questions }}.scale_min, 0)
{%- endmacro %}

{#- An answer's category by its question's cut-offs from seed scale_cutoffs: positive, passive or negative
    (for NPS promoter, passive, detractor); null without a score or for questions without cut-offs. -#}
{% macro answer_score_category(score, questions) -%}
    case
        when {{ score }} is null or {{ questions }}.positive_score_from is null then null
        when
            {{ score }} >= {{ questions }}.positive_score_from
            and {{ score }} <= {{ questions }}.positive_score_to
            then 'positive'
        when
            {{ score }} >= {{ questions }}.passive_score_from
            and {{ score }} <= {{ questions }}.passive_score_to
            then 'passive'
        else 'negative'
    end
{%- endmacro %}
