-- Hand-written baseline: the core marts (mart_nps_by_segment, mart_csat_by_touchpoint, mart_ces_by_touchpoint,
-- mart_churn) computed by one DuckDB script that reads each raw CSV once, straight from the files. Its working
-- tables (valid rows with the columns the marts need) live in a scratch database that is thrown away. It is the yardstick for the dbt project's `dbt run` in the benchmark
-- (python -m cx_warehouse.benchmark): what a person who knows DuckDB well would write for these four marts
-- and nothing else, i.e. the practical speed limit on one machine.
--
-- It applies every validation rule of the warehouse that can change these marts' figures (docs/architecture.md,
-- DECISIONLOG.md): raw text trimmed and cast (a value that does not cast makes the row invalid), required
-- values, accepted codes (seed accepted_categories), future timestamps (after the as-of day), scales and
-- whole points, references to *valid* parents, and duplicates decided among the rows that passed the other
-- checks, keeping the first copy in the same order over the content columns as the checked models.
-- Unlike the project it is DuckDB-only (grouping sets, any_value, range()) and keeps only the columns the
-- marts need.
--
-- Placeholders, filled in by cx_warehouse.benchmark.run_duckdb_baseline (string.Template):
--   ${raw_dir}    folder holding <table>.csv        ${seeds_dir}  the project's seeds/ folder
--   ${as_of}      the build's as-of day, YYYY-MM-DD ${reporting_start}  first reported day (dbt var)
--   ${out_dir}    folder the four marts are written to as <mart>.parquet

set variable as_of = date '${as_of}';
set variable as_of_end = cast(date '${as_of}' + interval 1 day as timestamp);

-- Reference data: the project's seeds, read as the CSV files dbt seeds from.
create table accepted as
select table_name, column_name, accepted_value
from read_csv('${seeds_dir}/accepted_categories.csv', header = true, all_varchar = true);

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

-- A raw value as the staging models see it: trimmed, empty = null; timestamps converted to UTC from their offset.
create temp macro txt(x) as nullif(trim(x), '');
create temp macro utc(x) as cast(timezone('UTC', try_cast(nullif(trim(x), '') as timestamptz)) as timestamp);
create temp macro bad_ts(x) as txt(x) is not null and utc(x) is null;
create temp macro accepted_code(v, t, c) as
    v is null or v in (select accepted_value from accepted where table_name = t and column_name = c);

-- accounts: valid rows, first copy per key; segment columns as dim_accounts shows them.
create table accounts as
with staged as (
    select
        txt(account_id) as account_id,
        txt(account_name) as account_name,
        lower(txt(industry)) as industry,
        txt(employee_band) as employee_band,
        txt(region) as region,
        upper(txt(country_code)) as country_code,
        lower(txt(tier)) as tier,
        txt(account_manager) as account_manager,
        utc(created_at) as created_at,
        bad_ts(created_at) as is_unparseable
    from read_csv('${raw_dir}/accounts.csv', header = true, all_varchar = true)
),
passed as (
    select *
    from staged
    where account_id is not null and not is_unparseable and created_at is not null and tier is not null
        and created_at < getvariable('as_of_end') and accepted_code(tier, 'accounts', 'tier')
),
ranked as (
    select
        *,
        row_number() over (
            partition by account_id
            order by created_at asc nulls last, account_name asc nulls last, industry asc nulls last,
                employee_band asc nulls last, region asc nulls last, country_code asc nulls last,
                tier asc nulls last, account_manager asc nulls last
        ) as copy_number
    from passed
)
select
    account_id,
    coalesce(industry, 'unknown') as industry,
    coalesce(tier, 'unknown') as tier,
    coalesce(region, 'unknown') as region,
    coalesce(employee_band, 'unknown') as employee_band
from ranked
where copy_number = 1;

