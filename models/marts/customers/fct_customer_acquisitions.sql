{#- Effective new customers: the order that starts each activity spell (a first order, or the
    return of a lapsed customer), when its net amount reaches new_customer_min_amount. Credited
    to the order's rep and that rep's team on the order date.
    Left censoring: a customer created before the order history starts, whose first spell in
    the history starts within one active window of its start, may well have been active
    already; that spell is not an acquisition (is_left_censored, excluded). -#}
with order_lines as (

    select * from {{ ref('fct_order_lines') }}

),

spells as (

    select * from {{ ref('fct_customer_activity_spells') }}

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

customers as (

    select * from {{ ref('dim_customers') }}

),

as_of as (

    select * from {{ ref('int_as_of_date') }}

),

spell_first_orders as (

    select
        orders.customer_id,
        orders.order_id,
        orders.order_date,
        orders.rep_id,
        orders.team_id,
        orders.net_sales,
        spells.spell_number,
        row_number() over (
            partition by orders.customer_id, spells.spell_number order by orders.order_id
        ) as order_rank
    from orders
    inner join spells
        on orders.customer_id = spells.customer_id
        and orders.order_date = spells.spell_start_date
    where orders.net_sales > 0

),

flagged as (

    select
        spell_first_orders.*,
        spell_first_orders.spell_number = 1
            and coalesce(customers.created_date < as_of.history_start_date, true)
            and spell_first_orders.order_date < cast({{ dbt.dateadd('month', var('active_window_months'), 'as_of.history_start_date') }} as date)
            as is_left_censored
    from spell_first_orders
    cross join as_of
    left join customers
        on spell_first_orders.customer_id = customers.customer_id

),

final as (

    select
        customer_id,
        order_id,
        order_date as acquisition_date,
        rep_id,
        team_id,
        net_sales as acquisition_order_net_sales,
        spell_number > 1 as is_reactivation
    from flagged
    where order_rank = 1
        and not is_left_censored
        and net_sales >= {{ var('new_customer_min_amount') }}

)

select * from final
