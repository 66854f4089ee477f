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
    {#- Each order day's window [o, o + N months) merged with the overlapping windows of the same
        customer and product into spells (a window's end never decreases with o: a new spell starts
        on an order day at or after the previous window's end), then each period end joined to the
        spell that covers it: the same pairs as joining every order day, from far fewer rows. -#}
    select distinct
        {{ periods }}.period_type,
        {{ periods }}.period_start,
        product_spells.product_id,
        product_spells.customer_id
    from {{ periods }}
    inner join (
        select
            numbered_days.customer_id,
            numbered_days.product_id,
            min(numbered_days.order_date) as spell_start_date,
            max(numbered_days.window_end) as spell_end_date
        from (
            select
                windowed_days.customer_id,
                windowed_days.product_id,
                windowed_days.order_date,
                windowed_days.window_end,
                sum(
                    case when windowed_days.order_date < windowed_days.previous_window_end then 0 else 1 end
                ) over (
                    partition by windowed_days.customer_id, windowed_days.product_id
                    order by windowed_days.order_date
                    rows between unbounded preceding and current row
                ) as spell_number
            from (
                select
                    customer_product_days.customer_id,
                    customer_product_days.product_id,
                    customer_product_days.order_date,
                    customer_product_days.window_end,
                    lag(customer_product_days.window_end) over (
                        partition by customer_product_days.customer_id, customer_product_days.product_id
                        order by customer_product_days.order_date
                    ) as previous_window_end
                from (
                    select distinct
                        {{ order_lines }}.customer_id,
                        {{ order_lines }}.product_id,
                        {{ order_lines }}.order_date,
                        cast(
                            {{ dbt.dateadd('month', var('active_window_months') | int, order_lines ~ '.order_date') }}
                            as date
                        ) as window_end
                    from {{ order_lines }}
                ) as customer_product_days
            ) as windowed_days
        ) as numbered_days
        group by numbered_days.customer_id, numbered_days.product_id, numbered_days.spell_number
    ) as product_spells
        on product_spells.spell_start_date <= {{ periods }}.period_end_as_of
        and {{ periods }}.period_end_as_of < product_spells.spell_end_date
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