-- contacts: only the account matters to the marts.
create table contacts as
with staged as (
    select
        txt(contact_id) as contact_id,
        txt(account_id) as account_id,
        txt(full_name) as full_name,
        txt(email) as email,
        txt(job_role) as job_role,
        try_cast(lower(txt(is_decision_maker)) as boolean) as is_decision_maker,
        utc(created_at) as created_at,
        (txt(is_decision_maker) is not null and try_cast(lower(txt(is_decision_maker)) as boolean) is null)
        or bad_ts(created_at) as is_unparseable
    from read_csv('${raw_dir}/contacts.csv', header = true, all_varchar = true)
),
passed as (
    select staged.*
    from staged
    inner join accounts on staged.account_id = accounts.account_id
    where contact_id is not null and not is_unparseable and created_at is not null
        and created_at < getvariable('as_of_end')
),
ranked as (
    select
        *,
        row_number() over (
            partition by contact_id
            order by account_id asc nulls last, created_at asc nulls last, full_name asc nulls last,
                email asc nulls last, job_role asc nulls last, is_decision_maker asc nulls last
        ) as copy_number
    from passed
)
select contact_id, account_id from ranked where copy_number = 1;

create table surveys as
with staged as (
    select
        txt(survey_id) as survey_id,
        txt(survey_name) as survey_name,
        lower(txt(touchpoint)) as touchpoint,
        utc(created_at) as created_at,
        bad_ts(created_at) as is_unparseable
    from read_csv('${raw_dir}/surveys.csv', header = true, all_varchar = true)
),
passed as (
    select *
    from staged
    where survey_id is not null and not is_unparseable and touchpoint is not null and created_at is not null
        and created_at < getvariable('as_of_end') and accepted_code(touchpoint, 'surveys', 'touchpoint')
),
ranked as (
    select
        *,
        row_number() over (
            partition by survey_id
            order by created_at asc nulls last, survey_name asc nulls last, touchpoint asc nulls last
        ) as copy_number
    from passed
)
select survey_id, touchpoint from ranked where copy_number = 1;

-- Questions: the scored ones (nps, csat, ces) keep their scale and cut-offs; the others only need to exist
-- (an answer to a valid csi/driver/comment question is valid, but scores no mart here).
create table questions as
with staged as (
    select
        txt(question_id) as question_id,
        txt(survey_id) as survey_id,
        txt(question_code) as question_code,
        lower(txt(metric)) as metric,
        try_cast(txt(scale_min) as double) as scale_min_number,
        try_cast(txt(scale_max) as double) as scale_max_number,
        try_cast(lower(txt(higher_is_better)) as boolean) as higher_is_better,
        try_cast(txt(weight) as double) as weight,
        txt(driver_name) as driver_name,
        txt(scale_min) as scale_min_text,
        txt(scale_max) as scale_max_text,
        txt(higher_is_better) as higher_is_better_text,
        txt(weight) as weight_text
    from read_csv('${raw_dir}/survey_questions.csv', header = true, all_varchar = true)
),
typed as (
    select
        *,
        case when scale_min_number = floor(scale_min_number) then cast(scale_min_number as bigint) end
            as scale_min,
        case when scale_max_number = floor(scale_max_number) then cast(scale_max_number as bigint) end
            as scale_max
    from staged
),
passed as (
    select typed.*, cutoffs.positive_from, cutoffs.positive_to, cutoffs.passive_from, cutoffs.passive_to
    from typed
    inner join surveys on typed.survey_id = surveys.survey_id
    left join cutoffs
        on typed.metric = cutoffs.metric and typed.scale_min = cutoffs.scale_min
            and typed.scale_max = cutoffs.scale_max and typed.higher_is_better = cutoffs.higher_is_better
    where question_id is not null
        and not (scale_min_text is not null and typed.scale_min is null)
        and not (scale_max_text is not null and typed.scale_max is null)
        and not (higher_is_better_text is not null and typed.higher_is_better is null)
        and not (weight_text is not null and weight is null)
        and typed.question_code is not null and typed.metric is not null
        and accepted_code(typed.metric, 'survey_questions', 'metric')
        and not (typed.metric in ('nps', 'csat', 'ces', 'csi_item', 'driver')
            and (typed.scale_min is null or typed.scale_max is null or typed.higher_is_better is null
                or typed.scale_min >= typed.scale_max))
        and not (typed.metric = 'csi_item' and (typed.weight is null or typed.weight <= 0))
        and not (typed.metric in ('nps', 'csat', 'ces') and cutoffs.metric is null)
),
ranked as (
    select
        *,
        row_number() over (
            partition by question_id
            order by survey_id asc nulls last, question_code asc nulls last, metric asc nulls last,
                scale_min asc nulls last, scale_max asc nulls last, higher_is_better asc nulls last,
                weight asc nulls last, driver_name asc nulls last
        ) as copy_number
    from passed
)
select
    question_id, survey_id, metric, scale_min, scale_max, higher_is_better,
    positive_from, positive_to, passive_from, passive_to
