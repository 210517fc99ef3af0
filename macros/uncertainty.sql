{#- Uncertainty and change of the score marts (NPS, CSAT, CES): one macro per formula, shared by the marts.
    Every macro takes the additive counts (or figures computed from them) as SQL expressions and returns an
    expression; the marts compute them last, after the counts are rolled up. Methods and their sources:
    DECISIONLOG.md, "Uncertainty and change". Figures are in points (NPS -100..100, shares 0..100). -#}

{#- The normal quantile of the intervals and tests (var confidence_z: 1.96 for 95 %), as a double. -#}
{% macro confidence_z() -%}
    cast({{ checked_var('confidence_z', 'number') }} as {{ type_double() }})
{%- endmacro %}

{#- True when a figure rests on fewer responses than var min_sample_responses. -#}
{% macro is_low_sample(responses) -%}
    ({{ responses }} < {{ checked_var('min_sample_responses', 'whole_number') }})
{%- endmacro %}

{#- `value` kept within [low, high]. -#}
{% macro clamped(value, low, high) -%}
    least(greatest({{ value }}, {{ low }}), {{ high }})
{%- endmacro %}

{#- The first day of the period before the one starting on `period_start`, at the row's own grain
    (month, quarter or year: period_grains()), counted in months (Postgres has no 'quarter' interval). -#}
{% macro previous_period_start(grain_column, period_start) -%}
    {%- set months = {'month': 1, 'quarter': 3, 'year': 12} -%}
    case {{ grain_column }}
        {%- for grain in period_grains() %}
        when '{{ grain }}' then cast({{ dbt.dateadd('month', -months[grain], period_start) }} as date)
        {%- endfor %}
    end
{%- endmacro %}

{#- NPS, adjusted-Wald (Rocks 2016): 3 pseudo-answers are added, 3/4 of a promoter, 3/4 of a detractor and
    3/2 of a passive, so the estimate is (P - D) / (n + 3) x 100, shrunk slightly towards 0. -#}
{% macro nps_adjusted_estimate(promoters, detractors, responses) -%}
    (cast({{ promoters }} - {{ detractors }} as {{ type_double() }}) * 100 / ({{ responses }} + 3))
{%- endmacro %}

{#- Its standard error in points: the square root of the adjusted variance of the +1/0/-1 scores,
    (P' + D') / n' - ((P' - D') / n')^2, over n' = n + 3 (P' = P + 3/4, D' = D + 3/4). Never 0, so an
    all-promoter row still has a margin. -#}
{% macro nps_adjusted_standard_error(promoters, detractors, responses) -%}
    (
        100 * sqrt(
            (
                (cast({{ promoters }} + {{ detractors }} as {{ type_double() }}) + 1.5) / ({{ responses }} + 3)
                - power(cast({{ promoters }} - {{ detractors }} as {{ type_double() }}) / ({{ responses }} + 3), 2)
            )
            / ({{ responses }} + 3)
        )
    )
{%- endmacro %}

{#- A share's Wilson score interval (Wilson 1927): its centre and half-width in points, for `positives` of
    `responses`, at confidence_z(). The interval is centre +- half-width; it always holds the observed share
    and stays within 0-100. -#}
{% macro wilson_centre(positives, responses) -%}
    (
        (cast({{ positives }} as {{ type_double() }}) + power({{ confidence_z() }}, 2) / 2) * 100
        / ({{ responses }} + power({{ confidence_z() }}, 2))
    )
{%- endmacro %}

{% macro wilson_half_width(positives, responses) -%}
    (
        {{ confidence_z() }} * 100
        * sqrt(
            cast({{ positives }} as {{ type_double() }}) * ({{ responses }} - {{ positives }}) / {{ responses }}
            + power({{ confidence_z() }}, 2) / 4
        )
        / ({{ responses }} + power({{ confidence_z() }}, 2))
    )
{%- endmacro %}

{#- The columns of a response rate in points with its Wilson interval and its low-sample flag, for
    `positives` of `total` (the survey-health marts): response_rate, response_rate_lower, response_rate_upper,
    is_low_sample. -#}
{% macro response_rate_columns(positives, total) -%}
    cast({{ positives }} as {{ type_double() }}) * 100 / {{ total }} as response_rate,
    {{ clamped(wilson_centre(positives, total) ~ ' - ' ~ wilson_half_width(positives, total), 0, 100) }}
        as response_rate_lower,
    {{ clamped(wilson_centre(positives, total) ~ ' + ' ~ wilson_half_width(positives, total), 0, 100) }}
        as response_rate_upper,
    {{ is_low_sample(total) }} as is_low_sample
{%- endmacro %}

{#- The z statistic of a change between two independent estimates with standard errors `se_current` and
    `se_previous` (null when both are 0). -#}
{% macro change_z(change, se_current, se_previous) -%}
    (
        ({{ change }})
        / nullif(sqrt(power({{ se_current }}, 2) + power({{ se_previous }}, 2)), 0)
    )
{%- endmacro %}

{#- The two-proportion z-test with the pooled share (z squared is Pearson's chi-squared statistic of the 2 x 2
    table, without continuity correction): the z of the change from `positives_previous` of `responses_previous` to `positives` of `responses`; null when
    the pooled share is 0 or 1 (the two shares are then equal). -#}
{% macro two_proportion_z(positives, responses, positives_previous, responses_previous) -%}
    {%- set pooled -%}
        (cast({{ positives }} + {{ positives_previous }} as {{ type_double() }})
        / ({{ responses }} + {{ responses_previous }}))
    {%- endset -%}
    (
        (
            cast({{ positives }} as {{ type_double() }}) / {{ responses }}
            - cast({{ positives_previous }} as {{ type_double() }}) / {{ responses_previous }}
        )
        / nullif(
            sqrt({{ pooled }} * (1 - {{ pooled }}) * (1.0 / {{ responses }} + 1.0 / {{ responses_previous }})),
            0
        )
    )
{%- endmacro %}

{#- Whether a change with z statistic `z` is significant at confidence_z() (two-sided): null when there is no
    previous period (`previous_responses` null), false when z is null (no variance: nothing changed). -#}
{% macro is_change_significant(z, previous_responses) -%}
    case
        when {{ previous_responses }} is null then null
        else coalesce(abs({{ z }}) >= {{ confidence_z() }}, false)
    end
{%- endmacro %}
