{#- The project's named column types, so that a money column or a rate is declared the same way everywhere.
    The contracts in the models' YAML spell the same types out (YAML cannot call a macro): decimal(18, 2) for
    money, decimal(18, 6) for rates, double for scores. -#}

{#- Money: an amount in a currency, to the cent (ARR, invoice amounts, CLV in EUR). -#}
{% macro type_money() -%}
  decimal(18, 2)
{%- endmacro %}

{#- A rate or share kept exactly: FX rates, percentages, rates per year, years. Six decimals keep a
    percentage to 1e-6 points. -#}
{% macro type_rate() -%}
  decimal(18, 6)
{%- endmacro %}

{#- A score on 0-100 or a mean of scores: a double, since it is summed over millions of answers. -#}
{% macro type_score() -%}
  {{ type_double() }}
{%- endmacro %}

{#- An 8-byte floating point type (dbt.type_float() is a 4-byte float on DuckDB and Spark). -#}
{% macro type_double() -%}
  {{ return(adapter.dispatch('type_double', 'cx_warehouse')()) }}
{%- endmacro %}

{% macro default__type_double() -%}
  double
{%- endmacro %}

{% macro postgres__type_double() -%}
  double precision
{%- endmacro %}

{#- An amount in EUR at the rate of seed fx_rates (rate_to_eur: EUR per unit of the currency), rounded to the
    cent. `rate` is the seed's rate_to_eur joined by currency. -#}
{% macro money_to_eur(amount, rate) -%}
  cast(round({{ amount }} * cast({{ rate }} as {{ type_rate() }}), 2) as {{ type_money() }})
{%- endmacro %}