from ranked
where copy_number = 1;

create table invitations as
with staged as (
    select
        txt(invitation_id) as invitation_id,
        txt(survey_id) as survey_id,
        txt(contact_id) as contact_id,
        utc(sent_at) as sent_at,
        lower(txt(channel)) as channel,
        bad_ts(sent_at) as is_unparseable
    from read_csv('${raw_dir}/survey_invitations.csv', header = true, all_varchar = true)
),
passed as (
    select staged.*
    from staged
    inner join surveys on staged.survey_id = surveys.survey_id
    inner join contacts on staged.contact_id = contacts.contact_id
    where invitation_id is not null and not is_unparseable and sent_at is not null and channel is not null
        and sent_at < getvariable('as_of_end') and accepted_code(channel, 'survey_invitations', 'channel')
),
-- Every copy that passed shares the key, so which one survives does not matter: only the ids are needed.
select distinct invitation_id from passed;

-- Responses with everything an answer is counted by: survey, touchpoint, month and the account's segments.
-- In two statements, so that the 40 M invitation ids at 100 M answers are the only large hash table in memory
-- when the invitation reference is checked.
create table responses_passed as
with staged as (
    select
        txt(response_id) as response_id,
        txt(survey_id) as survey_id,
        txt(invitation_id) as invitation_id,
        txt(contact_id) as contact_id,
        utc(submitted_at) as submitted_at,
        lower(txt(language)) as language,
        bad_ts(submitted_at) as is_unparseable
    from read_csv('${raw_dir}/survey_responses.csv', header = true, all_varchar = true)
)
select staged.*, surveys.touchpoint, contacts.account_id
from staged
inner join surveys on staged.survey_id = surveys.survey_id
inner join contacts on staged.contact_id = contacts.contact_id
where response_id is not null and not is_unparseable and submitted_at is not null and language is not null
    and submitted_at < getvariable('as_of_end')
    and accepted_code(language, 'survey_responses', 'language');

delete from responses_passed
where invitation_id is not null and invitation_id not in (select invitation_id from invitations);

create table responses as
with ranked as (
    select
        *,
        row_number() over (
            partition by response_id
            order by survey_id asc nulls last, invitation_id asc nulls last, contact_id asc nulls last,
                submitted_at asc nulls last, language asc nulls last
        ) as copy_number
    from responses_passed
)
select
    ranked.response_id,
    ranked.survey_id,
    ranked.touchpoint,
    cast(date_trunc('month', ranked.submitted_at) as date) as submitted_month,
    accounts.industry,
    accounts.tier,
    accounts.region,
    accounts.employee_band
from ranked
inner join accounts on ranked.account_id = accounts.account_id
where ranked.copy_number = 1;

drop table responses_passed;

