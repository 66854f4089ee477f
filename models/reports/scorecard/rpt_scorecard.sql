{#- The scorecard: per rep and team, period and weighted indicator of the scorecard that applies
    (int_scorecard__weights_resolved), the value, the tiers it is scored against, the score, the
    weight and the weighted score.
    Value: the published value (indicator_values); an active entity without a row of a summed
    indicator (sales, new customers, visits ...) had none of it: 0 ('no_activity'); otherwise
    NULL ('no_value': a rate without a denominator), and the indicator is left out of the
    composite (its weight is shared by the scored ones, rpt_scorecard_summary).
    Tiers: where a plan target exists (int_indicator_targets) base = target x var
    scorecard_plan_target_factor (1.0), challenge and ideal = the peers' tiers but never below
    (lower-is-better: above) base; else the peer tiers (int_scorecard__peer_tiers).
    Score: 60 at base, 80 at challenge, 100 at ideal, linear between; below base and above
    ideal the nearest segment's slope goes on; bounded to [var scorecard_score_min (0),
    var scorecard_score_max (120)]. Lower-is-better indicators are scored on the negated value.
    The column is named value like indicator_values' (hence the noqa of sqlfluff's RF04).
    Degenerate tiers (equal values, e.g. a single peer): a value at or beyond them scores 100,
    a value short of all three scores the minimum.
    A value within float noise of a tier (relative 1e-9, macro reaches) is on it: the label and the
    segment of the score do not depend on the order in which the value's sum was added up. -#}
{%- set score_min = var('scorecard_score_min', 0) %}
{%- set score_max = var('scorecard_score_max', 120) %}
with weights as (

    select * from {{ ref('int_scorecard__weights_resolved') }}

),

entity_periods as (

    select * from {{ ref('int_scorecard__entity_periods') }}

),

peer_values as (

    select * from {{ ref('int_scorecard__peer_values') }}

),

peer_tiers as (

    select * from {{ ref('int_scorecard__peer_tiers') }}

),

targets as (

    select * from {{ ref('int_indicator_targets') }}
    where grain in ('rep', 'team')

),

catalog as (

    select * from {{ ref('indicator_catalog') }}

),

valued as (

    select
        weights.entity_type,
        weights.entity_id,
        weights.period_type,
        weights.period_start,
        weights.scorecard,
        weights.indicator_code,
        weights.weight,
        catalog.bsc_perspective as perspective,
        catalog.dimension,
        catalog.direction,
        entity_periods.peer_group,
        case
            when peer_values.value is not null then peer_values.value
            when entity_periods.is_active and catalog.period_aggregation = 'sum' then 0
        end as value, -- noqa: RF04
        case
            when peer_values.value is not null then 'published'
            when entity_periods.is_active and catalog.period_aggregation = 'sum' then 'no_activity'
            else 'no_value'
        end as value_source,
        targets.target_value as plan_target,
        peer_tiers.comparison_basis,
        peer_tiers.tier_base as peer_base,
        peer_tiers.tier_challenge as peer_challenge,
        peer_tiers.tier_ideal as peer_ideal
    from weights
    inner join entity_periods
        on weights.entity_type = entity_periods.entity_type
        and weights.entity_id = entity_periods.entity_id
        and weights.period_type = entity_periods.period_type
        and weights.period_start = entity_periods.period_start
    inner join catalog
        on weights.indicator_code = catalog.indicator_code
    left join peer_values
        on weights.entity_type = peer_values.entity_type
        and weights.entity_id = peer_values.entity_id
        and weights.indicator_code = peer_values.indicator_code
        and weights.period_type = peer_values.period_type
        and weights.period_start = peer_values.period_start
    left join peer_tiers
        on entity_periods.entity_type = peer_tiers.entity_type
        and entity_periods.peer_group = peer_tiers.peer_group
        and weights.indicator_code = peer_tiers.indicator_code
        and weights.period_type = peer_tiers.period_type
        and weights.period_start = peer_tiers.period_start
    left join targets
        on weights.entity_type = targets.grain
        and weights.entity_id = targets.entity_id
        and weights.indicator_code = targets.indicator_code
        and weights.period_type = targets.period_type
        and weights.period_start = targets.period_start

),

