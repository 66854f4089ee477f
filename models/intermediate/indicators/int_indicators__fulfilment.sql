{#- Fulfilment: contract_fulfillment_rate, fulfillment_delay_days, installation_timeliness_rate.
    Deliveries follow their order (fct_deliveries: the order's customer, rep and the rep's team
    on the order date) and fall in the periods of their promised_date; installations in those of
    their install_promised_date. A delivery whose outcome is not known yet (not due at the
    as-of date, or delivered on time with an empty delivered_in_full) is left out of the rate.
    Product grain: a delivery covers its whole order, so it counts once for each distinct
    product on the order (a delivery of a 3-product order counts once per product). -#}
{%- set with_product = 'product' in var('report_grains') %}
with deliveries as (

    select * from {{ ref('fct_deliveries') }}

),

periods as (

    select * from {{ ref('dim_periods') }}

),

order_lines as (

    select * from {{ ref('fct_order_lines') }}

),

order_products as (

    select distinct
        order_id,
        product_id
    from order_lines

),

{# Each delivery in each period (month, quarter, year, fiscal year) of its promised date, with
    its days late as seen at that period's end: delivered late, delivered - promised (whenever
    delivered, up to the as-of date); undelivered and past due, period end (capped at the
    as-of date) - promised. -#}
deliveries_by_promise_period as (

    select
        periods.period_type,
        periods.period_start,
        deliveries.delivery_id,
        deliveries.order_id,
        deliveries.team_id,
        deliveries.rep_id,
        deliveries.customer_id,
        deliveries.is_on_time_in_full,
        case
            when deliveries.delivered_date is not null then deliveries.days_late
            when deliveries.promised_date < periods.period_end_as_of
                then {{ dbt.datediff('deliveries.promised_date', 'periods.period_end_as_of', 'day') }}
            else 0
        end as days_late_in_period
    from deliveries
    inner join periods
        on deliveries.promised_date >= periods.period_start
        and deliveries.promised_date <= periods.period_end

),

delivery_products_by_promise_period as (

    select
        deliveries_by_promise_period.*,
        order_products.product_id
    from deliveries_by_promise_period
    inner join order_products
        on deliveries_by_promise_period.order_id = order_products.order_id

),

installations_by_promise_period as (

    select
        periods.period_type,
        periods.period_start,
        deliveries.delivery_id,
        deliveries.team_id,
        deliveries.rep_id,
        deliveries.customer_id,
        deliveries.is_installation_on_time
    from deliveries
    inner join periods
        on deliveries.install_promised_date >= periods.period_start
        and deliveries.install_promised_date <= periods.period_end
    where deliveries.requires_installation

),

{% set delivery_measures = [
    'count(is_on_time_in_full) as deliveries_judged',
    'sum(case when is_on_time_in_full then 1 else 0 end) as deliveries_on_time_in_full',
    'count(case when days_late_in_period > 0 then 1 end) as late_deliveries',
    'sum(case when days_late_in_period > 0 then days_late_in_period else 0 end) as late_days',
] %}

deliveries_rolled_up as (

    {{ rollup_by_grain_and_period(
        'deliveries_by_promise_period', none, delivery_measures,
        ['team', 'rep', 'customer', 'company'],
    ) }}

),

{% if with_product %}

delivery_products_rolled_up as (

    {{ rollup_by_grain_and_period(
        'delivery_products_by_promise_period', none, delivery_measures, ['product'],
    ) }}

),
{%- endif %}

installations_rolled_up as (

    {{ rollup_by_grain_and_period(
        'installations_by_promise_period', none,
        [
            'count(is_installation_on_time) as installations_judged',
            'sum(case when is_installation_on_time then 1 else 0 end) as installations_on_time',
        ],
        ['team', 'rep', 'customer', 'company'],
    ) }}

),

indicators as (

    {{ indicator_rows('deliveries_rolled_up', 'contract_fulfillment_rate',
        safe_divide('deliveries_on_time_in_full', 'deliveries_judged'),
        'deliveries_on_time_in_full', 'deliveries_judged') }}
    {%- if with_product %}
    union all
    {{ indicator_rows('delivery_products_rolled_up', 'contract_fulfillment_rate',
        safe_divide('deliveries_on_time_in_full', 'deliveries_judged'),
        'deliveries_on_time_in_full', 'deliveries_judged') }}
    {%- endif %}
    union all
    {# Mean over late deliveries only: NULL (not 0) for an entity with no late delivery. #}
    {{ indicator_rows('deliveries_rolled_up', 'fulfillment_delay_days',
        safe_divide('late_days', 'late_deliveries'), 'late_days', 'late_deliveries') }}
    union all
    {{ indicator_rows('installations_rolled_up', 'installation_timeliness_rate',
        safe_divide('installations_on_time', 'installations_judged'),
        'installations_on_time', 'installations_judged') }}

)

select * from indicators