-- The one pass over the answers. Only scored answers (a score on an nps/csat/ces question) can reach these
-- marts. A duplicated (response_id, question_id) keeps the copy with the lowest score (the checked model's
-- order: score asc nulls last), so among valid copies the survivor's score is min(score). The duplicates are
-- removed on the two keys and the score alone, and the attributes joined afterwards: a narrow aggregate
-- that spills to disk at 100 M answers, where carrying every attribute through it ran out of memory.
create table monthly_scores as
with answers as (
    select
        txt(response_id) as response_id,
        txt(question_id) as question_id,
        try_cast(txt(score) as double) as score
    from read_csv('${raw_dir}/survey_answers.csv', header = true, all_varchar = true)
    where txt(score) is not null
),
valid as (
    select
        answers.response_id,
        answers.question_id,
        min(answers.score) as score
    from answers
    inner join responses on answers.response_id = responses.response_id
    inner join questions
        on answers.question_id = questions.question_id and questions.survey_id = responses.survey_id
    where answers.score is not null
        and questions.metric in ('nps', 'csat', 'ces')
        and answers.score >= questions.scale_min and answers.score <= questions.scale_max
        and answers.score = floor(answers.score)
    group by answers.response_id, answers.question_id
),
scored as (
    select
        responses.submitted_month,
        responses.touchpoint,
        responses.industry,
        responses.tier,
        responses.region,
        responses.employee_band,
        questions.metric,
        questions.higher_is_better,
        cast(valid.score - questions.scale_min as double) * 100
        / nullif(questions.scale_max - questions.scale_min, 0) as raw_pct,
        case
            when valid.score >= questions.positive_from and valid.score <= questions.positive_to then 'positive'
            when valid.score >= questions.passive_from and valid.score <= questions.passive_to then 'passive'
            else 'negative'
        end as category
    from valid
    inner join responses on valid.response_id = responses.response_id
    inner join questions on valid.question_id = questions.question_id
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

-- The reporting calendar (int_reporting_periods).
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
    )
    select scored.*, bands.nps_band
    from scored
    left join bands on scored.nps >= bands.nps_from and scored.nps < bands.nps_to
) to '${out_dir}/mart_nps_by_segment.parquet' (format parquet);

copy (
    select
        period_grain,
        period_start,
        coalesce(touchpoint, 'all') as touchpoint,
        cast(sum(responses) as bigint) as responses,
        cast(sum(positive) as bigint) as satisfied,
        cast(sum(positive) as double) * 100 / nullif(sum(responses), 0) as csat,
        sum(score_pct_sum) as score_pct_sum,
        sum(score_pct_sum) / nullif(sum(responses), 0) as mean_score_pct
    from period_scores
    where metric = 'csat'
    group by grouping sets ((period_grain, period_start), (period_grain, period_start, touchpoint))
) to '${out_dir}/mart_csat_by_touchpoint.parquet' (format parquet);

copy (
    select
        period_grain,
        period_start,
        coalesce(touchpoint, 'all') as touchpoint,
        cast(sum(responses) as bigint) as responses,
        cast(sum(positive) as bigint) as positive,
        cast(sum(positive) as double) * 100 / nullif(sum(responses), 0) as ces,
        sum(score_pct_sum) as score_pct_sum,
        sum(score_pct_sum) / nullif(sum(responses), 0) as mean_score_pct
    from period_scores
    where metric = 'ces'
    group by grouping sets ((period_grain, period_start), (period_grain, period_start, touchpoint))
) to '${out_dir}/mart_ces_by_touchpoint.parquet' (format parquet);

-- Churn: valid contracts in EUR, each account's position at every period's opening and end.
create table contracts as
with staged as (
    select
        txt(contract_id) as contract_id,
        txt(account_id) as account_id,
        txt(product) as product,
        try_cast(txt(start_date) as date) as start_date,
        try_cast(txt(end_date) as date) as end_date,
        try_cast(txt(arr) as decimal(18, 2)) as arr,
        upper(txt(currency)) as currency,
        (txt(start_date) is not null and try_cast(txt(start_date) as date) is null)
        or (txt(end_date) is not null and try_cast(txt(end_date) as date) is null)
        or (txt(arr) is not null and try_cast(txt(arr) as decimal(18, 2)) is null) as is_unparseable
    from read_csv('${raw_dir}/contracts.csv', header = true, all_varchar = true)
),
passed as (
    select staged.*, fx.rate_to_eur
    from staged
    inner join accounts on staged.account_id = accounts.account_id
    inner join fx on staged.currency = fx.currency_code
    where contract_id is not null and not is_unparseable and start_date is not null and arr is not null
        and not coalesce(end_date < start_date, false) and arr >= 0
),
ranked as (
    select
        *,
        row_number() over (
            partition by contract_id
            order by account_id asc nulls last, start_date asc nulls last, end_date asc nulls last,
                product asc nulls last, arr asc nulls last, currency asc nulls last
        ) as copy_number
    from passed
)
select
    account_id,
    start_date,
    coalesce(end_date, getvariable('as_of')) as last_day,
    cast(round(arr * rate_to_eur, 2) as decimal(18, 2)) as arr_eur
from ranked
where copy_number = 1;