tiered as (

    select
        valued.*,
        case when valued.direction = 'lower_is_better' then -1 else 1 end as sign,
        case
            when valued.plan_target is not null then 'plan_target'
            when valued.comparison_basis is not null then 'peers_' || valued.comparison_basis
        end as tier_source,
        coalesce(valued.plan_target * {{ var('scorecard_plan_target_factor', 1.0) }}, valued.peer_base) as tier_base
    from valued

),

oriented as (

    select
        tiered.*,
        case
            when tiered.plan_target is null then tiered.peer_challenge
            when tiered.sign = 1 then greatest(coalesce(tiered.peer_challenge, tiered.tier_base), tiered.tier_base)
            else least(coalesce(tiered.peer_challenge, tiered.tier_base), tiered.tier_base)
        end as tier_challenge
    from tiered

),

bounded as (

    select
        oriented.*,
        case
            when oriented.plan_target is null then oriented.peer_ideal
            when
                oriented.sign = 1
                then greatest(coalesce(oriented.peer_ideal, oriented.tier_challenge), oriented.tier_challenge)
            else least(coalesce(oriented.peer_ideal, oriented.tier_challenge), oriented.tier_challenge)
        end as tier_ideal
    from oriented

),

signed as (

    {#- Oriented so that more is better: v, b <= c <= i. -#}
    select
        bounded.*,
        bounded.sign * bounded.value as v,
        bounded.sign * bounded.tier_base as b,
        bounded.sign * bounded.tier_challenge as c,
        bounded.sign * bounded.tier_ideal as i
    from bounded

),

scored as (

    select
        signed.*,
        case
            when signed.v is null or signed.b is null then null
            when {{ reaches('signed.v', 'signed.i') }}
                then
                    case
                        when signed.i > signed.c then 100 + (signed.v - signed.i) * 20 / (signed.i - signed.c)
                        when signed.c > signed.b then 100 + (signed.v - signed.i) * 20 / (signed.c - signed.b)
                        else 100
                    end
            when {{ reaches('signed.v', 'signed.c') }} then 80 + (signed.v - signed.c) * 20 / (signed.i - signed.c)
            when {{ reaches('signed.v', 'signed.b') }} then 60 + (signed.v - signed.b) * 20 / (signed.c - signed.b)
            when signed.c > signed.b then 60 - (signed.b - signed.v) * 20 / (signed.c - signed.b)
            when signed.i > signed.b then 60 - (signed.b - signed.v) * 40 / (signed.i - signed.b)
            else {{ score_min }}
        end as raw_score,
        case
            when signed.v is null or signed.b is null then null
            when {{ reaches('signed.v', 'signed.i') }} then 'ideal'
            when {{ reaches('signed.v', 'signed.c') }} then 'challenge'
            when {{ reaches('signed.v', 'signed.b') }} then 'base'
            else 'none'
        end as tier_reached
    from signed

),

bounded_scores as (

    {#- least/greatest skip NULLs: a value without a score stays NULL. -#}
    select
        scored.*,
        case
            when scored.raw_score is not null
                then cast(least({{ score_max }}, greatest({{ score_min }}, scored.raw_score)) as double)
        end as score
    from scored

),

final as (

    select
        entity_type,
        entity_id,
        period_type,
        period_start,
        indicator_code,
        scorecard,
        perspective,
        dimension,
        direction,
        peer_group,
        value,
        value_source,
        plan_target,
        tier_source,
        tier_base,
        tier_challenge,
        tier_ideal,
        tier_reached,
        score,
        weight,
        score * weight as weighted_score
    from bounded_scores

)

select * from final
