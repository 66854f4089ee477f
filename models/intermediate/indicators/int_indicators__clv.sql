{#- Customer lifetime value: clv_formula, clv_predicted, p_alive, churn_risk, clv_cac_ratio
    (with the flag clv_cac_healthy), high_value_sales_share.
    Customer values are read from fct_customer_clv_snapshots at the period's end (capped at the
    as-of date: every such date is a snapshot).
    - clv_formula, clv_predicted: the customer's value; a rep's and a team's are the SUM over
      the customers they own at the period's end (owner from fct_customer_period_status, over
      the customers active at the period's end), the company's the sum over all of them; a
      product's is the sum over those customers of CLV × the product's share of the customer's
      gross margin in the trailing 12 months (lines without a cost count at the customer's
      margin rate; a customer without positive margin splits by net sales). A customer whose
      value is NULL makes the sum NULL.
    - p_alive, churn_risk: the customer's value; the company row is the mean (the share of
      customers at risk).
    - clv_cac_ratio: mean clv_predicted at the period's end of the customers acquired in the
      period (fct_customer_acquisitions, credited to the acquisition order's rep and that rep's
      team on the order date) / cac of the period (int_indicators__customer_base);
      clv_cac_healthy = 1 when the ratio reaches var clv_cac_healthy_ratio.
    - high_value_sales_share: net sales to customers whose tier is 'high' at the period's end /
      net sales, by the order's rep and that rep's team on the order date (like sales_amount).
      NULL (unknown, not 0) when no customer has a CLV tier at the period's end. -#}
with snapshots as (

    select * from {{ ref('fct_customer_clv_snapshots') }}

),

customer_periods as (

    select * from {{ ref('fct_customer_period_status') }}

),

periods as (

    select * from {{ ref('dim_periods') }}

),

order_lines as (

    select * from {{ ref('fct_order_lines') }}

),

acquisitions as (

    select * from {{ ref('fct_customer_acquisitions') }}

),

cac as (

    select * from {{ ref('int_indicators__customer_base') }}
    where indicator_code = 'cac'

),

active_customers as (

    {{ active_customers_at_period_end('customer_periods') }}

),

owned_customers as (

    select
        active_customers.period_type,
        active_customers.period_start,
        active_customers.period_end_as_of,
        active_customers.customer_id,
        active_customers.rep_id,
        active_customers.team_id,
        snapshots.clv_formula,
        snapshots.clv_predicted,
        snapshots.p_alive,
        snapshots.churn_risk
    from active_customers
    inner join snapshots
        on active_customers.customer_id = snapshots.customer_id
        and active_customers.period_end_as_of = snapshots.as_of_date

),

