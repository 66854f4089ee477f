{#- Customer base: new_customers, customer_retention_rate and cac.
    new_customers: effective new customers (fct_customer_acquisitions; a lapsed customer who
    returns counts again), credited to the acquisition order's rep and that rep's team on the
    order date. An entity with a new-customer target in a reporting period and no new customer
    has 0 (so its attainment is 0, not missing).
    customer_retention_rate: over the customers each owner rep holds at the period's end (and
    that rep's team on that date): (active at end - acquired in the period) / active at start
    (the day before the period starts); the three counts over that same set of customers.
    cac: acquisition costs dated in the period (attributed to the cost's rep, else the
    customer's owner on the cost date, and that rep's team on the cost date) / new_customers.
    Where the company recorded acquisition costs in a period, an entity with new customers and
    no cost of its own has costs 0; in a period without any acquisition cost (or without the
    costs file) cac is NULL. A period with costs and no new customers has a NULL cac. Only the
    reporting periods (dim_periods: the order history) have a cac: acquisition costs booked
    before the first order of the extract have no new customers to be compared with. -#}
with acquisitions as (

    select * from {{ ref('fct_customer_acquisitions') }}

),

customer_periods as (

    select * from {{ ref('fct_customer_period_status') }}

),

customer_costs as (

    select * from {{ ref('fct_customer_costs') }}

),

periods as (

    select * from {{ ref('dim_periods') }}

),

owned_customers as (

    select
        period_type,
        period_start,
        owner_team_id as team_id,
        owner_rep_id as rep_id,
        customer_id,
        is_active_at_end,
        is_active_at_start,
        is_acquired_in_period
    from customer_periods

),

acquisition_costs as (

    select
        cost_id,
        cost_date,
        attributed_team_id as team_id,
        attributed_rep_id as rep_id,
        amount
    from customer_costs
    where cost_type = 'acquisition'

),

new_customers as (

    {{ rollup_by_grain_and_period(
        'acquisitions', 'acquisition_date',
        ['count(*) as new_customers'],
        ['team', 'rep', 'company'],
    ) }}

),

new_customer_targets as (

    select
        targets.period_type,
        targets.period_start,
        targets.grain,
        targets.entity_id
    from {{ ref('int_indicator_targets') }} as targets
    inner join periods
        on targets.period_type = periods.period_type
        and targets.period_start = periods.period_start
    where targets.indicator_code = 'new_customers'
        and targets.grain in (
            {{ "'" ~ (['team', 'rep', 'company'] | select('in', var('report_grains')) | join("', '")) ~ "'" }}
        )

),

new_customers_or_target as (

    select
        period_type,
        period_start,
        grain,
        entity_id,
        new_customers
    from new_customers
    union all
    select
        new_customer_targets.period_type,
        new_customer_targets.period_start,
        new_customer_targets.grain,
        new_customer_targets.entity_id,
        0 as new_customers
    from new_customer_targets
    left join new_customers
        on new_customer_targets.period_type = new_customers.period_type
        and new_customer_targets.period_start = new_customers.period_start
        and new_customer_targets.grain = new_customers.grain
        and new_customer_targets.entity_id = new_customers.entity_id
    where new_customers.entity_id is null

),

retention as (

    {{ rollup_by_grain_and_period(
        'owned_customers', none,
        [
            'sum(case when is_active_at_end then 1 else 0 end) as active_at_end',
            'sum(case when is_active_at_start then 1 else 0 end) as active_at_start',
            'sum(case when is_acquired_in_period then 1 else 0 end) as acquired_in_period',
        ],
        ['team', 'rep', 'company'],
    ) }}

),

costs as (

    {# An unknown amount (no fx rate) makes the sum unknown, not smaller. #}
    {{ rollup_by_grain_and_period(
        'acquisition_costs', 'cost_date',
        ['case when count(*) = count(amount) then sum(amount) end as acquisition_costs'],
        ['team', 'rep', 'company'],
    ) }}

),

company_costs as (

    select
        period_type,
        period_start
    from costs
    where grain = 'company'

),

cac_keys as (

    select
        grain,
        entity_id,
        period_type,
        period_start
    from costs
    union
    select
        grain,
        entity_id,
        period_type,
        period_start
    from new_customers

),

cac as (

    select
        cac_keys.grain,
        cac_keys.entity_id,
        cac_keys.period_type,
        cac_keys.period_start,
        case
            when costs.grain is not null then costs.acquisition_costs
            when company_costs.period_start is not null then 0
        end as acquisition_costs,
        new_customers.new_customers
    from cac_keys
    inner join periods
        on cac_keys.period_type = periods.period_type
        and cac_keys.period_start = periods.period_start
    left join costs
        on cac_keys.grain = costs.grain
        and cac_keys.entity_id = costs.entity_id
        and cac_keys.period_type = costs.period_type
        and cac_keys.period_start = costs.period_start
    left join new_customers
        on cac_keys.grain = new_customers.grain
        and cac_keys.entity_id = new_customers.entity_id
        and cac_keys.period_type = new_customers.period_type
        and cac_keys.period_start = new_customers.period_start
    left join company_costs
        on cac_keys.period_type = company_costs.period_type
        and cac_keys.period_start = company_costs.period_start

),

indicators as (

    {{ indicator_rows('new_customers_or_target', 'new_customers', 'new_customers', 'new_customers') }}
    union all
    {{ indicator_rows('retention', 'customer_retention_rate',
        safe_divide('active_at_end - acquired_in_period', 'active_at_start'),
        'active_at_end - acquired_in_period', 'active_at_start') }}
    union all
    {{ indicator_rows('cac', 'cac',
        safe_divide('acquisition_costs', 'new_customers'), 'acquisition_costs', 'new_customers') }}

)

select * from indicators
