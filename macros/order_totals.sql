{#-
    Order lines summed to their order: one row per (customer_id, order_id, order_date) with the
    order's rep and team and its net sales in the base currency (returns negative). The one
    place fct_customer_activity_spells and fct_customer_activations turn lines into orders.

    order_totals(order_lines)
      order_lines  CTE or relation with the columns of fct_order_lines
-#}
{% macro order_totals(order_lines) -%}
    select
        customer_id,
        order_id,
        order_date,
        min(rep_id) as rep_id,
        min(team_id) as team_id,
        sum(net_sales) as net_sales
    from {{ order_lines }}
    group by 1, 2, 3
{%- endmacro %}
