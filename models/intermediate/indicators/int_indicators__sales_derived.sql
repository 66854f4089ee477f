{#- Indicators derived from sales_amount: growth (period over period, year over year), target
    attainment, market share and its growth, customer concentration and its warning flag.
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

sales_with_comparisons as (

    select
        sales.grain,
        sales.entity_id,
        sales.period_type,
        sales.period_start,
        sales.value as sales_amount,
        previous.value as previous_sales_amount,
        last_year.value as last_year_sales_amount
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

),

{#- Every target of a reporting period gets a row: an entity with a target and no sales has
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
        market_sizes.market_size_amount / 12.0 as market_size_amount
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
        {{ safe_divide('sales.value', 'market_by_period.market_size_amount') }} as share
    from market_by_period
    inner join sales
        on market_by_period.grain = sales.grain
        and market_by_period.entity_id = sales.entity_id
        and market_by_period.period_type = sales.period_type
        and market_by_period.period_start = sales.period_start

),

market_share_growth as (

    select
        market_share.grain,
        market_share.entity_id,
        market_share.period_type,
        market_share.period_start,
        market_share.share,
        last_year.share as last_year_share
    from market_share
    inner join periods
        on market_share.period_type = periods.period_type
        and market_share.period_start = periods.period_start
    inner join market_share as last_year
        on market_share.grain = last_year.grain
        and market_share.entity_id = last_year.entity_id
        and market_share.period_type = last_year.period_type
        and last_year.period_start = periods.same_period_last_year_start

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
    {{ indicator_rows('market_share', 'market_share', 'share', 'sales_amount', 'market_size_amount') }}
    union all
    {{ indicator_rows('market_share_growth', 'market_share_growth',
        safe_divide('share - last_year_share', 'last_year_share'), 'share - last_year_share', 'last_year_share') }}
    union all
    {{ indicator_rows('concentration', 'customer_concentration',
        safe_divide('largest_customer_sales', 'net_sales'), 'largest_customer_sales', 'net_sales') }}
    union all
    {{ indicator_rows('concentration', 'concentration_warning',
        'case when ' ~ safe_divide('largest_customer_sales', 'net_sales') ~ ' > ' ~ var('concentration_warning_threshold') ~ ' then 1 else 0 end',
        where='net_sales <> 0') }}

)

select * from indicators
