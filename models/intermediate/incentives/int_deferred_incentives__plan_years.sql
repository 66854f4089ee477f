{#- Deferred incentives, the facts of each plan year: one row per effective new customer
    (fct_customer_acquisitions: the rep of the order that made the customer active, that rep's team
    on the order date) and plan year of the seed incentive_deferral_rules. Plan year k runs from
    the acquisition date + (k - 1) years to the day before the acquisition date + k years; it is
    complete when its last day is on or before the as-of date. Its figures cover its days up to
    the as-of date: the customer's net sales and gross margin (every order of the customer,
    whichever rep sold it) and service + maintenance costs (fct_customer_costs).
    Retained at the plan year's end: the activity spell that began with the acquisition still
    covers that day (a customer who lapsed and came back is not retained: the return is a new
    acquisition with its own plan). NULL while the year is not complete. -#}
{%- set next_start = dbt.dateadd('year', 'rules.plan_year', 'acquisitions.acquisition_date') -%}
with acquisitions as (

    select * from {{ ref('fct_customer_acquisitions') }}

),

rules as (

    select * from {{ ref('incentive_deferral_rules') }}

),

as_of as (

    select as_of_date from {{ ref('base_erp__as_of_date') }}

),

spells as (

    select * from {{ ref('fct_customer_activity_spells') }}

),

plan_years as (

    select
        acquisitions.customer_id,
        acquisitions.acquisition_date,
        acquisitions.rep_id,
        acquisitions.team_id,
        rules.plan_year,
        cast({{ dbt.dateadd('year', 'rules.plan_year - 1', 'acquisitions.acquisition_date') }} as date)
            as plan_year_start,
        cast({{ dbt.dateadd('day', -1, next_start) }} as date) as plan_year_end,
        as_of.as_of_date
    from acquisitions
    cross join rules
    cross join as_of

),

sales as (

    select
        plan_years.customer_id,
        plan_years.acquisition_date,
        plan_years.plan_year,
        sum(order_lines.net_sales) as net_sales,
        sum(order_lines.gross_profit) as gross_margin
    from plan_years
    inner join {{ ref('fct_order_lines') }} as order_lines
        on plan_years.customer_id = order_lines.customer_id
        and order_lines.order_date >= plan_years.plan_year_start
        and order_lines.order_date <= plan_years.plan_year_end
        and order_lines.order_date <= plan_years.as_of_date
    group by 1, 2, 3

),

service_costs as (

    select
        plan_years.customer_id,
        plan_years.acquisition_date,
        plan_years.plan_year,
        sum(customer_costs.amount) as service_cost
    from plan_years
    inner join {{ ref('fct_customer_costs') }} as customer_costs
        on plan_years.customer_id = customer_costs.customer_id
        and customer_costs.cost_date >= plan_years.plan_year_start
        and customer_costs.cost_date <= plan_years.plan_year_end
        and customer_costs.cost_date <= plan_years.as_of_date
    where customer_costs.cost_type in ('service', 'maintenance')
    group by 1, 2, 3

),

final as (

    select
        plan_years.customer_id,
        plan_years.acquisition_date,
        plan_years.rep_id,
        plan_years.team_id,
        plan_years.plan_year,
        plan_years.plan_year_start,
        plan_years.plan_year_end,
        plan_years.plan_year_end <= plan_years.as_of_date as is_complete,
        plan_years.plan_year_start <= plan_years.as_of_date as is_started,
        coalesce(sales.net_sales, 0.0) as net_sales,
        coalesce(sales.gross_margin, 0.0) as gross_margin,
        coalesce(service_costs.service_cost, 0.0) as service_cost,
        case
            when plan_years.plan_year_end > plan_years.as_of_date then null
            when acquisition_spell.spell_end_date > plan_years.plan_year_end then true
            else false
        end as is_retained
    from plan_years
    left join sales
        on plan_years.customer_id = sales.customer_id
        and plan_years.acquisition_date = sales.acquisition_date
        and plan_years.plan_year = sales.plan_year
    left join service_costs
        on plan_years.customer_id = service_costs.customer_id
        and plan_years.acquisition_date = service_costs.acquisition_date
        and plan_years.plan_year = service_costs.plan_year
    left join spells as acquisition_spell
        on plan_years.customer_id = acquisition_spell.customer_id
        and plan_years.acquisition_date = acquisition_spell.spell_start_date

)

select * from final
