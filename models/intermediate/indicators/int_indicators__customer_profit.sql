{#- Customer net profit contribution (customer_net_profit): gross profit − service and
    maintenance costs − financing cost of receivables, per grain and period.

    Flows belong to the rep and team of each event: a sale line (its order's rep and team), a
    service or maintenance cost (fct_customer_costs' attributed rep and team) and a month's
    financing cost of a receivable (the invoice's order's rep and team). Events are put only in
    the reporting periods of dim_periods. The product grain takes the product's gross profit
    less its share of the customer's costs and financing (see product_allocations). -#}
{%- set cost_of_capital_rate = var('cost_of_capital_rate', 0.06) -%}
{%- set keyed_grains = ['team', 'rep', 'customer', 'company'] -%}

with order_lines as (

    select * from {{ ref('fct_order_lines') }}

),

periods as (

    select * from {{ ref('dim_periods') }}

),

dates as (

    select * from {{ ref('dim_dates') }}

),

as_of as (

    select * from {{ ref('base_erp__as_of_date') }}

),

customer_costs as (

    select * from {{ ref('fct_customer_costs') }}

),

invoices as (

    select * from {{ ref('fct_invoices') }}

),

payments as (

    select * from {{ ref('fct_payments') }}

),

{# ---------- customer_net_profit ---------- #}

{{ customer_profit_events(cost_of_capital_rate) }},

{# The events summed per month once (per customer, rep and team; and per customer and product
   for the sale lines), then each month put into its reporting periods: every measure is a sum,
   so a period's value is the sum of its months' (instead of every event times 4 period types). #}
owner_months as (

    select
        cast({{ dbt.date_trunc('month', 'event_date') }} as date) as event_month,
        customer_id,
        rep_id,
        team_id,
        sum(is_sale_line) as sale_lines,
        sum(gross_profit) as gross_profit,
        sum(is_cost_entry) as cost_entries,
        sum(service_cost) as service_cost,
        sum(is_financing_piece) as financing_pieces,
        sum(financing_cost) as financing_cost
    from profit_events
    group by 1, 2, 3, 4

),

customer_product_months as (

    select
        cast({{ dbt.date_trunc('month', 'event_date') }} as date) as event_month,
        customer_id,
        product_id,
        sum(gross_profit) as gross_profit
    from profit_events
    where is_sale_line = 1
    group by 1, 2, 3

),

profit_events_periodized as (

    {{ in_reporting_periods('owner_months', 'event_month') }}

),

customer_product_periodized as (

    {{ in_reporting_periods('customer_product_months', 'event_month') }}

),

{# Each part is 0 without any event of its kind, NULL when it has events but none is known
   (a partly unknown part sums the known events, as sales_amount does). #}
{%- set profit_measures = [
    'sum(sale_lines) as sale_lines',
    'sum(gross_profit) as gross_profit',
    'sum(cost_entries) as cost_entries',
    'sum(service_cost) as service_cost',
    'sum(financing_pieces) as financing_pieces',
    'sum(financing_cost) as financing_cost',
] %}
{%- set profit_parts %}
    case when sale_lines > 0 then gross_profit else 0 end
    - case when cost_entries > 0 then service_cost else 0 end
    - case when financing_pieces > 0 then financing_cost else 0 end
{%- endset %}
{%- set overhead_parts %}
    case when cost_entries > 0 then service_cost else 0 end
    + case when financing_pieces > 0 then financing_cost else 0 end
{%- endset %}

profit_rolled_up as (

    {{ rollup_by_grain_and_period('profit_events_periodized', none, profit_measures, keyed_grains) }}

),

customer_period_profit as (

    select
        period_type,
        period_start,
        customer_id,
        {{ profit_measures | join(',\n        ') }}
    from profit_events_periodized
    group by 1, 2, 3

),

customer_period_overhead as (

    select
        period_type,
        period_start,
        customer_id,
        gross_profit,
        {{ overhead_parts }} as overhead
    from customer_period_profit

),

customer_product_profit as (

    select
        period_type,
        period_start,
        customer_id,
        product_id,
        sum(gross_profit) as gross_profit
    from customer_product_periodized
    group by 1, 2, 3, 4

),

{# A product carries its lines' gross profit less its share of each customer's costs and
   financing in the period, the share being the product's part of the customer's gross
   profit in the period. When the customer's gross profit is not positive, or the product's
   is unknown, the share is undefined and nothing is allocated to the product. #}
product_allocations as (

    select
        customer_product_profit.period_type,
        customer_product_profit.period_start,
        customer_product_profit.product_id,
        customer_product_profit.gross_profit,
        case
            when customer_product_profit.gross_profit is null then 0
            when customer_period_overhead.gross_profit is null or customer_period_overhead.gross_profit <= 0 then 0
            else customer_product_profit.gross_profit / customer_period_overhead.gross_profit
                * customer_period_overhead.overhead
        end as allocated_overhead
    from customer_product_profit
    inner join customer_period_overhead
        on customer_product_profit.period_type = customer_period_overhead.period_type
        and customer_product_profit.period_start = customer_period_overhead.period_start
        and customer_product_profit.customer_id = customer_period_overhead.customer_id

),

{# Unknown when no line of the product has a cost, or an allocated overhead is unknown. #}
product_profit as (

    select
        'product' as grain,
        coalesce(product_id, 'unassigned') as entity_id,
        period_type,
        period_start,
        case
            when count(allocated_overhead) = count(*) then sum(gross_profit) - sum(allocated_overhead)
        end as net_profit,
        sum(gross_profit) as gross_profit,
        sum(allocated_overhead) as allocated_overhead
    from product_allocations
    group by 1, 2, 3, 4

),

indicators as (

    {{ indicator_rows('profit_rolled_up', 'customer_net_profit', profit_parts, profit_parts) }}
    {%- if 'product' in var('report_grains') %}
    union all
    {{ indicator_rows('product_profit', 'customer_net_profit', 'net_profit', 'net_profit') }}
    {%- endif %}

)

select * from indicators
