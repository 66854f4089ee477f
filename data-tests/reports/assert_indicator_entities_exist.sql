{#- No figure for an entity that does not exist: every team, rep, customer and product figure of
    indicator_values belongs to a row of its dimension, or to 'unassigned' (the events without an
    entity at that grain). An orphan reference (an opportunity's unknown product) keeps its event
    in the other grains' figures only (README "Orphan references"). -#}
with known_entities as (

    select 'team' as grain, team_id as entity_id from {{ ref('dim_teams') }}
    union all
    select 'rep' as grain, rep_id as entity_id from {{ ref('dim_sales_reps') }}
    union all
    select 'customer' as grain, customer_id as entity_id from {{ ref('dim_customers') }}
    union all
    select 'product' as grain, product_id as entity_id from {{ ref('dim_products') }}

)

select distinct values_.indicator_code, values_.grain, values_.entity_id
from {{ ref('indicator_values') }} as values_
left join known_entities
    on values_.grain = known_entities.grain
    and values_.entity_id = known_entities.entity_id
where values_.grain <> 'company'
    and values_.entity_id <> 'unassigned'
    and known_entities.entity_id is null
