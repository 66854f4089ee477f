{#- The published rep and team values (indicator_values) the peer tiers and the scorecard read,
    with the entity's peer group in the period and the indicator's direction. Flags are left out
    (a 0/1 flag has no tiers; the compliance veto acts on the composite instead). -#}
with indicator_values as (

    select * from {{ ref('indicator_values') }}
    where grain in ('rep', 'team')

),

entity_periods as (

    select * from {{ ref('int_scorecard__entity_periods') }}

),

catalog as (

    select * from {{ ref('indicator_catalog') }}

),

final as (

    select
        entity_periods.entity_type,
        entity_periods.entity_id,
        indicator_values.indicator_code,
        indicator_values.period_type,
        indicator_values.period_start,
        entity_periods.peer_group,
        catalog.direction,
        indicator_values.value,
        indicator_values.target_value
    from indicator_values
    inner join entity_periods
        on indicator_values.grain = entity_periods.entity_type
        and indicator_values.entity_id = entity_periods.entity_id
        and indicator_values.period_type = entity_periods.period_type
        and indicator_values.period_start = entity_periods.period_start
    inner join catalog
        on indicator_values.indicator_code = catalog.indicator_code
    where indicator_values.value is not null
        and catalog.unit <> 'flag'

)

select * from final
