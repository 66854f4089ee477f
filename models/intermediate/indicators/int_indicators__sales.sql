{#- Sales results from order lines: sales_amount, gross_margin_rate, new_product_sales_share.
    new_product_sales_share is unknown (NULL, never 0) for the whole company when no product has
    a launch date: which sales are of new products cannot be told. Once some products have one,
    a product without a launch date counts as not new. -#}
with order_lines as (

    select * from {{ ref('fct_order_lines') }}

),

launch_dates_known as (

    select count(launch_date) > 0 as is_known
    from {{ ref('dim_products') }}

),

rolled_up as (

    {{ rollup_by_grain_and_period(
        'order_lines', 'order_date',
        [
            'sum(net_sales) as net_sales',
            'sum(gross_profit) as gross_profit',
            'sum(case when cost is not null then net_sales end) as net_sales_with_cost',
            'sum(case when is_new_product_sale then net_sales else 0 end) as new_product_net_sales',
        ],
        ['team', 'rep', 'customer', 'product', 'company'],
    ) }}

),

indicators as (

    {{ indicator_rows('rolled_up', 'sales_amount', 'net_sales', 'net_sales') }}
    union all
    {# A line without unit_cost has no margin: only lines with a cost enter the rate. #}
    {{ indicator_rows('rolled_up', 'gross_margin_rate',
        safe_divide('gross_profit', 'net_sales_with_cost'), 'gross_profit', 'net_sales_with_cost') }}
    union all
    {{ indicator_rows('rolled_up', 'new_product_sales_share',
        'case when (select is_known from launch_dates_known) then ' ~ safe_divide('new_product_net_sales', 'net_sales') ~ ' end',
        'case when (select is_known from launch_dates_known) then new_product_net_sales end', 'net_sales') }}

)

select * from indicators
