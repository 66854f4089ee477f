{#- Customer health card, raw measures of stability and value trend: per customer active at a
    month's end (fct_customer_period_status, months only) and that month, as of d = the month's end
    capped at the as-of date.
    - stability: relationship years (first order to d, / 365.25, as relationship_years), P(alive)
      and the order rhythm = days since the last purchase / the customer's usual interval between
      orders (churn_reference_interval_days of the CLV snapshot at d, the interval churn_risk uses);
    - value trend: net sales of the trailing year (order dates o with o <= d < o + N months,
      N = var wallet_trailing_months, as share_of_wallet) against the year before it
      (o + N months <= d < o + 2N months); clv_predicted at d against the snapshot at the end of
      the same month a year earlier; share of wallet (trailing sales / est_annual_category_spend,
      NULL without an estimate, as the indicator).
    Growth is NULL when the earlier value is not positive (no base to grow from). -#}
{%- set trailing_months = var('wallet_trailing_months') | int -%}
with customer_months as (

    select
        customer_id,
        period_start as month_start,
        period_end_as_of,
        cast({{ dbt.dateadd('day', -1, dbt.dateadd('month', -11, 'period_start')) }} as date) as year_earlier_month_end
    from {{ ref('fct_customer_period_status') }}
    where period_type = 'month' and is_active_at_end

),

snapshots as (

    select * from {{ ref('fct_customer_clv_snapshots') }}

),

customers as (

    select * from {{ ref('dim_customers') }}

),

customer_order_days as (

    select
        customer_id,
        order_date,
        cast({{ dbt.dateadd('month', trailing_months, 'order_date') }} as date) as trailing_until,
        cast({{ dbt.dateadd('month', 2 * trailing_months, 'order_date') }} as date) as previous_until,
        sum(net_sales) as net_sales
    from {{ ref('fct_order_lines') }}
    group by 1, 2, 3, 4

),

first_orders as (

    select
        customer_id,
        min(order_date) as first_order_date
    from customer_order_days
    group by 1

),

sales_windows as (

    select
        customer_months.customer_id,
        customer_months.month_start,
        sum(
            case when customer_order_days.trailing_until > customer_months.period_end_as_of
                    then customer_order_days.net_sales
            end
        ) as trailing_net_sales,
        sum(
            case when customer_order_days.trailing_until <= customer_months.period_end_as_of
                    then customer_order_days.net_sales
            end
        ) as previous_net_sales
    from customer_months
    inner join customer_order_days
        on customer_months.customer_id = customer_order_days.customer_id
        and customer_order_days.order_date <= customer_months.period_end_as_of
        and customer_order_days.previous_until > customer_months.period_end_as_of
    group by 1, 2

),

final as (

    select
        customer_months.customer_id,
        customer_months.month_start,
        customer_months.period_end_as_of,
        {{ safe_divide(dbt.datediff('first_orders.first_order_date', 'customer_months.period_end_as_of', 'day'),
            '365.25') }} as relationship_years,
        current_snapshot.p_alive,
        current_snapshot.days_since_last_purchase,
        current_snapshot.churn_reference_interval_days,
        {{ safe_divide('current_snapshot.days_since_last_purchase', 'current_snapshot.churn_reference_interval_days') }}
            as order_rhythm_ratio,
        sales_windows.trailing_net_sales,
        sales_windows.previous_net_sales,
        case when sales_windows.previous_net_sales > 0
                then sales_windows.trailing_net_sales / sales_windows.previous_net_sales - 1
        end as sales_growth,
        current_snapshot.clv_predicted,
        year_earlier_snapshot.clv_predicted as clv_predicted_year_earlier,
        case when year_earlier_snapshot.clv_predicted > 0
                then current_snapshot.clv_predicted / year_earlier_snapshot.clv_predicted - 1
        end as clv_growth,
        case when customers.est_annual_category_spend <> 0
                then {{ safe_divide('sales_windows.trailing_net_sales', 'customers.est_annual_category_spend') }}
        end as share_of_wallet
    from customer_months
    left join first_orders
        on customer_months.customer_id = first_orders.customer_id
    left join snapshots as current_snapshot
        on customer_months.customer_id = current_snapshot.customer_id
        and customer_months.period_end_as_of = current_snapshot.as_of_date
    left join snapshots as year_earlier_snapshot
        on customer_months.customer_id = year_earlier_snapshot.customer_id
        and customer_months.year_earlier_month_end = year_earlier_snapshot.as_of_date
    left join sales_windows
        on customer_months.customer_id = sales_windows.customer_id
        and customer_months.month_start = sales_windows.month_start
    left join customers
        on customer_months.customer_id = customers.customer_id

)

select * from final
