{%- set checks = [
    {'when': 'survey_id is null', 'reason': 'missing_key', 'column': 'survey_id'},
    {'when': 'invalid_fields is not null', 'reason': 'unparseable_value',
     'column': 'invalid_fields', 'column_is_sql': true},
    {'when': 'touchpoint is null', 'reason': 'missing_value', 'column': 'touchpoint'},
    {'when': 'created_at is null', 'reason': 'missing_value', 'column': 'created_at'},
    {'when': 'created_at >= ' ~ as_of_end_timestamp(), 'reason': 'future_timestamp', 'column': 'created_at'},
    {'when': 'not ' ~ is_accepted_category('touchpoint', 'surveys'),
     'reason': 'invalid_category', 'column': 'touchpoint'},
] -%}

with surveys as (
    select * from {{ ref('stg_survey__surveys') }}
),

checked as (
    {{ checked_with_duplicates(
        'surveys',
        ['survey_id'],
        checks,
        'created_at asc nulls last, survey_name asc nulls last, touchpoint asc nulls last'
    ) }}
),

final as (
    select
        survey_id,
        survey_name,
        touchpoint,
        created_at,
        invalid_fields,
        record_key,
        quarantine_reason,
        quarantine_column
    from checked
)

select * from final
