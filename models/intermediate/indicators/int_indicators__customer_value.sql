{#- Long-term customer value (not CLV): share_of_wallet, relationship_years,
    new_product_first_buy_rate, strategic_product_penetration, customer_net_profit, nps,
    csat_economic, csat_relationship.

    State at the period end ("as of" d = dim_periods.period_end_as_of, the period's end capped at
    the as-of date) belongs to the customer's owner at d and that owner's team on d; flows
    (profit, surveys) belong to the rep and team of each event. Trailing windows hold order
    dates o with o <= d < o + 12 months, the same window that makes a customer active, and
    "active customers" are those of fct_customer_period_status active at the period end.
    Events are put only in the reporting periods of dim_periods. -#}
{%- set trailing_months = 12 -%}
{%- set first_buy_days = var('new_product_first_buy_days', 180) -%}
{%- set cost_of_capital_rate = var('cost_of_capital_rate', 0.06) -%}
{%- set keyed_grains = ['team', 'rep', 'customer', 'company'] -%}

with order_lines as (

    select * from {{ ref('fct_order_lines') }}

),

customer_status as (

    select * from {{ ref('fct_customer_period_status') }}

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

customers as (

    select * from {{ ref('dim_customers') }}

),

products as (

    select * from {{ ref('dim_products') }}

),

surveys as (

    select * from {{ ref('fct_surveys') }}

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

{# ---------- who is active, and owned by whom, at each period end ---------- #}

active_customers as (

    select
        customer_status.period_type,
        customer_status.period_start,
        customer_status.period_end_as_of,
        customer_status.customer_id,
        customer_status.owner_rep_id as rep_id,
        customer_status.owner_team_id as team_id
    from customer_status
    where customer_status.is_active_at_end

),

active_counts as (

    select
        period_type,
        period_start,
        count(*) as active_customers
    from active_customers
    group by 1, 2

),

customer_order_days as (

    select
        customer_id,
        order_date,
        cast({{ dbt.dateadd('month', trailing_months, 'order_date') }} as date) as trailing_until,
        sum(net_sales) as net_sales
    from order_lines
    group by 1, 2, 3

),

{# ---------- share_of_wallet ---------- #}

trailing_sales as (

    select
        active_customers.period_type,
        active_customers.period_start,
        active_customers.customer_id,
        sum(customer_order_days.net_sales) as trailing_net_sales
    from active_customers
    inner join customer_order_days
        on active_customers.customer_id = customer_order_days.customer_id
        and customer_order_days.order_date <= active_customers.period_end_as_of
        and customer_order_days.trailing_until > active_customers.period_end_as_of
    group by 1, 2, 3

),

{# A customer without an estimate (or an estimate of 0) has no share: left out, never 0. #}
wallet_shares as (

    select
        active_customers.period_type,
        active_customers.period_start,
        active_customers.customer_id,
        active_customers.rep_id,
        active_customers.team_id,
        trailing_sales.trailing_net_sales,
        customers.est_annual_category_spend,
        {{ safe_divide('trailing_sales.trailing_net_sales', 'customers.est_annual_category_spend') }} as share_of_wallet
    from active_customers
    inner join trailing_sales
        on active_customers.period_type = trailing_sales.period_type
        and active_customers.period_start = trailing_sales.period_start
        and active_customers.customer_id = trailing_sales.customer_id
    inner join customers
        on active_customers.customer_id = customers.customer_id
    where customers.est_annual_category_spend <> 0

),

wallet_rolled_up as (

    {{ rollup_by_grain_and_period(
        'wallet_shares', none,
        [
            'sum(share_of_wallet) as share_sum',
            'count(share_of_wallet) as customers_with_share',
            'sum(trailing_net_sales) as trailing_net_sales',
            'sum(est_annual_category_spend) as est_annual_category_spend',
        ],
        keyed_grains,
    ) }}

),

{# ---------- relationship_years ---------- #}

first_orders as (

    select
        customer_id,
        min(order_date) as first_order_date
    from order_lines
    group by 1

),

{# Every customer who has ordered by the period end, lapsed or not, owned by its owner at d. #}
relationship_lengths as (

    select
        periods.period_type,
        periods.period_start,
        first_orders.customer_id,
        owner_at_end.owner_rep_id as rep_id,
        owner_team.team_id,
        {{ dbt.datediff('first_orders.first_order_date', 'periods.period_end_as_of', 'day') }} as relationship_days
    from periods
    inner join first_orders
        on first_orders.first_order_date <= periods.period_end_as_of
    {{ join_owner_on_date('owner_at_end', 'first_orders.customer_id', 'periods.period_end_as_of') }}
    {{ join_team_on_date('owner_team', 'owner_at_end.owner_rep_id', 'periods.period_end_as_of') }}

),

relationship_rolled_up as (

    {{ rollup_by_grain_and_period(
        'relationship_lengths', none,
        ['sum(relationship_days) as days_sum', 'count(*) as customers'],
        keyed_grains,
    ) }}

),

{# ---------- new_product_first_buy_rate ---------- #}

{# Products launched in the 12 months up to the period end. #}
recent_launches as (

    select
        periods.period_type,
        periods.period_start,
        periods.period_end_as_of,
        products.product_id
    from periods
    inner join products
        on products.launch_date <= periods.period_end_as_of
        and cast({{ dbt.dateadd('month', trailing_months, 'products.launch_date') }} as date) > periods.period_end_as_of

),

{# A customer's first purchase of a product in its first 180 days (launch day = day 0). #}
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

early_buyer_customers as (

    select distinct
        period_type,
        period_start,
        customer_id
    from active_early_buyers

),

periods_with_launches as (

    select distinct
        period_type,
        period_start
    from recent_launches

),

first_buy_base as (

    select
        active_customers.period_type,
        active_customers.period_start,
        active_customers.customer_id,
        active_customers.rep_id,
        active_customers.team_id,
        case when early_buyer_customers.customer_id is not null then 1 else 0 end as bought_new_product
    from active_customers
    inner join periods_with_launches
        on active_customers.period_type = periods_with_launches.period_type
        and active_customers.period_start = periods_with_launches.period_start
    left join early_buyer_customers
        on active_customers.period_type = early_buyer_customers.period_type
        and active_customers.period_start = early_buyer_customers.period_start
        and active_customers.customer_id = early_buyer_customers.customer_id

),

first_buy_rolled_up as (

    {{ rollup_by_grain_and_period(
        'first_buy_base', none,
        ['sum(bought_new_product) as buyers', 'count(*) as active_customers'],
        ['team', 'rep', 'company'],
    ) }}

),

first_buy_by_product as (

    select
        'product' as grain,
        recent_launches.product_id as entity_id,
        recent_launches.period_type,
        recent_launches.period_start,
        count(active_early_buyers.customer_id) as buyers,
        coalesce(max(active_counts.active_customers), 0) as active_customers
    from recent_launches
    left join active_early_buyers
        on recent_launches.period_type = active_early_buyers.period_type
        and recent_launches.period_start = active_early_buyers.period_start
        and recent_launches.product_id = active_early_buyers.product_id
    left join active_counts
        on recent_launches.period_type = active_counts.period_type
        and recent_launches.period_start = active_counts.period_start
    group by 1, 2, 3, 4

),

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

strategic_buyer_customers as (

    select distinct
        period_type,
        period_start,
        customer_id
    from active_strategic_buyers

),

periods_with_strategic_products as (

    select distinct
        period_type,
        period_start
    from strategic_products_on_sale

),

penetration_base as (

    select
        active_customers.period_type,
        active_customers.period_start,
        active_customers.customer_id,
        active_customers.rep_id,
        active_customers.team_id,
        case when strategic_buyer_customers.customer_id is not null then 1 else 0 end as bought_strategic_product
    from active_customers
    inner join periods_with_strategic_products
        on active_customers.period_type = periods_with_strategic_products.period_type
        and active_customers.period_start = periods_with_strategic_products.period_start
    left join strategic_buyer_customers
        on active_customers.period_type = strategic_buyer_customers.period_type
        and active_customers.period_start = strategic_buyer_customers.period_start
        and active_customers.customer_id = strategic_buyer_customers.customer_id

),

penetration_rolled_up as (

    {{ rollup_by_grain_and_period(
        'penetration_base', none,
        ['sum(bought_strategic_product) as buyers', 'count(*) as active_customers'],
        ['team', 'rep', 'company'],
    ) }}

),

penetration_by_product as (

    select
        'product' as grain,
        strategic_products_on_sale.product_id as entity_id,
        strategic_products_on_sale.period_type,
        strategic_products_on_sale.period_start,
        count(active_strategic_buyers.customer_id) as buyers,
        coalesce(max(active_counts.active_customers), 0) as active_customers
    from strategic_products_on_sale
    left join active_strategic_buyers
        on strategic_products_on_sale.period_type = active_strategic_buyers.period_type
        and strategic_products_on_sale.period_start = active_strategic_buyers.period_start
        and strategic_products_on_sale.product_id = active_strategic_buyers.product_id
    left join active_counts
        on strategic_products_on_sale.period_type = active_counts.period_type
        and strategic_products_on_sale.period_start = active_counts.period_start
    group by 1, 2, 3, 4

),

{# ---------- customer_net_profit ---------- #}

{# Receivable balances: an invoice is outstanding from its invoice date, for its amount less
   the payments received so far (converted at the invoice date's rate, as in fct_payments),
   until it is paid in full or, if never, through the as-of date. Each segment of constant
   balance is [segment_start, segment_end), end exclusive. An invoice whose paid amount is
   unknown (fct_invoices.amount_paid NULL: no payment data, or an unknown payment) has an
   unknown balance. #}
payment_days as (

    select
        invoice_id,
        payment_date,
        sum(amount) as amount_paid
    from payments
    group by 1, 2

),

payments_to_date as (

    select
        invoice_id,
        payment_date,
        sum(amount_paid) over (
            partition by invoice_id order by payment_date
            rows between unbounded preceding and current row
        ) as paid_to_date,
        lead(payment_date) over (partition by invoice_id order by payment_date) as next_payment_date
    from payment_days

),

first_payments as (

    select
        invoice_id,
        min(payment_date) as first_payment_date
    from payment_days
    group by 1

),

balance_segments_raw as (

    select
        invoices.invoice_id,
        invoices.customer_id,
        invoices.rep_id,
        invoices.team_id,
        invoices.invoice_date,
        invoices.invoice_date as segment_start,
        coalesce(first_payments.first_payment_date, cast({{ dbt.dateadd('day', 1, 'as_of.as_of_date') }} as date)) as segment_end,
        case when invoices.amount_paid is not null then invoices.amount end as balance
    from invoices
    cross join as_of
    left join first_payments
        on invoices.invoice_id = first_payments.invoice_id
    union all
    select
        invoices.invoice_id,
        invoices.customer_id,
        invoices.rep_id,
        invoices.team_id,
        invoices.invoice_date,
        payments_to_date.payment_date as segment_start,
        coalesce(payments_to_date.next_payment_date, cast({{ dbt.dateadd('day', 1, 'as_of.as_of_date') }} as date)) as segment_end,
        case when invoices.amount_paid is not null then invoices.amount - payments_to_date.paid_to_date end as balance
    from payments_to_date
    inner join invoices
        on payments_to_date.invoice_id = invoices.invoice_id
    cross join as_of

),

{# Nothing is outstanding before the invoice date; a balance within half a cent of 0 is paid. #}
balance_segments as (

    select
        invoice_id,
        customer_id,
        rep_id,
        team_id,
        case when segment_start < invoice_date then invoice_date else segment_start end as segment_start,
        segment_end,
        balance
    from balance_segments_raw
    where segment_end > invoice_date
        and segment_end > segment_start
        and (balance is null or balance > 0.005)

),

months as (

    select distinct
        month_start,
        cast({{ dbt.dateadd('month', 1, 'month_start') }} as date) as next_month_start
    from dates

),

{# Each segment split by calendar month, so that every period type sums its months' days. #}
financing_pieces as (

    select
        balance_segments.invoice_id,
        balance_segments.customer_id,
        balance_segments.rep_id,
        balance_segments.team_id,
        balance_segments.balance,
        case
            when balance_segments.segment_start > months.month_start then balance_segments.segment_start
            else months.month_start
        end as piece_start,
        case
            when balance_segments.segment_end < months.next_month_start then balance_segments.segment_end
            else months.next_month_start
        end as piece_end
    from balance_segments
    inner join months
        on months.month_start < balance_segments.segment_end
        and months.next_month_start > balance_segments.segment_start

),

{# One row per profit event: a sale line (gross profit; NULL without a unit cost), a service
   or maintenance cost (its rep, else the customer's owner on the cost date, and that rep's
   team) and a month's financing cost of a receivable (the order's rep and team). #}
profit_events as (

    select
        order_lines.order_date as event_date,
        order_lines.customer_id,
        order_lines.rep_id,
        order_lines.team_id,
        order_lines.product_id,
        1 as is_sale_line,
        order_lines.gross_profit,
        0 as is_cost_entry,
        cast(null as double) as service_cost,
        0 as is_financing_piece,
        cast(null as double) as financing_cost
    from order_lines
    union all
    select
        customer_costs.cost_date as event_date,
        customer_costs.customer_id,
        customer_costs.attributed_rep_id as rep_id,
        customer_costs.attributed_team_id as team_id,
        cast(null as {{ dbt.type_string() }}) as product_id,
        0 as is_sale_line,
        cast(null as double) as gross_profit,
        1 as is_cost_entry,
        cast(customer_costs.amount as double) as service_cost,
        0 as is_financing_piece,
        cast(null as double) as financing_cost
    from customer_costs
    where customer_costs.cost_type in ('service', 'maintenance')
    union all
    select
        financing_pieces.piece_start as event_date,
        financing_pieces.customer_id,
        financing_pieces.rep_id,
        financing_pieces.team_id,
        cast(null as {{ dbt.type_string() }}) as product_id,
        0 as is_sale_line,
        cast(null as double) as gross_profit,
        0 as is_cost_entry,
        cast(null as double) as service_cost,
        1 as is_financing_piece,
        cast(financing_pieces.balance * {{ dbt.datediff('financing_pieces.piece_start', 'financing_pieces.piece_end', 'day') }} as double)
            / 365.0 * {{ cost_of_capital_rate }} as financing_cost
    from financing_pieces

),

profit_events_periodized as (

    select periodized.*
    from (
        select
            period_types.period_type,
            {{ period_start('period_types.period_type', 'profit_events.event_date') }} as period_start,
            profit_events.*
        from profit_events
        cross join {{ period_types() }} as period_types
    ) as periodized
    inner join periods
        on periodized.period_type = periods.period_type
        and periodized.period_start = periods.period_start

),

{# Each part is 0 without any event of its kind, NULL when it has events but none is known
   (a partly unknown part sums the known events, as sales_amount does). #}
{%- set profit_measures = [
    'sum(is_sale_line) as sale_lines',
    'sum(gross_profit) as gross_profit',
    'sum(is_cost_entry) as cost_entries',
    'sum(service_cost) as service_cost',
    'sum(is_financing_piece) as financing_pieces',
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
        count(*) as sale_lines,
        sum(gross_profit) as gross_profit
    from profit_events_periodized
    where is_sale_line = 1
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
            else customer_product_profit.gross_profit / customer_period_overhead.gross_profit * customer_period_overhead.overhead
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

{# ---------- nps, csat_economic, csat_relationship ---------- #}

surveys_periodized as (

    select periodized.*
    from (
        select
            period_types.period_type,
            {{ period_start('period_types.period_type', 'surveys.surveyed_date') }} as period_start,
            surveys.*
        from surveys
        cross join {{ period_types() }} as period_types
    ) as periodized
    inner join periods
        on periodized.period_type = periods.period_type
        and periodized.period_start = periods.period_start

),

surveys_rolled_up as (

    {{ rollup_by_grain_and_period(
        'surveys_periodized', none,
        [
            'count(nps_score) as scored_responses',
            'sum(case when is_promoter then 1 else 0 end) as promoters',
            'sum(case when is_detractor then 1 else 0 end) as detractors',
            'sum(csat_economic) as csat_economic_sum',
            'count(csat_economic) as csat_economic_responses',
            'sum(csat_relationship) as csat_relationship_sum',
            'count(csat_relationship) as csat_relationship_responses',
        ],
        keyed_grains,
    ) }}

),

indicators as (

    {{ indicator_rows('wallet_rolled_up', 'share_of_wallet',
        safe_divide('share_sum', 'customers_with_share'),
        "case when grain = 'customer' then trailing_net_sales else share_sum end",
        "case when grain = 'customer' then est_annual_category_spend else customers_with_share end") }}
    union all
    {# Days are summed as integers (exact in any order) and turned into years of 365.25 days at the end. #}
    {{ indicator_rows('relationship_rolled_up', 'relationship_years',
        safe_divide('days_sum', 'customers * 365.25'), 'days_sum / 365.25', 'customers') }}
    union all
    {{ indicator_rows('first_buy_rolled_up', 'new_product_first_buy_rate',
        safe_divide('buyers', 'active_customers'), 'buyers', 'active_customers') }}
    {%- if 'product' in var('report_grains') %}
    union all
    {{ indicator_rows('first_buy_by_product', 'new_product_first_buy_rate',
        safe_divide('buyers', 'active_customers'), 'buyers', 'active_customers') }}
    {%- endif %}
    union all
    {{ indicator_rows('penetration_rolled_up', 'strategic_product_penetration',
        safe_divide('buyers', 'active_customers'), 'buyers', 'active_customers') }}
    {%- if 'product' in var('report_grains') %}
    union all
    {{ indicator_rows('penetration_by_product', 'strategic_product_penetration',
        safe_divide('buyers', 'active_customers'), 'buyers', 'active_customers') }}
    {%- endif %}
    union all
    {{ indicator_rows('profit_rolled_up', 'customer_net_profit', profit_parts, profit_parts) }}
    {%- if 'product' in var('report_grains') %}
    union all
    {{ indicator_rows('product_profit', 'customer_net_profit', 'net_profit', 'net_profit') }}
    {%- endif %}
    union all
    {{ indicator_rows('surveys_rolled_up', 'nps',
        safe_divide('promoters - detractors', 'scored_responses') ~ ' * 100',
        'promoters - detractors', 'scored_responses', where='scored_responses > 0') }}
    union all
    {{ indicator_rows('surveys_rolled_up', 'csat_economic',
        safe_divide('csat_economic_sum', 'csat_economic_responses'),
        'csat_economic_sum', 'csat_economic_responses', where='csat_economic_responses > 0') }}
    union all
    {{ indicator_rows('surveys_rolled_up', 'csat_relationship',
        safe_divide('csat_relationship_sum', 'csat_relationship_responses'),
        'csat_relationship_sum', 'csat_relationship_responses', where='csat_relationship_responses > 0') }}

)

select * from indicators
