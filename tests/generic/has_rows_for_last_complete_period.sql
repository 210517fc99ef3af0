{#- A metric mart must have rows for the last complete period of the grain whenever the export holds data for
    that period: a load that lost it (every answer quarantined, a file cut short) fails instead of showing an
    empty period. A period with no data in the export (a survey asked twice a year) passes. The export's data
    counts whatever its quarantine status: for a survey mart, answers to a question of `metric` on a response
    submitted in the period; without a metric (mart_churn), contracts running in the period. where_clause
    narrows the mart rows that count (e.g. the accounts of mart_churn). -#}
{% test has_rows_for_last_complete_period(model, grain='quarter', metric=none, where_clause=none) %}
  with periods as (
    select * from {{ ref('dim_reporting_periods') }}
  ),

  last_complete as (
    select period_start, opening_date, period_end
    from periods
    where period_grain = '{{ grain }}' and is_complete
      and period_start = (
        select max(period_start) from periods where period_grain = '{{ grain }}' and is_complete
      )
  ),

  {%- if metric %}
  export_rows as (
    select count(*) as rows_in_export
    from {{ ref('int_survey_answers__checked') }} as answers
    inner join {{ ref('int_survey_questions__checked') }} as questions
      on answers.question_id = questions.question_id
    inner join {{ ref('int_survey_responses__checked') }} as responses
      on answers.response_id = responses.response_id
    cross join last_complete
    where questions.metric = {{ sql_string_literal(metric) }}
      and {{ reporting_date('responses.submitted_at') }} >= last_complete.period_start
      and {{ reporting_date('responses.submitted_at') }} <= last_complete.period_end
  ),
  {%- else %}
  export_rows as (
    select count(*) as rows_in_export
    from {{ ref('int_contracts__checked') }} as contracts
    cross join last_complete
    where contracts.start_date <= last_complete.period_end
      and (contracts.end_date is null or contracts.end_date >= last_complete.opening_date)
  ),
  {%- endif %}

  mart_rows as (
    select count(*) as rows_in_mart
    from {{ model }}
    where period_grain = '{{ grain }}'
      and period_start = (select period_start from last_complete)
      {%- if where_clause %}
      and ({{ where_clause }})
      {%- endif %}
  )

  select
    (select period_start from last_complete) as last_complete_period_start,
    export_rows.rows_in_export,
    mart_rows.rows_in_mart
  from export_rows
  cross join mart_rows
  where export_rows.rows_in_export > 0 and mart_rows.rows_in_mart = 0
{% endtest %}