create table churn_events as
with staged as (
    select
        txt(account_id) as account_id,
        utc(churned_at) as churned_at,
        lower(txt(reason_category)) as reason_category,
        txt(reason_text) as reason_text,
        bad_ts(churned_at) as is_unparseable
    from read_csv('${raw_dir}/churn_events.csv', header = true, all_varchar = true)
),
passed as (
    select staged.*
    from staged
    inner join accounts on staged.account_id = accounts.account_id
    where not is_unparseable and churned_at is not null and reason_category is not null
        and churned_at < getvariable('as_of_end')
        and accepted_code(reason_category, 'churn_events', 'reason_category')
),
ranked as (
    select
        *,
        row_number() over (
            partition by account_id
            order by churned_at asc nulls last, reason_category asc nulls last, reason_text asc nulls last
        ) as copy_number
    from passed
)
select account_id, cast(churned_at as date) as churned_on from ranked where copy_number = 1;

copy (
    with account_periods as (
        select
            contracts.account_id,
            periods.period_grain,
            periods.period_start,
            bool_or(contracts.start_date <= periods.opening_date and contracts.last_day >= periods.opening_date)
                as is_active_at_start,
            bool_or(contracts.start_date <= periods.period_end and contracts.last_day >= periods.period_end)
                as is_active_at_end,
            cast(sum(case
                when contracts.start_date <= periods.opening_date and contracts.last_day >= periods.opening_date
                    then contracts.arr_eur else 0
            end) as decimal(18, 2)) as arr_start,
            cast(sum(case
                when contracts.start_date <= periods.period_end and contracts.last_day >= periods.period_end
                    then contracts.arr_eur else 0
            end) as decimal(18, 2)) as arr_end
        from contracts
        inner join periods
            on contracts.start_date <= periods.period_end and contracts.last_day >= periods.opening_date
        group by all
    ),
    account_rows as (
        select
            account_id, period_grain, period_start,
            case when is_active_at_start then 1 else 0 end as accounts_start,
            case when is_active_at_end and not is_active_at_start then 1 else 0 end as new_accounts,
            case when is_active_at_start and not is_active_at_end then 1 else 0 end as churned_accounts,
            case when is_active_at_end then 1 else 0 end as accounts_end,
            0 as churn_events_recorded,
            arr_start,
            case when is_active_at_end and not is_active_at_start then arr_end else 0 end as arr_new,
            case when is_active_at_start and is_active_at_end and arr_end > arr_start
                then arr_end - arr_start else 0 end as arr_expansion,
            case when is_active_at_start and is_active_at_end and arr_end < arr_start
                then arr_start - arr_end else 0 end as arr_contraction,
            case when is_active_at_start and not is_active_at_end then arr_start else 0 end as arr_churned,
            arr_end
        from account_periods
        where is_active_at_start or is_active_at_end
        union all
        select
            churn_events.account_id, periods.period_grain, periods.period_start,
            0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0
        from churn_events
        inner join periods
            on churn_events.churned_on >= periods.period_start and churn_events.churned_on <= periods.period_end
    ),
    rolled_up as (
        select
            account_rows.period_grain,
            account_rows.period_start,
            case
                when grouping(accounts.industry) = 0 then 'industry'
                when grouping(accounts.tier) = 0 then 'tier'
                when grouping(accounts.region) = 0 then 'region'
                when grouping(accounts.employee_band) = 0 then 'employee_band'
                else 'all'
            end as segment_dimension,
            coalesce(accounts.industry, accounts.tier, accounts.region, accounts.employee_band, 'all')
                as segment_value,
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
            sum(arr_end) as arr_end
        from account_rows
        inner join accounts on account_rows.account_id = accounts.account_id
        group by grouping sets (
            (account_rows.period_grain, account_rows.period_start),
            (account_rows.period_grain, account_rows.period_start, accounts.industry),
            (account_rows.period_grain, account_rows.period_start, accounts.tier),
            (account_rows.period_grain, account_rows.period_start, accounts.region),
            (account_rows.period_grain, account_rows.period_start, accounts.employee_band)
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
            cast(coalesce(rolled_up.arr_end, 0) as decimal(18, 2)) as arr_end
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
