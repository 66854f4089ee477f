{#- fct_sales_targets (the semantic layer's sales_target) adds up to the targets of
    sales_target_attainment: summed by team, by rep and in all, month by month, it equals
    int_indicator_targets. A row here is a (grain, entity, month) where they differ. -#}
with fact as (

    select * from {{ ref('fct_sales_targets') }}

),

targets as (

    select * from {{ ref('int_indicator_targets') }}
    where indicator_code = 'sales_amount' and period_type = 'month'

),

summed as (

    select
        'team' as grain,
        team_id as entity_id,
        target_month,
        sum(target_sales_amount) as target_value
    from fact
    where team_id is not null
    group by 1, 2, 3
    union all
    select
        'rep' as grain,
        rep_id as entity_id,
        target_month,
        sum(target_sales_amount) as target_value
    from fact
    where rep_id is not null
    group by 1, 2, 3
    union all
    select
        'company' as grain,
        'company' as entity_id,
        target_month,
        sum(target_sales_amount) as target_value
    from fact
    group by 1, 2, 3

)

select
    coalesce(summed.grain, targets.grain) as grain,
    coalesce(summed.entity_id, targets.entity_id) as entity_id,
    coalesce(summed.target_month, targets.period_start) as target_month,
    summed.target_value as fact_target,
    targets.target_value as indicator_target
from summed
full join targets
    on summed.grain = targets.grain
    and summed.entity_id = targets.entity_id
    and summed.target_month = targets.period_start
where summed.target_value is null
    or targets.target_value is null
    or abs(summed.target_value - targets.target_value) > 1e-6 * (1 + abs(targets.target_value))
