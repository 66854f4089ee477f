{#- Customer relationship (long-term customer value, not CLV): share_of_wallet and relationship_years.

    State at the period end ("as of" d = dim_periods.period_end_as_of, the period's end capped at
    the as-of date) belongs to the customer's owner at d and that owner's team on d. share_of_wallet
    compares the sales of the trailing var wallet_trailing_months (12: a year, since
    est_annual_category_spend is a yearly figure) with the estimate: order dates o with
    o <= d < o + 12 months, over the customers of fct_customer_period_status active at d.
    Events are put only in the reporting periods of dim_periods. -#}
{%- set trailing_months = var('wallet_trailing_months') | int -%}
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

customers as (

    select * from {{ ref('dim_customers') }}

),

{# ---------- who is active, and owned by whom, at each period end ---------- #}

active_customers as (

    {{ active_customers_at_period_end('customer_status') }}

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

{# The trailing sales depend on the customer and d only (not on the period type): computed once
    per (customer, d). At a month's last day d the window o <= d < o + N months is exactly the N
    calendar months up to d's month (an order of the month N months earlier ends its window in
    d's month, on or before d), so it is a running sum over monthly totals. Any other d (the
    as-of date inside a running period) is summed over the order days as written. -#}
customer_dates as (

    select distinct
        customer_id,
        period_end_as_of,
        extract(day from cast({{ dbt.dateadd('day', 1, 'period_end_as_of') }} as date)) = 1 as is_month_end
    from active_customers

),

customer_months as (

    select
        customer_id,
        cast({{ dbt.date_trunc('month', 'order_date') }} as date) as order_month,
        sum(net_sales) as net_sales,
        count(*) as order_days
    from customer_order_days
    group by 1, 2

),

{# One row per month with orders, and one per (customer, month-end d) to read the running sum at. #}
month_grid as (

    select
        customer_id,
        order_month,
        net_sales,
        order_days,
        cast(null as date) as period_end_as_of
    from customer_months
    union all
    select
        customer_id,
        cast({{ dbt.date_trunc('month', 'period_end_as_of') }} as date) as order_month,
        cast(null as double) as net_sales,
        0 as order_days,
        period_end_as_of
    from customer_dates
    where is_month_end

),

month_end_trailing as (

    select
        customer_id,
        period_end_as_of,
        trailing_net_sales,
        trailing_order_days
    from (
        select
            customer_id,
            period_end_as_of,
            sum(net_sales) over (
                partition by customer_id
                order by extract(year from order_month) * 12 + extract(month from order_month)
                range between {{ trailing_months - 1 }} preceding and current row
            ) as trailing_net_sales,
            sum(order_days) over (
                partition by customer_id
                order by extract(year from order_month) * 12 + extract(month from order_month)
                range between {{ trailing_months - 1 }} preceding and current row
            ) as trailing_order_days
        from month_grid
    ) as running
    where period_end_as_of is not null
        and trailing_order_days > 0

),

trailing_sales as (

    select
        customer_id,
        period_end_as_of,
        trailing_net_sales
    from month_end_trailing
    union all
    select
        customer_dates.customer_id,
        customer_dates.period_end_as_of,
        sum(customer_order_days.net_sales) as trailing_net_sales
    from customer_dates
    inner join customer_order_days
        on customer_dates.customer_id = customer_order_days.customer_id
        and customer_order_days.order_date <= customer_dates.period_end_as_of
        and customer_order_days.trailing_until > customer_dates.period_end_as_of
    where not customer_dates.is_month_end
    group by 1, 2

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
        on active_customers.customer_id = trailing_sales.customer_id
        and active_customers.period_end_as_of = trailing_sales.period_end_as_of
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
        {{ dbt.datediff('first_orders.first_order_date', 'periods.period_end_as_of', 'day') }}
            as relationship_days
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

indicators as (

    {{ indicator_rows('wallet_rolled_up', 'share_of_wallet',
        safe_divide('share_sum', 'customers_with_share'),
        "case when grain = 'customer' then trailing_net_sales else share_sum end",
        "case when grain = 'customer' then est_annual_category_spend else customers_with_share end") }}
    union all
    {# Days are summed as integers (exact in any order) and turned into years of 365.25 days at the end. #}
    {{ indicator_rows('relationship_rolled_up', 'relationship_years',
        safe_divide('days_sum', 'customers * 365.25'), 'cast(days_sum as double) / 365.25', 'customers') }}

)

select * from indicators
