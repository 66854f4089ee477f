{#- Product adoption by the active customers: new_product_first_buy_rate and
    strategic_product_penetration (the same shape: macro active_buyer_rate_ctes).

    State at the period end ("as of" d = dim_periods.period_end_as_of, the period's end capped at
    the as-of date): the customers of fct_customer_period_status active at d, owned by their
    owner at d and that owner's team on d. A new product is one launched in the var
    new_product_months (12) up to d; a new-product buy is a purchase in the first
    var new_product_first_buy_days (180) days after its launch (launch day = day 0). Strategic
    buys are held in the trailing var active_window_months (12), the window that makes a customer
    active: order dates o with o <= d < o + 12 months. Events are put only in the reporting
    periods of dim_periods. -#}
{%- set new_product_months = var('new_product_months') | int -%}
{%- set trailing_months = var('active_window_months') | int -%}
{%- set first_buy_days = var('new_product_first_buy_days') | int -%}

with order_lines as (

    select * from {{ ref('fct_order_lines') }}

),

customer_status as (

    select * from {{ ref('fct_customer_period_status') }}

),

periods as (

    select * from {{ ref('dim_periods') }}

),

products as (

    select * from {{ ref('dim_products') }}

),

{# ---------- who is active, and owned by whom, at each period end ---------- #}

active_customers as (

    {{ active_customers_at_period_end('customer_status') }}

),

active_counts as (

    {{ active_customer_counts() }}

),

{# ---------- new_product_first_buy_rate ---------- #}

{# Products launched in the var new_product_months (12) up to the period end. #}
recent_launches as (

    select
        periods.period_type,
        periods.period_start,
        periods.period_end_as_of,
        products.product_id
    from periods
    inner join products
        on products.launch_date <= periods.period_end_as_of
        and cast({{ dbt.dateadd('month', new_product_months, 'products.launch_date') }} as date)
        > periods.period_end_as_of

),

{# A customer's first purchase of a product in its first var new_product_first_buy_days (180) days
   (launch day = day 0). #}
early_buys as (

    select
        order_lines.customer_id,
        order_lines.product_id,
        min(order_lines.order_date) as first_early_buy_date
    from order_lines
    inner join products
        on order_lines.product_id = products.product_id
    where order_lines.order_date >= products.launch_date
        and order_lines.order_date < cast({{ dbt.dateadd('day', first_buy_days, 'products.launch_date') }} as date)
    group by 1, 2

),

active_early_buyers as (

    select
        recent_launches.period_type,
        recent_launches.period_start,
        recent_launches.product_id,
        active_customers.customer_id
    from recent_launches
    inner join early_buys
        on recent_launches.product_id = early_buys.product_id
        and early_buys.first_early_buy_date <= recent_launches.period_end_as_of
    inner join active_customers
        on recent_launches.period_type = active_customers.period_type
        and recent_launches.period_start = active_customers.period_start
        and early_buys.customer_id = active_customers.customer_id

),

{{ active_buyer_rate_ctes('first_buy', 'recent_launches', 'active_early_buyers') }}

{# ---------- strategic_product_penetration ---------- #}

{# Strategic products on sale at the period end (launched by then, or without a launch date). #}
strategic_products_on_sale as (

    select
        periods.period_type,
        periods.period_start,
        products.product_id
    from periods
    inner join products
        on products.is_strategic
        and (products.launch_date is null or products.launch_date <= periods.period_end_as_of)

),

strategic_order_days as (

    select distinct
        order_lines.customer_id,
        order_lines.product_id,
        order_lines.order_date,
        cast({{ dbt.dateadd('month', trailing_months, 'order_lines.order_date') }} as date) as trailing_until
    from order_lines
    inner join products
        on order_lines.product_id = products.product_id
    where products.is_strategic

),

active_strategic_buyers as (

    select distinct
        active_customers.period_type,
        active_customers.period_start,
        strategic_order_days.product_id,
        active_customers.customer_id
    from active_customers
    inner join strategic_order_days
        on active_customers.customer_id = strategic_order_days.customer_id
        and strategic_order_days.order_date <= active_customers.period_end_as_of
        and strategic_order_days.trailing_until > active_customers.period_end_as_of

),

{{ active_buyer_rate_ctes('penetration', 'strategic_products_on_sale', 'active_strategic_buyers') }}

indicators as (

    {{ active_buyer_rate_rows('first_buy', 'new_product_first_buy_rate') }}
    union all
    {{ active_buyer_rate_rows('penetration', 'strategic_product_penetration') }}

)

select * from indicators
