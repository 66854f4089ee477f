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
        safe_divide('days_sum', 'customers * 365.25'), 'days_sum / 365.25', 'customers') }}

)

select * from indicators
