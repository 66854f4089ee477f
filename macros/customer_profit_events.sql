{#- The profit events of customer_net_profit, one row per event: a sale line (gross profit; NULL
    without a unit cost), a service or maintenance cost (its rep, else the customer's owner on the
    cost date, and that rep's team) and a month's financing cost of a receivable (the invoice's
    order's rep and team). Shared by int_indicators__customer_profit and the public
    fct_customer_profit_events (the semantic layer's customer_net_profit), so both sum the same rows.
    The caller defines the CTEs order_lines (fct_order_lines), customer_costs (fct_customer_costs),
    invoices (fct_invoices), payments (fct_payments), dates (dim_dates) and as_of
    (base_erp__as_of_date); the macro adds CTEs up to profit_events (no trailing comma). -#}
{% macro customer_profit_events(cost_of_capital_rate) -%}
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
        'sale_line:' || order_lines.order_line_id as profit_event_id,
        'sale_line' as event_type,
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
        customer_costs.cost_type || ':' || customer_costs.cost_id as profit_event_id,
        customer_costs.cost_type as event_type,
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
        'financing:' || financing_pieces.invoice_id || ':' || {{ format_date('financing_pieces.piece_start', '%Y-%m-%d') }}
        as profit_event_id,
        'financing' as event_type,
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

)
{%- endmacro %}
