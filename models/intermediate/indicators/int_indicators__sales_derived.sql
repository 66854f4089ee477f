{#- Indicators derived from sales_amount: growth (period over period, year over year), target
    attainment, market share and its growth, customer concentration and its warning flag.
    Running periods (the latest month, quarter, year or fiscal year, not complete at the as-of
    date): growth compares the period to date with the same span of the comparison period, from
    its start up to the same day (as-of date - the period's length, or - 12 months year over
    year), never with the whole comparison period. Where that day does not exist in the
    comparison month (a quarter running to 31 May against Q1: "31 February"), the span ends on
    that month's last day (28/29 February). Closed periods compare whole with whole.
    Market share: team by its region's market (all categories), product by its category's
    (all regions), company by the whole market. Market sizes are yearly: a period's market size is the sum of its months' twelfths, up to
    the as-of month (so a running year is compared with the part of the market it covers). -#}
with sales as (

    select * from {{ ref('int_indicators__sales') }}
    where indicator_code = 'sales_amount'

),

periods as (

    select * from {{ ref('dim_periods') }}

),

targets as (

    select * from {{ ref('int_indicator_targets') }}
    where indicator_code = 'sales_amount'

),

order_lines as (

    select * from {{ ref('fct_order_lines') }}

),

market_sizes as (

    select * from {{ ref('stg_plan__market_sizes') }}

),

teams as (

    select * from {{ ref('dim_teams') }}

),

products as (

    select * from {{ ref('dim_products') }}

),

{# The comparison spans of the running periods: previous period and same period last year,
    each from its start up to the same day. -#}
comparison_spans as (

    select
        period_type,
        period_start,
        'previous' as comparison,
        previous_period_start as span_start,
        cast(
            {{ dbt.dateadd('month', '-1 * (' ~ period_months('period_type') ~ ')', 'period_end_as_of') }} as date
        ) as span_end
    from periods
    where not is_complete
    union all
    select
        period_type,
        period_start,
        'last_year' as comparison,
        same_period_last_year_start as span_start,
        cast({{ dbt.dateadd('month', -12, 'period_end_as_of') }} as date) as span_end
    from periods
    where not is_complete

),

span_lines as (

    select
        comparison_spans.period_type,
        comparison_spans.period_start,
        comparison_spans.comparison,
        order_lines.team_id,
        order_lines.rep_id,
        order_lines.customer_id,
        order_lines.product_id,
        order_lines.net_sales
    from comparison_spans
    inner join order_lines
        on order_lines.order_date >= comparison_spans.span_start
        and order_lines.order_date <= comparison_spans.span_end

),

span_sales as (

    {{ rollup_by_grain_and_period(
        'span_lines', none,
        ['sum(net_sales) as net_sales'],
        ['team', 'rep', 'customer', 'product', 'company'],
        breakdown_keys=['comparison'],
    ) }}

),

sales_with_comparisons as (

    select
        sales.grain,
        sales.entity_id,
        sales.period_type,
        sales.period_start,
        sales.value as sales_amount,
        case when periods.is_complete then previous.value else previous_span.net_sales end as previous_sales_amount,
        case when periods.is_complete then last_year.value else last_year_span.net_sales end as last_year_sales_amount
    from sales
    inner join periods
        on sales.period_type = periods.period_type
        and sales.period_start = periods.period_start
    left join sales as previous
        on sales.grain = previous.grain
        and sales.entity_id = previous.entity_id
        and sales.period_type = previous.period_type
        and previous.period_start = periods.previous_period_start
    left join sales as last_year
        on sales.grain = last_year.grain
        and sales.entity_id = last_year.entity_id
        and sales.period_type = last_year.period_type
        and last_year.period_start = periods.same_period_last_year_start
    left join span_sales as previous_span
        on sales.grain = previous_span.grain
        and sales.entity_id = previous_span.entity_id
        and sales.period_type = previous_span.period_type
        and sales.period_start = previous_span.period_start
        and previous_span.comparison = 'previous'
    left join span_sales as last_year_span
        on sales.grain = last_year_span.grain
        and sales.entity_id = last_year_span.entity_id
        and sales.period_type = last_year_span.period_type
        and sales.period_start = last_year_span.period_start
        and last_year_span.comparison = 'last_year'

),

{# Every target of a reporting period gets a row: an entity with a target and no sales has
    attained 0 (not "no figure"). -#}
attainment as (

    select
        targets.grain,
        targets.entity_id,
        targets.period_type,
        targets.period_start,
        coalesce(sales.value, 0) as sales_amount,
        targets.target_value as target_sales_amount
    from targets
    inner join periods
        on targets.period_type = periods.period_type
        and targets.period_start = periods.period_start
    left join sales
        on targets.grain = sales.grain
        and targets.entity_id = sales.entity_id
        and targets.period_type = sales.period_type
        and targets.period_start = sales.period_start

),

monthly_market as (

    select
        periods.period_start as month_start,
        market_sizes.region_code,
        market_sizes.category,
        cast(market_sizes.market_size_amount as double) / 12 as market_size_amount
    from periods
    inner join market_sizes
        on periods.period_type = 'month'
        and extract(year from periods.period_start) = market_sizes.market_year

),

market_by_entity_month as (

    select
        'team' as grain,
        teams.team_id as entity_id,
        monthly_market.month_start,
        sum(monthly_market.market_size_amount) as market_size_amount
    from monthly_market
    inner join teams
        on monthly_market.region_code = teams.region_code
    group by 1, 2, 3
    union all
    select
        'product' as grain,
        products.product_id as entity_id,
        monthly_market.month_start,
        sum(monthly_market.market_size_amount) as market_size_amount
    from monthly_market
    inner join products
        on monthly_market.category = products.category
    group by 1, 2, 3
    union all
    select
        'company' as grain,
        'company' as entity_id,
        monthly_market.month_start,
        sum(monthly_market.market_size_amount) as market_size_amount
    from monthly_market
    group by 1, 2, 3

),

market_by_period as (

    select
        market_by_entity_month.grain,
        market_by_entity_month.entity_id,
        period_types.period_type,
        {{ period_start('period_types.period_type', 'market_by_entity_month.month_start') }} as period_start,
        sum(market_by_entity_month.market_size_amount) as market_size_amount
    from market_by_entity_month
    cross join {{ period_types() }} as period_types
    group by 1, 2, 3, 4

),

market_share as (

    select
        market_by_period.grain,
        market_by_period.entity_id,
        market_by_period.period_type,
        market_by_period.period_start,
        sales.value as sales_amount,
        market_by_period.market_size_amount,
        {{ safe_divide('sales.value', 'market_by_period.market_size_amount') }} as share_of_market
    from market_by_period
    inner join sales
        on market_by_period.grain = sales.grain
        and market_by_period.entity_id = sales.entity_id
        and market_by_period.period_type = sales.period_type
        and market_by_period.period_start = sales.period_start

),

{# A running period's share is compared with last year's share over the same span: its sales up
    to the same day over the market of its months up to that day's month. -#}
last_year_span_market as (

    select
        comparison_spans.period_type,
        comparison_spans.period_start,
        market_by_entity_month.grain,
        market_by_entity_month.entity_id,
        sum(market_by_entity_month.market_size_amount) as market_size_amount
    from comparison_spans
    inner join market_by_entity_month
        on market_by_entity_month.month_start >= comparison_spans.span_start
        and market_by_entity_month.month_start <= comparison_spans.span_end
    where comparison_spans.comparison = 'last_year'
    group by 1, 2, 3, 4

),

market_share_growth as (

    select
        market_share.grain,
        market_share.entity_id,
        market_share.period_type,
        market_share.period_start,
        market_share.share_of_market,
        case
            when periods.is_complete then last_year.share_of_market
            else {{ safe_divide('last_year_span.net_sales', 'last_year_span_market.market_size_amount') }}
        end as last_year_share
    from market_share
    inner join periods
        on market_share.period_type = periods.period_type
        and market_share.period_start = periods.period_start
    inner join market_share as last_year
        on market_share.grain = last_year.grain
        and market_share.entity_id = last_year.entity_id
        and market_share.period_type = last_year.period_type
        and last_year.period_start = periods.same_period_last_year_start
    left join span_sales as last_year_span
        on market_share.grain = last_year_span.grain
        and market_share.entity_id = last_year_span.entity_id
        and market_share.period_type = last_year_span.period_type
        and market_share.period_start = last_year_span.period_start
        and last_year_span.comparison = 'last_year'
    left join last_year_span_market
        on market_share.grain = last_year_span_market.grain
        and market_share.entity_id = last_year_span_market.entity_id
        and market_share.period_type = last_year_span_market.period_type
        and market_share.period_start = last_year_span_market.period_start

),

customer_sales as (

    {{ rollup_by_grain_and_period(
        'order_lines', 'order_date',
        ['sum(net_sales) as net_sales'],
        ['team', 'rep', 'company'],
        breakdown_keys=['customer_id'],
    ) }}

),

concentration as (

    select
        grain,
        entity_id,
        period_type,
        period_start,
        max(net_sales) as largest_customer_sales,
        sum(net_sales) as net_sales
    from customer_sales
    group by 1, 2, 3, 4

),

indicators as (

    {{ indicator_rows('sales_with_comparisons', 'sales_growth_pop',
        safe_divide('sales_amount - previous_sales_amount', 'previous_sales_amount'),
        'sales_amount - previous_sales_amount', 'previous_sales_amount',
        where='previous_sales_amount is not null') }}
    union all
    {{ indicator_rows('sales_with_comparisons', 'sales_growth_yoy',
        safe_divide('sales_amount - last_year_sales_amount', 'last_year_sales_amount'),
        'sales_amount - last_year_sales_amount', 'last_year_sales_amount',
        where='last_year_sales_amount is not null') }}
    union all
    {{ indicator_rows('attainment', 'sales_target_attainment',
        safe_divide('sales_amount', 'target_sales_amount'), 'sales_amount', 'target_sales_amount') }}
    union all
    {{ indicator_rows('market_share', 'market_share', 'share_of_market', 'sales_amount', 'market_size_amount') }}
    union all
    {{ indicator_rows('market_share_growth', 'market_share_growth',
        safe_divide('share_of_market - last_year_share', 'last_year_share'),
        'share_of_market - last_year_share', 'last_year_share') }}
    union all
    {{ indicator_rows('concentration', 'customer_concentration',
        safe_divide('largest_customer_sales', 'net_sales'), 'largest_customer_sales', 'net_sales') }}
    union all
    {{ indicator_rows('concentration', 'concentration_warning',
        'case when ' ~ safe_divide('largest_customer_sales', 'net_sales') ~ ' > ' ~ var('concentration_warning_threshold') ~ ' then 1 else 0 end',
        where='net_sales <> 0') }}

)

select * from indicators
