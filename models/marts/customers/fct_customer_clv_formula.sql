{#- The article's CLV formula per customer and snapshot date, with every input kept:

        clv_formula = annual_purchase × expected_relationship_years × gross_margin_rate
                      − yearly_maintenance_cost × expected_relationship_years

    For every customer with a net-positive order on or before the snapshot date, from the
    history up to that date only:
    - annual_purchase: net sales to date / active years, where the active years are the
      relationship years (12-month periods counted from the first net-positive order) with at
      least one net-positive order;
    - expected_relationship_years: mean tenure of the segment's lapsed customers at that date
      (tenure = first order to the day the customer lapsed, i.e. its last spell's end), or var
      clv_default_relationship_years while the segment has fewer than var
      clv_min_lapsed_customers lapsed customers;
    - gross_margin_rate: the customer's gross profit / net sales over lines with a unit cost,
      else (no costed line) its segment's rate at that date;
    - yearly_maintenance_cost: service + maintenance costs to date (fct_customer_costs, base
      currency) / active years; an amount without an fx rate makes it NULL, never 0. -#}
with snapshot_dates as (

    select * from {{ ref('dim_clv_snapshot_dates') }}

),

order_lines as (

    select * from {{ ref('fct_order_lines') }}

),

spells as (

    select * from {{ ref('fct_customer_activity_spells') }}

),

customers as (

    select * from {{ ref('dim_customers') }}

),

customer_costs as (

    select * from {{ ref('fct_customer_costs') }}
    where cost_type in ('service', 'maintenance')

),

orders as (

    select
        customer_id,
        order_id,
        order_date,
        sum(net_sales) as net_sales,
        sum(gross_profit) as gross_profit_with_cost,
        sum(case when cost is not null then net_sales end) as net_sales_with_cost
    from order_lines
    group by 1, 2, 3

),

first_orders as (

    select
        customer_id,
        min(order_date) as first_order_date
    from orders
    where net_sales > 0
    group by 1

),

orders_with_year as (

    select
        orders.*,
        first_orders.first_order_date,
        case
            when orders.net_sales > 0
                then floor(
                        {{ dbt.datediff('first_orders.first_order_date', 'orders.order_date', 'day') }}
                        / cast(365.25 as double)
                    )
        end as relationship_year
    from orders
    inner join first_orders
        on orders.customer_id = first_orders.customer_id

),

known_customers as (

    select customer_id from first_orders
    union
    select customer_id from spells

),

segments as (

    {# Orders of a soft-deleted account still count: its segment is then 'unknown'. #}
    select
        known_customers.customer_id,
        coalesce(customers.segment, 'unknown') as segment
    from known_customers
    left join customers
        on known_customers.customer_id = customers.customer_id

),

history_to_date as (

    select
        snapshot_dates.snapshot_date,
        orders_with_year.customer_id,
        min(orders_with_year.first_order_date) as first_order_date,
        sum(orders_with_year.net_sales) as net_sales_to_date,
        sum(orders_with_year.gross_profit_with_cost) as gross_profit_with_cost,
        sum(orders_with_year.net_sales_with_cost) as net_sales_with_cost,
        count(distinct orders_with_year.relationship_year) as active_years
    from snapshot_dates
    inner join orders_with_year
        on snapshot_dates.snapshot_date >= orders_with_year.order_date
        and snapshot_dates.snapshot_date >= orders_with_year.first_order_date
    group by 1, 2

),

segment_margin as (

    select
        history_to_date.snapshot_date,
        segments.segment,
        {{ safe_divide('sum(history_to_date.gross_profit_with_cost)', 'sum(history_to_date.net_sales_with_cost)') }}
            as segment_margin_rate
    from history_to_date
    inner join segments
        on history_to_date.customer_id = segments.customer_id
    group by 1, 2

),

lapsed_customers as (

    {# Lapsed at the snapshot date: every spell that started by then has ended by then. #}
    select
        snapshot_dates.snapshot_date,
        spells.customer_id,
        min(spells.spell_start_date) as first_order_date,
        max(spells.spell_end_date) as lapse_date
    from snapshot_dates
    inner join spells
        on snapshot_dates.snapshot_date >= spells.spell_start_date
    group by 1, 2
    having max(spells.spell_end_date) <= snapshot_dates.snapshot_date

),

segment_tenure as (

    select
        lapsed_customers.snapshot_date,
        segments.segment,
        count(*) as lapsed_customers,
        avg(
            {{ dbt.datediff('lapsed_customers.first_order_date', 'lapsed_customers.lapse_date', 'day') }}
            / cast(365.25 as double)
        ) as mean_lapsed_tenure_years
    from lapsed_customers
    inner join segments
        on lapsed_customers.customer_id = segments.customer_id
    group by 1, 2

),

costs_to_date as (

    select
        snapshot_dates.snapshot_date,
        customer_costs.customer_id,
        {# An amount without an fx rate makes the total unknown, not smaller. #}
        case when count(*) = count(customer_costs.amount) then sum(customer_costs.amount) end
            as maintenance_costs_to_date
    from snapshot_dates
    inner join customer_costs
        on snapshot_dates.snapshot_date >= customer_costs.cost_date
    group by 1, 2

),

inputs as (

    select
        history_to_date.snapshot_date,
        history_to_date.customer_id,
        segments.segment,
        history_to_date.first_order_date,
        history_to_date.net_sales_to_date,
        history_to_date.active_years,
        {{ safe_divide('history_to_date.net_sales_to_date', 'history_to_date.active_years') }} as annual_purchase,
        coalesce(segment_tenure.lapsed_customers, 0) as segment_lapsed_customers,
        case
            when coalesce(segment_tenure.lapsed_customers, 0) >= {{ var('clv_min_lapsed_customers', 10) }}
                then segment_tenure.mean_lapsed_tenure_years
            else {{ var('clv_default_relationship_years', 3) }}
        end as expected_relationship_years,
        case
            when coalesce(segment_tenure.lapsed_customers, 0) >= {{ var('clv_min_lapsed_customers', 10) }}
                then 'segment_lapsed_tenure'
            else 'default_var'
        end as expected_years_source,
        coalesce(
            {{ safe_divide('history_to_date.gross_profit_with_cost', 'history_to_date.net_sales_with_cost') }},
            segment_margin.segment_margin_rate
        ) as gross_margin_rate,
        case
            when history_to_date.net_sales_with_cost <> 0 then 'customer'
            when segment_margin.segment_margin_rate is not null then 'segment'
        end as margin_rate_source,
        coalesce(costs_to_date.maintenance_costs_to_date, case when costs_to_date.customer_id is null then 0 end)
            as maintenance_costs_to_date
    from history_to_date
    inner join segments
        on history_to_date.customer_id = segments.customer_id
    left join segment_tenure
        on history_to_date.snapshot_date = segment_tenure.snapshot_date
        and segments.segment = segment_tenure.segment
    left join segment_margin
        on history_to_date.snapshot_date = segment_margin.snapshot_date
        and segments.segment = segment_margin.segment
    left join costs_to_date
        on history_to_date.snapshot_date = costs_to_date.snapshot_date
        and history_to_date.customer_id = costs_to_date.customer_id

),

final as (

    select
        snapshot_date as as_of_date,
        customer_id,
        segment,
        first_order_date,
        net_sales_to_date,
        active_years,
        annual_purchase,
        segment_lapsed_customers,
        expected_relationship_years,
        expected_years_source,
        gross_margin_rate,
        margin_rate_source,
        maintenance_costs_to_date,
        {{ safe_divide('maintenance_costs_to_date', 'active_years') }} as yearly_maintenance_cost,
        {{ safe_divide('maintenance_costs_to_date', 'active_years') }}
        * expected_relationship_years as maintenance_cost,
        annual_purchase * expected_relationship_years * gross_margin_rate
        - {{ safe_divide('maintenance_costs_to_date', 'active_years') }} * expected_relationship_years as clv_formula
    from inputs

)

select * from final
