{#- One row per customer cost entry (acquisition, service, maintenance) up to the as-of date,
    in the base currency at the fx rate of the cost date. rep_id is the rep the entry names and
    stays NULL when it names none; team_id is that rep's team on the cost date. A cost without
    a rep is attributed to the customer's owner on the cost date: attributed_rep_id is the
    entry's rep, else that owner, and attributed_team_id the attributed rep's team on the cost
    date. -#}
with costs as (

    select * from {{ ref('stg_erp__customer_costs') }}

),

as_of as (

    select * from {{ ref('base_erp__as_of_date') }}

),

counted_costs as (

    select costs.*
    from costs
    cross join as_of
    where costs.cost_date <= as_of.as_of_date

),

with_owner as (

    select
        counted_costs.*,
        owner_on_cost_date.owner_rep_id as customer_owner_rep_id,
        coalesce(counted_costs.rep_id, owner_on_cost_date.owner_rep_id) as attributed_rep_id
    from counted_costs
    {{ join_owner_on_date('owner_on_cost_date', 'counted_costs.customer_id', 'counted_costs.cost_date') }}

),

final as (

    select
        with_owner.cost_id,
        with_owner.customer_id,
        with_owner.cost_date,
        with_owner.cost_type,
        with_owner.rep_id,
        team_on_cost_date.team_id,
        with_owner.customer_owner_rep_id,
        with_owner.attributed_rep_id,
        attributed_team_on_cost_date.team_id as attributed_team_id,
        with_owner.currency,
        with_owner.amount as amount_local,
        fx.rate_to_base as fx_rate,
        cast(with_owner.amount * fx.rate_to_base as double) as amount
    from with_owner
    {{ join_team_on_date('team_on_cost_date', 'with_owner.rep_id', 'with_owner.cost_date') }}
    {{ join_team_on_date('attributed_team_on_cost_date', 'with_owner.attributed_rep_id', 'with_owner.cost_date') }}
    {{ join_fx_on_date('fx', 'with_owner.currency', 'with_owner.cost_date') }}

)

select * from final
