{#- A question is scored from its metric and scale, so a question whose metric is unknown (invalid_category)
    or whose scale cannot be scored (invalid_scale) is quarantined. Which metrics are scored on a scale and
    which of those through seed scale_cutoffs is named here (as the marts name the metrics themselves); the
    scales and cut-offs stay in the seed. -#}
{%- set scaled = "metric in ('nps', 'csat', 'ces', 'csi_item', 'driver')" -%}
{%- set with_cutoffs = "metric in ('nps', 'csat', 'ces')" -%}
{%- set incomplete_scale = scaled ~ ' and (scale_min is null or scale_max is null or higher_is_better is null
    or scale_min >= scale_max)' -%}
{%- set incomplete_scale_column = "case when scale_min is null then 'scale_min'
    when scale_max is null then 'scale_max' when higher_is_better is null then 'higher_is_better'
    else 'scale_min,scale_max' end" -%}
{{ checked_raw_table(
    'survey_questions',
    lookups=[{
        'name': 'known_scales',
        'relation': ref('int_known_scales'),
        'on': "known_scales.metric = metric_codes.code and known_scales.scale_min = batch.scale_min
            and known_scales.scale_max = batch.scale_max
            and known_scales.higher_is_better = cast(higher_is_better_codes.code as " ~ dbt.type_boolean() ~ ")",
        'columns': {'cutoff_metric': 'known_scales.metric'},
    }],
    rules=[
        {'when': incomplete_scale, 'reason': 'invalid_scale', 'column_sql': incomplete_scale_column},
        {'when': "metric = 'csi_item' and (weight is null or weight <= 0)", 'reason': 'invalid_scale',
         'column': 'weight'},
        {'when': with_cutoffs ~ ' and cutoff_metric is null', 'reason': 'invalid_scale',
         'column': 'scale_min,scale_max,higher_is_better'},
    ],
) }}
