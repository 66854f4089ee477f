{#-
    Attribution joins, written once. A rep's event belongs to the team the rep was in on the
    event's date; a customer-owned figure belongs to the owner on the period's end date.
    Intervals hold valid_from <= d < valid_to, NULL valid_to = open. join_type: 'left' (the
    default: an event without an interval keeps its row, with NULLs) or 'inner' (only the rows
    that have one, e.g. int_indicator_targets' rep targets summed per team).
-#}

{% macro join_interval(relation, alias, key_column, key_expr, date_expr, join_type='left') -%}
    {{ join_type }} join {{ relation }} as {{ alias }}
        on {{ alias }}.{{ key_column }} = {{ key_expr }}
        and {{ date_expr }} >= {{ alias }}.valid_from
        {#- An open interval ends in 9999: a plain range condition lets the engine use a range join. #}
        and {{ date_expr }} < coalesce({{ alias }}.valid_to, cast('9999-12-31' as date))
{%- endmacro %}

{#- left (or join_type) join int_rep_team_intervals as <alias> for the rep's team on the date. -#}
{% macro join_team_on_date(alias, rep_id_expr, date_expr, join_type='left') -%}
    {{ join_interval(ref('int_rep_team_intervals'), alias, 'rep_id', rep_id_expr, date_expr, join_type) }}
{%- endmacro %}

{#- left join int_customer_owner_intervals as <alias> for the customer's owner on the date. -#}
{% macro join_owner_on_date(alias, customer_id_expr, date_expr) -%}
    {{ join_interval(ref('int_customer_owner_intervals'), alias, 'customer_id', customer_id_expr, date_expr) }}
{%- endmacro %}

{#- left join int_fx_rate_intervals as <alias> for the currency's rate on the date. -#}
{% macro join_fx_on_date(alias, currency_expr, date_expr) -%}
    {{ join_interval(ref('int_fx_rate_intervals'), alias, 'currency', currency_expr, date_expr) }}
{%- endmacro %}
