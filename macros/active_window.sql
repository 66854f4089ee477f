{#-
    active_window_end(date_expr)
    First day on which an order of date_expr no longer makes its customer active. The spec's
    window: a customer is active at d when a net-positive order falls in (d − N months, d]
    (N = var active_window_months), so the order of day o counts while d − N months < o.
    That is o + N months, except when adding N months clamps a day that the target month lacks
    (o = 29 Feb + 12 months = 28 Feb; o = 31 Jan + 1 month = 29 Feb): then d − N months is still
    before o through the target month's last day, and the window ends the day after it.
-#}
{% macro active_window_end(date_expr) -%}
    {%- set shifted = dbt.dateadd('month', var('active_window_months'), date_expr) -%}
    cast(case
        when extract(day from {{ shifted }}) = extract(day from {{ date_expr }}) then {{ shifted }}
        else {{ dbt.dateadd('day', 1, shifted) }}
    end as date)
{%- endmacro %}


{#-
    product_buyers_at_period_end(order_lines, periods='periods')
    A product's customers at each period end d (dim_periods.period_end_as_of): the customers who
    bought it within var active_window_months up to d, the window that makes a customer active
    counted on order days (order_date <= d < order_date + N months). order_lines: CTE with
    customer_id, product_id, order_date (fct_order_lines); periods: CTE with the rows of
    dim_periods. Returns distinct period_type, period_start, product_id, customer_id.
-#}
{% macro product_buyers_at_period_end(order_lines, periods='periods') -%}
    select distinct
        {{ periods }}.period_type,
        {{ periods }}.period_start,
        customer_product_days.product_id,
        customer_product_days.customer_id
    from {{ periods }}
    inner join (
        select distinct
            {{ order_lines }}.customer_id,
            {{ order_lines }}.product_id,
            {{ order_lines }}.order_date
        from {{ order_lines }}
    ) as customer_product_days
        on customer_product_days.order_date <= {{ periods }}.period_end_as_of
        and {{ periods }}.period_end_as_of < cast(
            {{ dbt.dateadd('month', var('active_window_months') | int, 'customer_product_days.order_date') }} as date
        )
{%- endmacro %}


{#-
    spell_covers(date_expr, spells='spells')
    Join condition "the customer is active at date_expr": the activity spell of
    fct_customer_activity_spells (CTE or alias spells) covers that day, i.e.
    spell_start_date <= date_expr < spell_end_date (spell_end_date is active_window_end of the
    spell's last order, so this is the spec's active window). The one definition of "active at d"
    for every model that reads the spells.
-#}
{% macro spell_covers(date_expr, spells='spells') -%}
    {{ date_expr }} >= {{ spells }}.spell_start_date
    and {{ date_expr }} < {{ spells }}.spell_end_date
{%- endmacro %}
