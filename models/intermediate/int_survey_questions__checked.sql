{#- Which metrics are scored on a scale, and which of those are scored through seed scale_cutoffs: these name
    the metrics themselves (as the marts do), the scales and cut-offs stay in the seed. -#}
{%- set scaled_metrics = ['nps', 'csat', 'ces', 'csi_item', 'driver'] -%}
{%- set metrics_with_cutoffs = ['nps', 'csat', 'ces'] -%}
{%- set scaled = "metric in ('" ~ scaled_metrics | join("', '") ~ "')" -%}
{%- set with_cutoffs = "metric in ('" ~ metrics_with_cutoffs | join("', '") ~ "')" -%}

{%- set checks = [
    {'when': 'question_id is null', 'reason': 'missing_key', 'column': 'question_id'},
    {'when': 'invalid_fields is not null', 'reason': 'unparseable_value',
     'column': 'invalid_fields', 'column_is_sql': true},
    {'when': 'survey_id is null', 'reason': 'missing_value', 'column': 'survey_id'},
    {'when': 'question_code is null', 'reason': 'missing_value', 'column': 'question_code'},
    {'when': 'metric is null', 'reason': 'missing_value', 'column': 'metric'},
    {'when': 'not ' ~ is_accepted_category('metric', 'survey_questions'),
     'reason': 'invalid_category', 'column': 'metric'},
    {'when': scaled ~ ' and (scale_min is null or scale_max is null or higher_is_better is null
        or scale_min >= scale_max)',
     'reason': 'invalid_scale', 'column_is_sql': true,
     'column': "case when scale_min is null then 'scale_min' when scale_max is null then 'scale_max'
        when higher_is_better is null then 'higher_is_better' else 'scale_min,scale_max' end"},
    {'when': "metric = 'csi_item' and (weight is null or weight <= 0)",
     'reason': 'invalid_scale', 'column': 'weight'},
    {'when': with_cutoffs ~ ' and cutoff_metric is null', 'reason': 'invalid_scale',
     'column': 'scale_min,scale_max,higher_is_better'},
    {'when': 'valid_survey_id is null', 'reason': 'unknown_reference', 'column': 'survey_id'},
] -%}

with questions as (
    select * from {{ ref('stg_survey__questions') }}
),

surveys as (
    select * from {{ ref('int_surveys__checked') }}
),

scale_cutoffs as (
    select * from {{ ref('scale_cutoffs') }}
),

valid_surveys as (
    select survey_id from surveys
    where quarantine_reason is null
),

known_scales as (
    {#- The scales the seed knows how to score, one row each (the seed has a row per category). #}
    select distinct
        metric,
        scale_min,
        scale_max,
        higher_is_better
    from scale_cutoffs
),

questions_with_parents as (
    select
        questions.*,
        valid_surveys.survey_id as valid_survey_id,
        known_scales.metric as cutoff_metric
    from questions
    left join valid_surveys
        on questions.survey_id = valid_surveys.survey_id
    left join known_scales
        on
            questions.metric = known_scales.metric
            and questions.scale_min = known_scales.scale_min
            and questions.scale_max = known_scales.scale_max
            and questions.higher_is_better = known_scales.higher_is_better
),

checked as (
    {{ checked_with_duplicates(
        'questions_with_parents',
        ['question_id'],
        checks,
        'survey_id asc nulls last, question_code asc nulls last, metric asc nulls last,
        scale_min asc nulls last, scale_max asc nulls last, higher_is_better asc nulls last,
        weight asc nulls last, driver_name asc nulls last'
    ) }}
),

final as (
    select
        question_id,
        survey_id,
        question_code,
        metric,
        scale_min,
        scale_max,
        higher_is_better,
        weight,
        driver_name,
        invalid_fields,
        record_key,
        quarantine_reason,
        quarantine_column
    from checked
)

select * from final
