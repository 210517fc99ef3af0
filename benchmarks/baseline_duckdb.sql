-- Hand-written baseline: the core marts (mart_nps_by_segment, mart_csat_by_touchpoint, mart_ces_by_touchpoint,
-- mart_churn) computed by one DuckDB script. It is the yardstick for the dbt project's `dbt run` in the benchmark
-- (python -m cx_warehouse.benchmark): what a person who knows DuckDB well would write for these four marts and
-- nothing else, i.e. the practical speed limit on one machine. Its working tables (valid rows with the columns
-- the marts need) live in a scratch database that is thrown away.
--
-- It reads the loader's landing files (cx_warehouse.runtime.load, shared with dbt): every raw column as
-- canonical text (trimmed, empty = null; numbers with '.', ISO dates, UTC timestamps with 'Z'), with
-- _row_number (file order) and _load_error. What the raw contract declares (models/staging/*/_*__sources.yml)
-- is not repeated here: the harness writes each $${<table>} from it
-- (cx_warehouse.benchmark.baseline_duckdb.contract_table_sql): the columns typed by their data_type, codes
-- matched to their vocabulary through the table `codes` below, version_at (the table's
-- version_by), passes_contract (no load error, key present, values parsed, required values present, no
-- future timestamp where declared, codes known) and is_scheduled (the first check failed is the future
-- timestamp). $${label_spellings__<table>__<column>} counts the spellings of
-- that column's vocabulary in every column that shares it; $${vocabulary__<table>__<column>} names it.
--
-- The rest, every rule that can change these marts' figures, is written out here (the warehouse's rules:
-- macros/quarantine.sql, models/intermediate, models/marts):
-- - labels (segments, touchpoint) never invalidate a row: shown as seed label_synonyms' display value for
--   their key (lower case, runs of spaces collapsed, trimmed), else the most frequent spelling (ties: first in
--   sort order); empty -> 'unknown';
-- - the tables' own rules (questions: scale, weight, cut-offs; answers: not empty, the question of the
--   response's survey, a whole point on the scale; contracts: order, not negative);
-- - an answer counts only when its response and question are valid; any other missing or quarantined parent
--   keeps the row (an orphan) under 'unknown' segments (a response's contact missing -> the unknown account);
-- - copies of a key: among the rows that passed, the newest is kept (latest version_at, then last in the file);
-- - two responses of one contact to one survey within ${double_submission_minutes} minutes: the earlier is
--   dropped;
-- - churn: an account-period that a quarantined contract or churn event concerns is counted apart
--   (incomplete_*), not in the movements, positions and rates;
-- - the score marts' intervals (adjusted-Wald NPS, Wilson shares) and the change from the previous period of
--   the same grain with its z-test (DECISIONLOG "Uncertainty and change").
-- Unlike the project it is DuckDB-only (grouping sets, qualify, arg_max_null, range()).
--
-- Placeholders, filled in by cx_warehouse.benchmark.baseline_duckdb.duckdb_baseline_sql (string.Template):
--   ${seeds_dir}  the project's seeds/ folder       ${out_dir}  folder the four marts are written to
--   ${as_of}      the build's as-of day, YYYY-MM-DD  ${reporting_start}  first reported day (dbt var)
--   ${time_zone}  the reporting calendar's zone (dbt var reporting_time_zone)
--   ${double_submission_minutes}  dbt var double_submission_window_minutes
--   ${confidence_z}, ${min_sample_responses}  the dbt vars of the intervals and the low-sample flag
--   and the contract's fragments above.

set variable as_of = date '${as_of}';
-- The first instant after the as-of day of the reporting calendar, in UTC: later timestamps are in the future.
set variable as_of_end = cast(
    timezone('UTC', timezone('${time_zone}', cast(date '${as_of}' + interval 1 day as timestamp))) as timestamp
);

-- The key two spellings of a label or code share (trimmed, runs of spaces collapsed, lower case).
create temp macro label_key(x) as lower(trim(regexp_replace(x, ' +', ' ', 'g')));
-- A UTC timestamp as local time of the reporting calendar (the session's TimeZone is UTC).
create temp macro reporting_time(x) as timezone('${time_zone}', cast(x as timestamptz));

-- Reference data: the project's seeds, read as the CSV files dbt seeds from.
create table synonyms as
select distinct vocabulary, label_key(spelling) as value_key, display_value
from read_csv('${seeds_dir}/label_synonyms.csv', header = true, all_varchar = true);

-- The codes the warehouse acts on, by vocabulary and key: the synonyms, and every currency with a rate.
create table codes as
select vocabulary, value_key, display_value as code from synonyms
union
select 'currency', label_key(currency_code), currency_code
from read_csv('${seeds_dir}/fx_rates.csv', header = true, all_varchar = true);

create table cutoffs as
select
    metric,
    cast(scale_min as bigint) as scale_min,
    cast(scale_max as bigint) as scale_max,
    cast(higher_is_better as boolean) as higher_is_better,
    min(case when category = 'positive' then cast(score_from as bigint) end) as positive_from,
    min(case when category = 'positive' then cast(score_to as bigint) end) as positive_to,
    min(case when category = 'passive' then cast(score_from as bigint) end) as passive_from,
    min(case when category = 'passive' then cast(score_to as bigint) end) as passive_to
from read_csv('${seeds_dir}/scale_cutoffs.csv', header = true, all_varchar = true)
group by all;

create table fx as
select currency_code, cast(rate_to_eur as decimal(18, 6)) as rate_to_eur
from read_csv('${seeds_dir}/fx_rates.csv', header = true, all_varchar = true);

create table bands as
select nps_band, cast(nps_from as double) as nps_from, cast(nps_to as double) as nps_to
from read_csv('${seeds_dir}/nps_bands.csv', header = true, all_varchar = true);

-- Labels: each value's display label, by vocabulary and key (the seed's, else the most frequent spelling).
create table labels as
with spellings as (
    select * from ${label_spellings__accounts__industry}
    union
    select * from ${label_spellings__accounts__tier}
    union
    select * from ${label_spellings__accounts__region}
    union
    select * from ${label_spellings__accounts__employee_band}
    union
    select * from ${label_spellings__surveys__touchpoint}
),
most_frequent as (
    select vocabulary, label_key(spelling) as value_key, spelling
    from (
        select vocabulary, spelling, sum(row_count) as row_count
        from spellings
        group by all
    )
    qualify row_number() over (
        partition by vocabulary, label_key(spelling) order by row_count desc, spelling asc
    ) = 1
)
select
    coalesce(synonyms.vocabulary, most_frequent.vocabulary) as vocabulary,
    coalesce(synonyms.value_key, most_frequent.value_key) as value_key,
    coalesce(synonyms.display_value, most_frequent.spelling) as display_value
from most_frequent
full outer join synonyms
    on most_frequent.vocabulary = synonyms.vocabulary and most_frequent.value_key = synonyms.value_key;

-- Accounts: the newest valid copy of each, its segments as labels.
create table accounts as
with kept as (
    select account_id, industry, tier, region, employee_band
    from ${accounts}
    where passes_contract
    qualify row_number() over (
        partition by account_id order by version_at desc nulls last, _row_number desc
    ) = 1
)
select
    kept.account_id,
    coalesce(industry_label.display_value, 'unknown') as industry,
    coalesce(tier_label.display_value, 'unknown') as tier,
    coalesce(region_label.display_value, 'unknown') as region,
    coalesce(band_label.display_value, 'unknown') as employee_band
from kept
left join labels as industry_label
    on industry_label.vocabulary = ${vocabulary__accounts__industry}
        and industry_label.value_key = label_key(kept.industry)
left join labels as tier_label
    on tier_label.vocabulary = ${vocabulary__accounts__tier} and tier_label.value_key = label_key(kept.tier)
left join labels as region_label
    on region_label.vocabulary = ${vocabulary__accounts__region}
        and region_label.value_key = label_key(kept.region)
left join labels as band_label
    on band_label.vocabulary = ${vocabulary__accounts__employee_band}
        and band_label.value_key = label_key(kept.employee_band);

-- Contacts: only the account matters to the marts (a contact whose account is missing stays valid).
create table contacts as
select contact_id, account_id
from ${contacts}
where passes_contract
qualify row_number() over (partition by contact_id order by version_at desc nulls last, _row_number desc) = 1;

-- Surveys: the touchpoint as a label.
create table surveys as
with kept as (
    select survey_id, touchpoint
    from ${surveys}
    where passes_contract
    qualify row_number() over (partition by survey_id order by version_at desc nulls last, _row_number desc) = 1
)
select kept.survey_id, coalesce(touchpoint_label.display_value, 'unknown') as touchpoint
from kept
left join labels as touchpoint_label
    on touchpoint_label.vocabulary = ${vocabulary__surveys__touchpoint}
        and touchpoint_label.value_key = label_key(kept.touchpoint);

-- Touchpoints in journey order (dim_touchpoints): seed touchpoint_journey's stages first, every other
-- touchpoint shown (the vocabulary's display values and 'unknown') after them in name order.
create table touchpoints as
with journey as (
    select touchpoint, label_key(touchpoint) as value_key, cast(journey_position as integer) as journey_position
    from read_csv('${seeds_dir}/touchpoint_journey.csv', header = true, all_varchar = true)
),
shown as (
    select display_value as touchpoint from labels where vocabulary = ${vocabulary__surveys__touchpoint}
    union
    select 'unknown'
),
listed as (
    select touchpoint from shown
    union
    select touchpoint from journey where value_key not in (select label_key(touchpoint) from shown)
),
placed as (
    select listed.touchpoint, journey.journey_position as seed_position
    from listed
    left join journey on label_key(listed.touchpoint) = journey.value_key
)
select
    touchpoint,
    cast(coalesce(
        seed_position,
        (select max(journey_position) from journey)
        + row_number() over (partition by seed_position is null order by touchpoint)
    ) as integer) as journey_position
from placed;

-- Questions that can be scored: a scaled metric needs a complete scale, a CSI item a positive weight, and
-- nps/csat/ces a scale with cut-offs in seed scale_cutoffs. Each keeps its survey's touchpoint ('unknown' when
-- the survey is missing or invalid) and its cut-offs.
create table questions as
with checked as (
    select questions.*
    from ${survey_questions} as questions
    left join (select distinct metric, scale_min, scale_max, higher_is_better from cutoffs) as known
        on questions.metric = known.metric and questions.scale_min = known.scale_min
            and questions.scale_max = known.scale_max and questions.higher_is_better = known.higher_is_better
    where questions.passes_contract
        and not coalesce(
            questions.metric in ('nps', 'csat', 'ces', 'csi_item', 'driver')
            and (questions.scale_min is null or questions.scale_max is null or questions.higher_is_better is null
                or questions.scale_min >= questions.scale_max),
            false
        )
        and not coalesce(questions.metric = 'csi_item' and (questions.weight is null or questions.weight <= 0), false)
        and not (questions.metric in ('nps', 'csat', 'ces') and known.metric is null)
    qualify row_number() over (
        partition by questions.question_id order by questions.version_at desc nulls last, questions._row_number desc
    ) = 1
)
select
    checked.question_id,
    checked.survey_id,
    checked.metric,
    checked.scale_min,
    checked.scale_max,
    checked.higher_is_better,
    coalesce(surveys.touchpoint, 'unknown') as touchpoint,
    cutoffs.positive_from,
    cutoffs.positive_to,
    cutoffs.passive_from,
    cutoffs.passive_to
from checked
left join surveys on checked.survey_id = surveys.survey_id
left join cutoffs
    on checked.metric = cutoffs.metric and checked.scale_min = cutoffs.scale_min
        and checked.scale_max = cutoffs.scale_max and checked.higher_is_better = cutoffs.higher_is_better;

-- Responses: the newest valid copy of each; of two by one contact to one survey within the window, the
-- earlier is dropped. Each keeps its survey, month and its account's segments (a contact missing from the
-- CRM, or without an account, counts under the unknown account).
create table responses as
with kept as (
    select response_id, survey_id, contact_id, submitted_at, _row_number
    from ${survey_responses}
    where passes_contract
    qualify row_number() over (
        partition by response_id order by version_at desc nulls last, _row_number desc
    ) = 1
),
sequenced as (
    select
        *,
        lead(submitted_at) over (
            partition by contact_id, survey_id order by submitted_at asc, _row_number asc
        ) as next_submitted_at
    from kept
)
select
    sequenced.response_id,
    sequenced.survey_id,
    cast(date_trunc('month', reporting_time(sequenced.submitted_at)) as date) as submitted_month,
    coalesce(accounts.industry, 'unknown') as industry,
    coalesce(accounts.tier, 'unknown') as tier,
    coalesce(accounts.region, 'unknown') as region,
    coalesce(accounts.employee_band, 'unknown') as employee_band
from sequenced
left join contacts on sequenced.contact_id = contacts.contact_id
left join accounts on contacts.account_id = accounts.account_id
where not coalesce(
    sequenced.contact_id is not null and sequenced.survey_id is not null
    and date_diff('second', sequenced.submitted_at, sequenced.next_submitted_at)
    <= 60 * ${double_submission_minutes},
    false
);

-- The one pass over the answers. Only answers to nps, csat and ces questions can reach these marts (the key
-- holds the question, so the copies of a key are all of one). A valid answer needs a valid response and
-- question of one survey, a score or a text, and a score on a whole point of the scale; of the valid copies of
-- a key the last in the file is kept (its score may be empty). Kept narrow (keys and score) through the
-- aggregate, which spills to disk at 100 M answers; the attributes are joined afterwards.
create table answers as
with valid as (
    select answers.response_id, answers.question_id, answers.score, answers._row_number
    from ${survey_answers} as answers
    inner join responses on answers.response_id = responses.response_id
    inner join questions on answers.question_id = questions.question_id
    where answers.passes_contract
        and questions.metric in ('nps', 'csat', 'ces')
        and (answers.score is not null or answers.answer_text is not null)
        and questions.survey_id = responses.survey_id
        and not coalesce(
            answers.score < questions.scale_min or answers.score > questions.scale_max
            or answers.score <> floor(answers.score),
            false
        )
)
select response_id, question_id, arg_max_null(score, _row_number) as score
from valid
group by response_id, question_id;

-- Scored answers summed per month, metric, touchpoint and segment.
create table monthly_scores as
with scored as (
    select
        responses.submitted_month,
        questions.metric,
        questions.touchpoint,
        responses.industry,
        responses.tier,
        responses.region,
        responses.employee_band,
        questions.higher_is_better,
        cast(answers.score - questions.scale_min as double) * 100
        / nullif(questions.scale_max - questions.scale_min, 0) as raw_pct,
        case
            when answers.score between questions.positive_from and questions.positive_to then 'positive'
            when answers.score between questions.passive_from and questions.passive_to then 'passive'
            else 'negative'
        end as category
    from answers
    inner join responses on answers.response_id = responses.response_id
    inner join questions on answers.question_id = questions.question_id
    where answers.score is not null
)
select
    submitted_month, metric, touchpoint, industry, tier, region, employee_band,
    count(*) as answers,
    count(*) filter (where category = 'positive') as positive_answers,
    count(*) filter (where category = 'passive') as passive_answers,
    count(*) filter (where category = 'negative') as negative_answers,
    sum(case when higher_is_better then raw_pct else 100 - raw_pct end) as score_pct_sum
from scored
group by all;

-- The reporting calendar (dim_reporting_periods).
create table periods as
with months as (
    select cast(month_start as date) as month_start
    from range(
        cast(date_trunc('month', date '${reporting_start}') as timestamp),
        cast(date_trunc('month', getvariable('as_of')) + interval 1 month as timestamp),
        interval 1 month
    ) as spine(month_start)
),
grains as (
    select distinct grain, cast(date_trunc(grain, month_start) as date) as period_start
    from months, (values ('month'), ('quarter'), ('year')) as g(grain)
),
bounded as (
    select
        grain as period_grain,
        period_start,
        cast(period_start - interval 1 day as date) as opening_date,
        cast(
            period_start + case grain when 'month' then interval 1 month when 'quarter' then interval 3 month
                else interval 1 year end - interval 1 day as date
        ) as calendar_period_end
    from grains
)
select
    period_grain,
    period_start,
    opening_date,
    least(calendar_period_end, getvariable('as_of')) as period_end,
    calendar_period_end <= getvariable('as_of') as is_complete
from bounded;

-- Monthly scores rolled up to each period that contains the month.
create table period_scores as
select
    periods.period_grain,
    periods.period_start,
    monthly_scores.metric,
    monthly_scores.touchpoint,
    monthly_scores.industry,
    monthly_scores.tier,
    monthly_scores.region,
    monthly_scores.employee_band,
    sum(monthly_scores.answers) as responses,
    sum(monthly_scores.positive_answers) as positive,
    sum(monthly_scores.passive_answers) as passive,
    sum(monthly_scores.negative_answers) as negative,
    sum(monthly_scores.score_pct_sum) as score_pct_sum
from monthly_scores
inner join periods
    on cast(date_trunc(periods.period_grain, monthly_scores.submitted_month) as date) = periods.period_start
group by all;

copy (
    with segments as (
        select
            period_grain,
            period_start,
            case
                when grouping(industry) = 0 then 'industry'
                when grouping(tier) = 0 then 'tier'
                when grouping(region) = 0 then 'region'
                when grouping(employee_band) = 0 then 'employee_band'
                when grouping(touchpoint) = 0 then 'touchpoint'
                else 'all'
            end as segment_dimension,
            coalesce(industry, tier, region, employee_band, touchpoint, 'all') as segment_value,
            cast(sum(responses) as bigint) as responses,
            cast(sum(positive) as bigint) as promoters,
            cast(sum(passive) as bigint) as passives,
            cast(sum(negative) as bigint) as detractors
        from period_scores
        where metric = 'nps'
        group by grouping sets (
            (period_grain, period_start),
            (period_grain, period_start, industry),
            (period_grain, period_start, tier),
            (period_grain, period_start, region),
            (period_grain, period_start, employee_band),
            (period_grain, period_start, touchpoint)
        )
    ),
    scored as (
        select *, cast(promoters - detractors as double) * 100 / nullif(responses, 0) as nps
        from segments
    ),
    -- Adjusted-Wald (Rocks 2016): 3 answers added, 3/4 of them promoters and 3/4 detractors.
    adjusted as (
        select
            *,
            (promoters + 0.75) / (responses + 3) as p_adj,
            (detractors + 0.75) / (responses + 3) as d_adj
        from scored
    ),
    estimated as (
        select
            *,
            100 * (p_adj - d_adj) as nps_adj,
            100 * sqrt((p_adj + d_adj - (p_adj - d_adj) ^ 2) / (responses + 3)) as se
        from adjusted
    ),
    compared as (
        select
            cur.*,
            prev.responses as previous_responses,
            prev.nps as previous_nps,
            (cur.nps_adj - prev.nps_adj) / sqrt(cur.se ^ 2 + prev.se ^ 2) as nps_change_z
        from estimated as cur
        left join estimated as prev
            on prev.period_grain = cur.period_grain
            and prev.segment_dimension = cur.segment_dimension
            and prev.segment_value = cur.segment_value
            and prev.period_start = cur.period_start - case cur.period_grain
                when 'month' then interval 1 month when 'quarter' then interval 3 month else interval 1 year end
    )
    select
        compared.period_grain, compared.period_start, compared.segment_dimension, compared.segment_value,
        compared.responses, compared.promoters, compared.passives, compared.detractors, compared.nps,
        bands.nps_band,
        ${confidence_z} * se as nps_margin_of_error,
        greatest(-100, nps_adj - ${confidence_z} * se) as nps_lower,
        least(100, nps_adj + ${confidence_z} * se) as nps_upper,
        compared.responses < ${min_sample_responses} as is_low_sample,
        previous_responses,
        previous_nps,
        compared.nps - previous_nps as nps_change,
        nps_change_z,
        case when previous_responses is not null then abs(nps_change_z) >= ${confidence_z} end
            as is_nps_change_significant
    from compared
    left join bands on compared.nps >= bands.nps_from and compared.nps < bands.nps_to
) to '${out_dir}/mart_nps_by_segment.parquet' (format parquet);

copy (
    with rolled_up as (
        select
            period_grain,
            period_start,
            coalesce(touchpoint, 'all') as touchpoint,
            cast(sum(responses) as bigint) as responses,
            cast(sum(positive) as bigint) as satisfied,
            sum(score_pct_sum) as score_pct_sum
        from period_scores
        where metric = 'csat'
        group by grouping sets ((period_grain, period_start), (period_grain, period_start, touchpoint))
    )
    select
        period_grain,
        period_start,
        rolled_up.touchpoint,
        case when rolled_up.touchpoint = 'all' then 0 else touchpoints.journey_position end as journey_position,
        responses,
        satisfied,
        cast(satisfied as double) * 100 / nullif(responses, 0) as csat,
        score_pct_sum,
        score_pct_sum / nullif(responses, 0) as mean_score_pct,
        -- Wilson (1927) score interval of the share.
        wilson_half * 100 as csat_margin_of_error,
        greatest(0, (wilson_centre - wilson_half) * 100) as csat_lower,
        least(100, (wilson_centre + wilson_half) * 100) as csat_upper,
        responses < ${min_sample_responses} as is_low_sample,
        previous_responses,
        cast(previous_positive as double) * 100 / previous_responses as previous_csat,
        cast(satisfied as double) * 100 / responses - cast(previous_positive as double) * 100 / previous_responses
            as csat_change,
        csat_change_z,
        case when previous_responses is not null then coalesce(abs(csat_change_z) >= ${confidence_z}, false) end
            as is_csat_change_significant
    from (
        select
            cur.*,
            cur.satisfied / cur.responses as share,
            (share + ${confidence_z} ^ 2 / (2 * cur.responses)) / (1 + ${confidence_z} ^ 2 / cur.responses)
                as wilson_centre,
            ${confidence_z} / (1 + ${confidence_z} ^ 2 / cur.responses)
                * sqrt(share * (1 - share) / cur.responses + ${confidence_z} ^ 2 / (4 * cur.responses ^ 2))
                as wilson_half,
            prev.responses as previous_responses,
            prev.satisfied as previous_positive,
            -- Two-proportion z-test with the pooled share.
            (share - prev.satisfied / prev.responses) / nullif(sqrt(
                (cur.satisfied + prev.satisfied) / (cur.responses + prev.responses)
                * (1 - (cur.satisfied + prev.satisfied) / (cur.responses + prev.responses))
                * (1 / cur.responses + 1 / prev.responses)
            ), 0) as csat_change_z
        from rolled_up as cur
        left join rolled_up as prev
            on prev.period_grain = cur.period_grain
            and prev.touchpoint = cur.touchpoint
            and prev.period_start = cur.period_start - case cur.period_grain
                when 'month' then interval 1 month when 'quarter' then interval 3 month else interval 1 year end
    ) as rolled_up
    left join touchpoints on rolled_up.touchpoint = touchpoints.touchpoint
) to '${out_dir}/mart_csat_by_touchpoint.parquet' (format parquet);

copy (
    with rolled_up as (
        select
            period_grain,
            period_start,
            coalesce(touchpoint, 'all') as touchpoint,
            cast(sum(responses) as bigint) as responses,
            cast(sum(positive) as bigint) as positive,
            sum(score_pct_sum) as score_pct_sum
        from period_scores
        where metric = 'ces'
        group by grouping sets ((period_grain, period_start), (period_grain, period_start, touchpoint))
    )
    select
        period_grain,
        period_start,
        rolled_up.touchpoint,
        case when rolled_up.touchpoint = 'all' then 0 else touchpoints.journey_position end as journey_position,
        responses,
        positive,
        cast(positive as double) * 100 / nullif(responses, 0) as ces,
        score_pct_sum,
        score_pct_sum / nullif(responses, 0) as mean_score_pct,
        -- Wilson (1927) score interval of the share.
        wilson_half * 100 as ces_margin_of_error,
        greatest(0, (wilson_centre - wilson_half) * 100) as ces_lower,
        least(100, (wilson_centre + wilson_half) * 100) as ces_upper,
        responses < ${min_sample_responses} as is_low_sample,
        previous_responses,
        cast(previous_positive as double) * 100 / previous_responses as previous_ces,
        cast(positive as double) * 100 / responses - cast(previous_positive as double) * 100 / previous_responses
            as ces_change,
        ces_change_z,
        case when previous_responses is not null then coalesce(abs(ces_change_z) >= ${confidence_z}, false) end
            as is_ces_change_significant
    from (
        select
            cur.*,
            cur.positive / cur.responses as share,
            (share + ${confidence_z} ^ 2 / (2 * cur.responses)) / (1 + ${confidence_z} ^ 2 / cur.responses)
                as wilson_centre,
            ${confidence_z} / (1 + ${confidence_z} ^ 2 / cur.responses)
                * sqrt(share * (1 - share) / cur.responses + ${confidence_z} ^ 2 / (4 * cur.responses ^ 2))
                as wilson_half,
            prev.responses as previous_responses,
            prev.positive as previous_positive,
            -- Two-proportion z-test with the pooled share.
            (share - prev.positive / prev.responses) / nullif(sqrt(
                (cur.positive + prev.positive) / (cur.responses + prev.responses)
                * (1 - (cur.positive + prev.positive) / (cur.responses + prev.responses))
                * (1 / cur.responses + 1 / prev.responses)
            ), 0) as ces_change_z
        from rolled_up as cur
        left join rolled_up as prev
            on prev.period_grain = cur.period_grain
            and prev.touchpoint = cur.touchpoint
            and prev.period_start = cur.period_start - case cur.period_grain
                when 'month' then interval 1 month when 'quarter' then interval 3 month else interval 1 year end
    ) as rolled_up
    left join touchpoints on rolled_up.touchpoint = touchpoints.touchpoint
) to '${out_dir}/mart_ces_by_touchpoint.parquet' (format parquet);

-- Churn. Contracts: every row, valid or not, since a quarantined one leaves a gap in the account's revenue.
create table contract_rows as
select
    contract_id,
    account_id,
    start_date,
    end_date,
    arr,
    currency,
    version_at,
    _row_number,
    passes_contract and not coalesce(end_date < start_date, false) and not coalesce(arr < 0, false) as is_valid,
    is_scheduled
from ${contracts};

-- Valid contracts (the newest copy of each) with their ARR in EUR.
create table contracts as
select
    kept.account_id,
    kept.start_date,
    coalesce(kept.end_date, getvariable('as_of')) as last_day,
    cast(round(kept.arr * fx.rate_to_eur, 2) as decimal(18, 2)) as arr_eur
from (
    select *
    from contract_rows
    where is_valid
    qualify row_number() over (partition by contract_id order by version_at desc nulls last, _row_number desc) = 1
) as kept
left join fx on kept.currency = fx.currency_code;

create table churn_rows as
select account_id, churned_at, version_at, _row_number, passes_contract as is_valid, is_scheduled
from ${churn_events};

create table churn_events as
select account_id, cast(reporting_time(churned_at) as date) as churned_on
from churn_rows
where is_valid
qualify row_number() over (partition by account_id order by version_at desc nulls last, _row_number desc) = 1;

-- The days a quarantined contract or churn event concerns (null: a date that did not parse, every day), for
-- the accounts the warehouse knows (a valid contract or a valid CRM row). A row whose key also has a valid row
-- is no gap (its key is in the marts), nor is one dated after the as-of day (scheduled).
create table known_accounts as
select account_id from contracts
union
select account_id from accounts;

create table revenue_gaps as
select account_id, start_date as gap_from, end_date as gap_to
from contract_rows
where not is_valid and not is_scheduled and account_id in (select account_id from known_accounts)
    and (contract_id is null or contract_id not in (select contract_id from contract_rows where is_valid))
union all
select account_id, cast(reporting_time(churned_at) as date), cast(reporting_time(churned_at) as date)
from churn_rows
where not is_valid and not is_scheduled and account_id in (select account_id from known_accounts)
    and account_id not in (select account_id from churn_rows where is_valid);

copy (
    with active_periods as (
        select
            contracts.account_id,
            periods.period_grain,
            periods.period_start,
            bool_or(contracts.start_date <= periods.opening_date and contracts.last_day >= periods.opening_date)
                as is_active_at_start,
            bool_or(contracts.start_date <= periods.period_end and contracts.last_day >= periods.period_end)
                as is_active_at_end,
            sum(case
                when contracts.start_date <= periods.opening_date and contracts.last_day >= periods.opening_date
                    then contracts.arr_eur else 0
            end) as arr_start_eur,
            sum(case
                when contracts.start_date <= periods.period_end and contracts.last_day >= periods.period_end
                    then contracts.arr_eur else 0
            end) as arr_end_eur
        from contracts
        inner join periods
            on contracts.start_date <= periods.period_end and contracts.last_day >= periods.opening_date
        group by all
        having bool_or(contracts.start_date <= periods.opening_date and contracts.last_day >= periods.opening_date)
            or bool_or(contracts.start_date <= periods.period_end and contracts.last_day >= periods.period_end)
    ),
    incomplete_periods as (
        select distinct revenue_gaps.account_id, periods.period_grain, periods.period_start
        from revenue_gaps
        inner join periods
            on (revenue_gaps.gap_from is null or revenue_gaps.gap_from <= periods.period_end)
                and (revenue_gaps.gap_to is null or revenue_gaps.gap_to >= periods.opening_date)
    ),
    account_periods as (
        select
            coalesce(active_periods.account_id, incomplete_periods.account_id) as account_id,
            coalesce(active_periods.period_grain, incomplete_periods.period_grain) as period_grain,
            coalesce(active_periods.period_start, incomplete_periods.period_start) as period_start,
            coalesce(active_periods.is_active_at_start, false) as is_start,
            coalesce(active_periods.is_active_at_end, false) as is_end,
            incomplete_periods.account_id is not null as is_incomplete,
            coalesce(active_periods.arr_start_eur, 0) as arr_start_eur,
            coalesce(active_periods.arr_end_eur, 0) as arr_end_eur
        from active_periods
        full outer join incomplete_periods
            on active_periods.account_id = incomplete_periods.account_id
                and active_periods.period_grain = incomplete_periods.period_grain
                and active_periods.period_start = incomplete_periods.period_start
    ),
    -- Complete account-periods move the figures; incomplete ones are counted apart.
    account_rows as (
        select
            account_id, period_grain, period_start,
            case when not is_incomplete and is_start then 1 else 0 end as accounts_start,
            case when not is_incomplete and is_end and not is_start then 1 else 0 end as new_accounts,
            case when not is_incomplete and is_start and not is_end then 1 else 0 end as churned_accounts,
            case when not is_incomplete and is_end then 1 else 0 end as accounts_end,
            0 as churn_events_recorded,
            case when not is_incomplete then arr_start_eur else 0 end as arr_start,
            case when not is_incomplete and is_end and not is_start then arr_end_eur else 0 end as arr_new,
            case when not is_incomplete and is_start and is_end and arr_end_eur > arr_start_eur
                then arr_end_eur - arr_start_eur else 0 end as arr_expansion,
            case when not is_incomplete and is_start and is_end and arr_end_eur < arr_start_eur
                then arr_start_eur - arr_end_eur else 0 end as arr_contraction,
            case when not is_incomplete and is_start and not is_end then arr_start_eur else 0 end as arr_churned,
            case when not is_incomplete then arr_end_eur else 0 end as arr_end,
            case when is_incomplete then 1 else 0 end as incomplete_accounts,
            case when is_incomplete and is_start then 1 else 0 end as incomplete_accounts_start,
            case when is_incomplete and is_end then 1 else 0 end as incomplete_accounts_end,
            case when is_incomplete then arr_start_eur else 0 end as incomplete_arr_start,
            case when is_incomplete then arr_end_eur else 0 end as incomplete_arr_end
        from account_periods
        union all
        select
            churn_events.account_id, periods.period_grain, periods.period_start,
            0, 0, 0, 0, 1,
            0.00::decimal(18, 2), 0.00::decimal(18, 2), 0.00::decimal(18, 2), 0.00::decimal(18, 2),
            0.00::decimal(18, 2), 0.00::decimal(18, 2),
            0, 0, 0, 0.00::decimal(18, 2), 0.00::decimal(18, 2)
        from churn_events
        inner join periods
            on churn_events.churned_on >= periods.period_start and churn_events.churned_on <= periods.period_end
    ),
    segmented as (
        select
            account_rows.*,
            coalesce(accounts.industry, 'unknown') as industry,
            coalesce(accounts.tier, 'unknown') as tier,
            coalesce(accounts.region, 'unknown') as region,
            coalesce(accounts.employee_band, 'unknown') as employee_band
        from account_rows
        left join accounts on account_rows.account_id = accounts.account_id
    ),
    rolled_up as (
        select
            period_grain,
            period_start,
            case
                when grouping(industry) = 0 then 'industry'
                when grouping(tier) = 0 then 'tier'
                when grouping(region) = 0 then 'region'
                when grouping(employee_band) = 0 then 'employee_band'
                else 'all'
            end as segment_dimension,
            coalesce(industry, tier, region, employee_band, 'all') as segment_value,
            sum(accounts_start) as accounts_start,
            sum(new_accounts) as new_accounts,
            sum(churned_accounts) as churned_accounts,
            sum(accounts_end) as accounts_end,
            sum(churn_events_recorded) as churn_events_recorded,
            sum(arr_start) as arr_start,
            sum(arr_new) as arr_new,
            sum(arr_expansion) as arr_expansion,
            sum(arr_contraction) as arr_contraction,
            sum(arr_churned) as arr_churned,
            sum(arr_end) as arr_end,
            sum(incomplete_accounts) as incomplete_accounts,
            sum(incomplete_accounts_start) as incomplete_accounts_start,
            sum(incomplete_accounts_end) as incomplete_accounts_end,
            sum(incomplete_arr_start) as incomplete_arr_start,
            sum(incomplete_arr_end) as incomplete_arr_end
        from segmented
        group by grouping sets (
            (period_grain, period_start),
            (period_grain, period_start, industry),
            (period_grain, period_start, tier),
            (period_grain, period_start, region),
            (period_grain, period_start, employee_band)
        )
    ),
    segment_keys as (
        select period_grain, period_start, segment_dimension, segment_value from rolled_up
        union
        select period_grain, period_start, 'all', 'all' from periods
    ),
    totals as (
        select
            segment_keys.*,
            periods.period_end,
            periods.is_complete,
            cast(coalesce(rolled_up.accounts_start, 0) as bigint) as accounts_start,
            cast(coalesce(rolled_up.new_accounts, 0) as bigint) as new_accounts,
            cast(coalesce(rolled_up.churned_accounts, 0) as bigint) as churned_accounts,
            cast(coalesce(rolled_up.accounts_end, 0) as bigint) as accounts_end,
            cast(coalesce(rolled_up.churn_events_recorded, 0) as bigint) as churn_events_recorded,
            cast(coalesce(rolled_up.arr_start, 0) as decimal(18, 2)) as arr_start,
            cast(coalesce(rolled_up.arr_new, 0) as decimal(18, 2)) as arr_new,
            cast(coalesce(rolled_up.arr_expansion, 0) as decimal(18, 2)) as arr_expansion,
            cast(coalesce(rolled_up.arr_contraction, 0) as decimal(18, 2)) as arr_contraction,
            cast(coalesce(rolled_up.arr_churned, 0) as decimal(18, 2)) as arr_churned,
            cast(coalesce(rolled_up.arr_end, 0) as decimal(18, 2)) as arr_end,
            cast(coalesce(rolled_up.incomplete_accounts, 0) as bigint) as incomplete_accounts,
            cast(coalesce(rolled_up.incomplete_accounts_start, 0) as bigint) as incomplete_accounts_start,
            cast(coalesce(rolled_up.incomplete_accounts_end, 0) as bigint) as incomplete_accounts_end,
            cast(coalesce(rolled_up.incomplete_arr_start, 0) as decimal(18, 2)) as incomplete_arr_start,
            cast(coalesce(rolled_up.incomplete_arr_end, 0) as decimal(18, 2)) as incomplete_arr_end
        from segment_keys
        inner join periods
            on segment_keys.period_grain = periods.period_grain
                and segment_keys.period_start = periods.period_start
        left join rolled_up
            on segment_keys.period_grain = rolled_up.period_grain
                and segment_keys.period_start = rolled_up.period_start
                and segment_keys.segment_dimension = rolled_up.segment_dimension
                and segment_keys.segment_value = rolled_up.segment_value
    )
    select
        period_grain, period_start, period_end, is_complete, segment_dimension, segment_value,
        accounts_start, new_accounts, churned_accounts, accounts_end, churn_events_recorded,
        arr_start, arr_new, arr_expansion, arr_contraction, arr_churned, arr_end,
        incomplete_accounts, incomplete_accounts_start, incomplete_accounts_end,
        incomplete_arr_start, incomplete_arr_end,
        case when accounts_start > 0
            then cast(100.0 * churned_accounts / accounts_start as decimal(18, 6)) end as logo_churn_rate,
        case when accounts_start > 0
            then cast(100.0 * (accounts_end - new_accounts) / accounts_start as decimal(18, 6)) end as crr,
        case when arr_start > 0
            then cast(100.0 * (arr_start - arr_contraction - arr_churned) / arr_start as decimal(18, 6)) end
            as grr,
        case when arr_start > 0
            then cast(100.0 * (arr_start + arr_expansion - arr_contraction - arr_churned) / arr_start
                as decimal(18, 6)) end as nrr
    from totals
) to '${out_dir}/mart_churn.parquet' (format parquet);