owned_rollup as (

    {# A NULL customer value makes the sum unknown, not smaller. #}
    {{ rollup_by_grain_and_period(
        'owned_customers', none,
        [
            'case when count(*) = count(clv_formula) then sum(clv_formula) end as clv_formula',
            'case when count(*) = count(clv_predicted) then sum(clv_predicted) end as clv_predicted',
            'sum(p_alive) as p_alive_sum',
            'sum(churn_risk) as churn_risk_sum',
            'count(*) as customers',
        ],
        ['team', 'rep', 'customer', 'company'],
    ) }}

),

{# The product split depends on the customer and the period end d only, not on the period type:
    it is computed once per (customer, d) and summed per (d, product), then put into every
    period ending on d (the customers active at d are the same for each of them). -#}
customer_dates as (

    select distinct
        period_end_as_of,
        customer_id,
        clv_formula,
        clv_predicted
    from owned_customers

),

trailing_product_lines as (

    select
        customer_dates.period_end_as_of,
        customer_dates.customer_id,
        order_lines.product_id,
        sum(order_lines.net_sales) as net_sales,
        sum(order_lines.gross_profit) as gross_profit_with_cost,
        sum(case when order_lines.cost is not null then order_lines.net_sales end) as net_sales_with_cost
    from customer_dates
    inner join order_lines
        on customer_dates.customer_id = order_lines.customer_id
        and order_lines.order_date <= customer_dates.period_end_as_of
        and order_lines.order_date > cast({{ dbt.dateadd('month', -12, 'customer_dates.period_end_as_of') }} as date)
    group by 1, 2, 3

),

{# The customer's trailing net sales and margin rate, with its values at d. #}
customer_trailing_rates as (

    select
        trailing_customer_lines.period_end_as_of,
        trailing_customer_lines.customer_id,
        trailing_customer_lines.net_sales,
        trailing_customer_lines.margin_rate,
        customer_dates.clv_formula,
        customer_dates.clv_predicted
    from (
        select
            period_end_as_of,
            customer_id,
            sum(net_sales) as net_sales,
            {{ safe_divide('sum(gross_profit_with_cost)', 'sum(net_sales_with_cost)') }} as margin_rate
        from trailing_product_lines
        group by 1, 2
    ) as trailing_customer_lines
    inner join customer_dates
        on trailing_customer_lines.period_end_as_of = customer_dates.period_end_as_of
        and trailing_customer_lines.customer_id = customer_dates.customer_id

),

product_margins as (

    select
        trailing_product_lines.period_end_as_of,
        trailing_product_lines.customer_id,
        trailing_product_lines.product_id,
        trailing_product_lines.net_sales,
        customer_trailing_rates.net_sales as customer_net_sales,
        customer_trailing_rates.clv_formula,
        customer_trailing_rates.clv_predicted,
        {# Lines without a cost count at the customer's trailing margin rate. #}
        (
            coalesce(trailing_product_lines.gross_profit_with_cost, 0)
            + (trailing_product_lines.net_sales - coalesce(trailing_product_lines.net_sales_with_cost, 0))
            * customer_trailing_rates.margin_rate
        ) as margin
    from trailing_product_lines
    inner join customer_trailing_rates
        on trailing_product_lines.period_end_as_of = customer_trailing_rates.period_end_as_of
        and trailing_product_lines.customer_id = customer_trailing_rates.customer_id

),

{# The customer's margin over its products: a grouped sum joined back (faster than a window). #}
customer_margin_totals as (

    select
        period_end_as_of,
        customer_id,
        sum(margin) as customer_margin
    from product_margins
    group by 1, 2

),

product_shares as (

    select
        product_margins.period_end_as_of,
        product_margins.product_id,
        product_margins.clv_formula,
        product_margins.clv_predicted,
        case
            when customer_margin_totals.customer_margin > 0
                then {{ safe_divide('product_margins.margin', 'customer_margin_totals.customer_margin') }}
            else {{ safe_divide('product_margins.net_sales', 'product_margins.customer_net_sales') }}
        end as product_share
    from product_margins
    inner join customer_margin_totals
        on product_margins.period_end_as_of = customer_margin_totals.period_end_as_of
        and product_margins.customer_id = customer_margin_totals.customer_id

),

product_clv as (

    select
        period_end_as_of,
        product_id,
        clv_formula * product_share as clv_formula,
        clv_predicted * product_share as clv_predicted
    from product_shares

),

{# The product grain may be switched off (var report_grains): a rollup over no grain is no query. -#}
{%- set with_products = 'product' in var('report_grains') %}
{%- if with_products %}
product_date_rollup as (

    select
        period_end_as_of,
        product_id,
        case when count(*) = count(clv_formula) then sum(clv_formula) end as clv_formula,
        case when count(*) = count(clv_predicted) then sum(clv_predicted) end as clv_predicted
    from product_clv
    group by 1, 2

),

product_rollup as (

    select
        periods.period_type,
        periods.period_start,
        'product' as grain,
        coalesce(product_date_rollup.product_id, 'unassigned') as entity_id,
        product_date_rollup.clv_formula,
        product_date_rollup.clv_predicted
    from product_date_rollup
    inner join periods
        on product_date_rollup.period_end_as_of = periods.period_end_as_of

),
{%- endif %}

acquired_customers as (

    select
        periods.period_type,
        periods.period_start,
        acquisitions.customer_id,
        acquisitions.rep_id,
        acquisitions.team_id,
        snapshots.clv_predicted
    from acquisitions
    inner join periods
        on acquisitions.acquisition_date >= periods.period_start
        and acquisitions.acquisition_date <= periods.period_end_as_of
    left join snapshots
        on acquisitions.customer_id = snapshots.customer_id
        and periods.period_end_as_of = snapshots.as_of_date

),

acquired_rollup as (

    {{ rollup_by_grain_and_period(
        'acquired_customers', none,
        [
            'case when count(*) = count(clv_predicted) then avg(clv_predicted) end as mean_acquired_clv',
            'count(*) as acquired_customers',
        ],
        ['team', 'rep', 'company'],
    ) }}

),

clv_cac as (

    select
        acquired_rollup.grain,
        acquired_rollup.entity_id,
        acquired_rollup.period_type,
        acquired_rollup.period_start,
        acquired_rollup.mean_acquired_clv,
        cac.value as cac,
        {{ safe_divide('acquired_rollup.mean_acquired_clv', 'cac.value') }} as clv_cac_ratio
    from acquired_rollup
    left join cac
        on acquired_rollup.grain = cac.grain
        and acquired_rollup.entity_id = cac.entity_id
        and acquired_rollup.period_type = cac.period_type
        and acquired_rollup.period_start = cac.period_start

),

{# Dates at which some customer has a CLV tier: without any, high_value_sales_share is unknown
    (NULL), not 0. -#}
tiered_dates as (

    select distinct as_of_date
    from snapshots
    where clv_tier is not null

),

{# Net sales per customer, rep, team and month first (a month lies wholly in each of its
    periods), so that the month's lines meet the customer's tier once per period. -#}
monthly_lines as (

    select
        customer_id,
        rep_id,
        team_id,
        cast({{ dbt.date_trunc('month', 'order_date') }} as date) as order_month,
        sum(net_sales) as net_sales
    from order_lines
    group by 1, 2, 3, 4

),

period_lines as (

    select
        lines_in_periods.period_type,
        lines_in_periods.period_start,
        lines_in_periods.rep_id,
        lines_in_periods.team_id,
        lines_in_periods.net_sales,
        snapshots.clv_tier,
        case when tiered_dates.as_of_date is not null then 1 else 0 end as has_tiers
    from ({{ in_reporting_periods('monthly_lines', 'order_month', period_columns=['period_end_as_of']) }})
        as lines_in_periods
    left join snapshots
        on lines_in_periods.customer_id = snapshots.customer_id
        and lines_in_periods.period_end_as_of = snapshots.as_of_date
    left join tiered_dates
        on lines_in_periods.period_end_as_of = tiered_dates.as_of_date

),

high_value_rollup as (

    {{ rollup_by_grain_and_period(
        'period_lines', none,
        [
            "sum(case when clv_tier = 'high' then net_sales else 0 end) as high_value_net_sales",
            'sum(net_sales) as net_sales',
            'max(has_tiers) as has_tiers',
        ],
        ['team', 'rep', 'company'],
    ) }}

),

indicators as (

    {{ indicator_rows('owned_rollup', 'clv_formula', 'clv_formula', 'clv_formula') }}
    union all
    {%- if with_products %}
    {{ indicator_rows('product_rollup', 'clv_formula', 'clv_formula', 'clv_formula') }}
    union all
    {{ indicator_rows('product_rollup', 'clv_predicted', 'clv_predicted', 'clv_predicted') }}
    union all
    {%- endif %}
    {{ indicator_rows('owned_rollup', 'clv_predicted', 'clv_predicted', 'clv_predicted') }}
    union all
    {{ indicator_rows('owned_rollup', 'p_alive',
        safe_divide('p_alive_sum', 'customers'), 'p_alive_sum', 'customers',
        where="grain in ('customer', 'company')") }}
    union all
    {{ indicator_rows('owned_rollup', 'churn_risk',
        safe_divide('churn_risk_sum', 'customers'), 'churn_risk_sum', 'customers',
        where="grain in ('customer', 'company')") }}
    union all
    {{ indicator_rows('clv_cac', 'clv_cac_ratio', 'clv_cac_ratio', 'mean_acquired_clv', 'cac') }}
    union all
    {{ indicator_rows('clv_cac', 'clv_cac_healthy',
        'case when clv_cac_ratio >= ' ~ var('clv_cac_healthy_ratio', 3) ~ ' then 1 else 0 end',
        where='clv_cac_ratio is not null') }}
    union all
    {{ indicator_rows('high_value_rollup', 'high_value_sales_share',
        'case when has_tiers = 1 then ' ~ safe_divide('high_value_net_sales', 'net_sales') ~ ' end',
        'case when has_tiers = 1 then high_value_net_sales end', 'net_sales') }}

)

select * from indicators
