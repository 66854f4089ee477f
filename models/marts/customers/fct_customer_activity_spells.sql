{#- Spells of activity of each customer. A net-positive order on day o keeps the customer
    active on [o, o + active window); overlapping windows merge into one spell. A customer is
    active at d when d falls in one of its spells; a spell's start is an activation: the
    customer's first order, or the return of a customer who had lapsed. -#}
with order_lines as (

    select * from {{ ref('fct_order_lines') }}

),

orders as (

    select
        customer_id,
        order_id,
        order_date,
        min(rep_id) as rep_id,
        min(team_id) as team_id,
        sum(net_sales) as net_sales
    from order_lines
    group by 1, 2, 3

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
            when previous_order_date is null then 1
            when order_date >= cast({{ dbt.dateadd('month', var('active_window_months'), 'previous_order_date') }} as date) then 1
            else 0
        end as starts_spell
    from net_positive_orders

),

numbered as (

    select
        flagged.*,
        sum(starts_spell) over (
            partition by customer_id order by order_date, order_id
            rows between unbounded preceding and current row
        ) as spell_number
    from flagged

),

final as (

    select
        customer_id,
        spell_number,
        min(order_date) as spell_start_date,
        cast({{ dbt.dateadd('month', var('active_window_months'), 'max(order_date)') }} as date) as spell_end_date,
        max(order_date) as last_order_date,
        count(*) as orders_in_spell
    from numbered
    group by 1, 2

)

select * from final
