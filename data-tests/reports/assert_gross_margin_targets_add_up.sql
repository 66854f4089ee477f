{#- fct_gross_margin_targets (the semantic layer's gross_margin_rate_target) gives the targets of
    gross_margin_rate: by team, by rep and in all, in every period type, Σ weighted_margin_target /
    Σ margin_target_weight (without any weight: Σ unweighted_margin_target /
    Σ unweighted_margin_targets) equals int_indicator_targets. A row here is a (grain, entity,
    period) where they differ. -#}
with fact as (

    select
        fact.*,
        period_types.period_type,
        {{ period_start('period_types.period_type', 'fact.target_month') }} as period_start
    from {{ ref('fct_gross_margin_targets') }} as fact
    cross join {{ period_types() }} as period_types

),

targets as (

    select * from {{ ref('int_indicator_targets') }}
    where indicator_code = 'gross_margin_rate'

),

{%- set sums %}
        sum(weighted_margin_target) as weighted_margin_target,
        sum(margin_target_weight) as margin_target_weight,
        sum(unweighted_margin_target) as unweighted_margin_target,
        sum(unweighted_margin_targets) as unweighted_margin_targets
{%- endset %}

summed as (

    select
        'team' as grain,
        team_id as entity_id,
        period_type,
        period_start,
        {{ sums }}
    from fact
    where team_id is not null
    group by 1, 2, 3, 4
    union all
    select
        'rep' as grain,
        rep_id as entity_id,
        period_type,
        period_start,
        {{ sums }}
    from fact
    where rep_id is not null
    group by 1, 2, 3, 4
    union all
    select
        'company' as grain,
        'company' as entity_id,
        period_type,
        period_start,
        {{ sums }}
    from fact
    group by 1, 2, 3, 4

),

resolved as (

    select
        grain,
        entity_id,
        period_type,
        period_start,
        coalesce(
            {{ safe_divide('weighted_margin_target', 'margin_target_weight') }},
            {{ safe_divide('unweighted_margin_target', 'unweighted_margin_targets') }}
        ) as target_value
    from summed

)

select
    coalesce(resolved.grain, targets.grain) as grain,
    coalesce(resolved.entity_id, targets.entity_id) as entity_id,
    coalesce(resolved.period_type, targets.period_type) as period_type,
    coalesce(resolved.period_start, targets.period_start) as period_start,
    resolved.target_value as fact_target,
    targets.target_value as indicator_target
from resolved
full join targets
    on resolved.grain = targets.grain
    and resolved.entity_id = targets.entity_id
    and resolved.period_type = targets.period_type
    and resolved.period_start = targets.period_start
where resolved.target_value is null
    or targets.target_value is null
    or abs(resolved.target_value - targets.target_value) > 1e-9 * (1 + abs(targets.target_value))
