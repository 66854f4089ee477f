{#- Spells of activity of each customer. A customer is active at d when a net-positive order
    falls in (d − active window, d]: an order of day o keeps the customer active on
    [o, active_window_end(o)) (o + window, or the day after the target month's end when adding
    the window clamps the day: 29 Feb + 12 months). Windows that overlap or touch merge into one
    spell: a next order on the day the previous window ends (exactly 12 months later) continues
    the spell, since the customer is active every day. A customer is
    active at d when d falls in one of its spells; a spell's start is an activation: the
    customer's first order, or the return of a customer who had lapsed. -#}
with order_lines as (

    select * from {{ ref('fct_order_lines') }}

),

orders as (

    {{ order_totals('order_lines') }}

),

net_positive_orders as (

    select
        orders.*,
        lag(orders.order_date) over (
            partition by orders.customer_id order by orders.order_date, orders.order_id
        ) as previous_order_date
    from orders
    where orders.net_sales > 0

),

flagged as (

    select
        net_positive_orders.*,
        case
            when net_positive_orders.previous_order_date is null then 1
            when net_positive_orders.order_date > {{ active_window_end('previous_order_date') }} then 1
            else 0
        end as starts_spell
    from net_positive_orders

),

numbered as (

    select
        flagged.*,
        {# a bigint on both engines (DuckDB's sum of integers is a hugeint) #}
        cast(sum(flagged.starts_spell) over (
            partition by flagged.customer_id order by flagged.order_date, flagged.order_id
            rows between unbounded preceding and current row
        ) as bigint) as spell_number
    from flagged

),

final as (

    select
        customer_id,
        spell_number,
        min(order_date) as spell_start_date,
        {{ active_window_end('max(order_date)') }} as spell_end_date,
        max(order_date) as last_order_date,
        count(*) as orders_in_spell
    from numbered
    group by 1, 2

)

select * from final
