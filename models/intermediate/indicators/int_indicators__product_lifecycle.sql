{#- Product lifecycle indicators (product grain only): trial_rate, replacement_conversion_rate
    and lifecycle_headline, the value of the headline indicator of the product's
    lifecycle_stage: introduction → trial_rate, growth → market_share
    (int_indicators__sales_derived), maturity → customer_net_profit
    (int_indicators__customer_profit), decline → replacement_conversion_rate.

    d = the period's end capped at the as-of date. Trailing windows hold order dates o with
    o <= d < o + 12 months (the window that makes a customer active); active customers are the
    company's customers active at d (fct_customer_period_status). -#}

with order_lines as (

    select * from {{ ref('fct_order_lines') }}

),

products as (

    select * from {{ ref('dim_products') }}

),

customer_status as (

    select * from {{ ref('fct_customer_period_status') }}

),

periods as (

    select * from {{ ref('dim_periods') }}

),

market_share as (

    select * from {{ ref('int_indicators__sales_derived') }}
    where indicator_code = 'market_share'
        and grain = 'product'

),

customer_net_profit as (

    select * from {{ ref('int_indicators__customer_profit') }}
    where indicator_code = 'customer_net_profit'
        and grain = 'product'

),

active_customers as (

    {{ active_customers_at_period_end('customer_status') }}

),

active_counts as (

    {{ active_customer_counts() }}

),

customer_product_days as (

    select distinct
        customer_id,
        product_id,
        order_date
    from order_lines

),

{# ---------- trial_rate ---------- #}

first_purchases as (

    select
        customer_id,
        product_id,
        min(order_date) as first_purchase_date
    from customer_product_days
    group by 1, 2

),

first_sales as (

    select
        product_id,
        min(first_purchase_date) as first_sale_date
    from first_purchases
    group by 1

),

{# A product is on sale from its launch date (without one, from its first sale). #}
products_on_sale as (

    select
        periods.period_type,
        periods.period_start,
        products.product_id
    from products
    left join first_sales
        on products.product_id = first_sales.product_id
    inner join periods
        on periods.period_end_as_of >= coalesce(products.launch_date, first_sales.first_sale_date)

),

{# Numerator and denominator count the same population: the customers active at d. A first
    purchase may be a $0 line (a free sample): it is a real purchase, so it counts as a trial, but
    only of a customer whom net-positive orders make active at d, like every customer of the
    denominator. -#}
trials as (

    select
        periods.period_type,
        periods.period_start,
        first_purchases.product_id,
        count(*) as trial_customers
    from periods
    inner join first_purchases
        on first_purchases.first_purchase_date >= periods.period_start
        and first_purchases.first_purchase_date <= periods.period_end_as_of
    inner join active_customers
        on periods.period_type = active_customers.period_type
        and periods.period_start = active_customers.period_start
        and first_purchases.customer_id = active_customers.customer_id
    group by 1, 2, 3

),

trial_rates as (

    select
        'product' as grain,
        products_on_sale.product_id as entity_id,
        products_on_sale.period_type,
        products_on_sale.period_start,
        coalesce(trials.trial_customers, 0) as trial_customers,
        coalesce(active_counts.active_customers, 0) as active_customers
    from products_on_sale
    left join trials
        on products_on_sale.period_type = trials.period_type
        and products_on_sale.period_start = trials.period_start
        and products_on_sale.product_id = trials.product_id
    left join active_counts
        on products_on_sale.period_type = active_counts.period_type
        and products_on_sale.period_start = active_counts.period_start

),

{# ---------- replacement_conversion_rate ---------- #}

{# A product may have several replacements (products whose replaces_product_id is it). #}
replacements as (

    select
        replaces_product_id as product_id,
        product_id as replacement_product_id
    from products
    where replaces_product_id is not null

),

product_buyers as (

    {{ product_buyers_at_period_end('order_lines') }}

),

replaced_product_customers as (

    select product_buyers.*
    from product_buyers
    where product_buyers.product_id in (select replacements.product_id from replacements)

),

replacement_buyers as (

    select distinct
        periods.period_type,
        periods.period_start,
        replacements.product_id,
        customer_product_days.customer_id
    from periods
    inner join customer_product_days
        on customer_product_days.order_date >= periods.period_start
        and customer_product_days.order_date <= periods.period_end_as_of
    inner join replacements
        on customer_product_days.product_id = replacements.replacement_product_id

),

replacement_conversions as (

    select
        'product' as grain,
        replaced_product_customers.product_id as entity_id,
        replaced_product_customers.period_type,
        replaced_product_customers.period_start,
        count(replacement_buyers.customer_id) as converted_customers,
        count(*) as product_customers
    from replaced_product_customers
    left join replacement_buyers
        on replaced_product_customers.period_type = replacement_buyers.period_type
        and replaced_product_customers.period_start = replacement_buyers.period_start
        and replaced_product_customers.product_id = replacement_buyers.product_id
        and replaced_product_customers.customer_id = replacement_buyers.customer_id
    group by 1, 2, 3, 4

),

stage_indicators as (

    {{ indicator_rows('trial_rates', 'trial_rate',
        safe_divide('trial_customers', 'active_customers'), 'trial_customers', 'active_customers') }}
    union all
    {{ indicator_rows('replacement_conversions', 'replacement_conversion_rate',
        safe_divide('converted_customers', 'product_customers'), 'converted_customers', 'product_customers') }}

),

{# ---------- lifecycle_headline ---------- #}

headline_candidates as (

    select * from stage_indicators
    {%- for headline_family in ['market_share', 'customer_net_profit'] %}
    union all
    select
        indicator_code,
        grain,
        entity_id,
        period_type,
        period_start,
        value,
        numerator,
        denominator
    from {{ headline_family }}
    {%- endfor %}

),

product_headlines as (

    select
        product_id,
        case lifecycle_stage
            when 'introduction' then 'trial_rate'
            when 'growth' then 'market_share'
            when 'maturity' then 'customer_net_profit'
            when 'decline' then 'replacement_conversion_rate'
        end as headline_indicator_code
    from products

),

headlines as (

    select
        'lifecycle_headline' as indicator_code,
        headline_candidates.grain,
        headline_candidates.entity_id,
        headline_candidates.period_type,
        headline_candidates.period_start,
        headline_candidates.value,
        headline_candidates.numerator,
        headline_candidates.denominator
    from headline_candidates
    inner join product_headlines
        on headline_candidates.entity_id = product_headlines.product_id
        and headline_candidates.indicator_code = product_headlines.headline_indicator_code

),

indicators as (

    select * from stage_indicators
    union all
    select * from headlines

)

select * from indicators
{%- if 'product' not in var('report_grains') %}
where 1 = 0
{%- endif %}
