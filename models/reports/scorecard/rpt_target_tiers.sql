{#- Each rep's and team's value of an indicator in a period, with the three tiers of its peer
    group (int_scorecard__peer_tiers: base = 20th, challenge = 50th, ideal = 80th percentile of
    the peers in the comparison period, mirrored for lower-is-better) and the tier it reached:
    'ideal', 'challenge', 'base' or 'none'. Reaching is inclusive (a value equal to a tier
    reaches it, so tied peers reach the same tier; within float noise, relative 1e-9, counts as
    equal: macro reaches). No row where the entity has no value. -#}
with peer_values as (

    select * from {{ ref('int_scorecard__peer_values') }}

),

peer_tiers as (

    select * from {{ ref('int_scorecard__peer_tiers') }}

),

final as (

    select
        peer_values.entity_type,
        peer_values.entity_id,
        peer_values.indicator_code,
        peer_values.period_type,
        peer_values.period_start,
        peer_values.peer_group,
        peer_values.direction,
        peer_values.value,
        peer_tiers.comparison_basis,
        peer_tiers.comparison_period_start,
        peer_tiers.peer_count,
        peer_tiers.tier_base,
        peer_tiers.tier_challenge,
        peer_tiers.tier_ideal,
        case
            when peer_tiers.tier_base is null then null
            when peer_values.direction = 'lower_is_better'
                then
                    case
                        when {{ reaches('peer_values.value', 'peer_tiers.tier_ideal', true) }} then 'ideal'
                        when {{ reaches('peer_values.value', 'peer_tiers.tier_challenge', true) }} then 'challenge'
                        when {{ reaches('peer_values.value', 'peer_tiers.tier_base', true) }} then 'base'
                        else 'none'
                    end
            when {{ reaches('peer_values.value', 'peer_tiers.tier_ideal') }} then 'ideal'
            when {{ reaches('peer_values.value', 'peer_tiers.tier_challenge') }} then 'challenge'
            when {{ reaches('peer_values.value', 'peer_tiers.tier_base') }} then 'base'
            else 'none'
        end as tier_reached
    from peer_values
    left join peer_tiers
        on peer_values.entity_type = peer_tiers.entity_type
        and peer_values.peer_group = peer_tiers.peer_group
        and peer_values.indicator_code = peer_tiers.indicator_code
        and peer_values.period_type = peer_tiers.period_type
        and peer_values.period_start = peer_tiers.period_start

)

select * from final
