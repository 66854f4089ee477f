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
        coalesce(
            first_payments.first_payment_date, cast({{ dbt.dateadd('day', 1, 'as_of.as_of_date') }} as date)
        ) as segment_end,
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
        coalesce(
            payments_to_date.next_payment_date, cast({{ dbt.dateadd('day', 1, 'as_of.as_of_date') }} as date)
        ) as segment_end,
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
        cast(
            financing_pieces.balance
            * {{ dbt.datediff('financing_pieces.piece_start', 'financing_pieces.piece_end', 'day') }}
            as double
        )
        / 365.0 * {{ cost_of_capital_rate }} as financing_cost
    from financing_pieces

),

profit_events_periodized as (

    {{ in_reporting_periods('profit_events', 'event_date') }}

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
