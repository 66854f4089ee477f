{#- The weights that apply to each rep and team in each period (seed scorecard_weights).
    A scorecard is the set of seed rows sharing its name (and its filters). It matches an
    entity and period when each of its filters is empty or equal to the entity's attribute
    (entity_type, role, level, team_stage, market_type) and the period lies inside
    [valid_from, valid_to] (an open bound is no limit). Of the matching scorecards the most
    specific wins as a whole (its rows are never mixed with another's): specificity adds
    32 for a date window, 16 role, 8 level, 4 team_stage, 2 market_type, 1 entity_type, so a
    dated card beats every undated one and role beats level beats team stage beats market.
    Equal specificity: the scorecard name first in alphabetical order wins and
    tied_scorecards > 1 says so (a data test warns). -#}
with weights as (

    select * from {{ ref('scorecard_weights') }}

),

entity_periods as (

    select * from {{ ref('int_scorecard__entity_periods') }}

),

scorecards as (

    select * from {{ ref('int_scorecard__scorecards') }}

),

candidates as (

    select
        entity_periods.entity_type,
        entity_periods.entity_id,
        entity_periods.period_type,
        entity_periods.period_start,
        scorecards.scorecard,
        scorecards.specificity,
        row_number() over (
            partition by
                entity_periods.entity_type, entity_periods.entity_id,
                entity_periods.period_type, entity_periods.period_start
            order by scorecards.specificity desc, scorecards.scorecard asc
        ) as preference,
        count(*) over (
            partition by
                entity_periods.entity_type, entity_periods.entity_id,
                entity_periods.period_type, entity_periods.period_start, scorecards.specificity
        ) as same_specificity
    from entity_periods
    inner join scorecards
        on (scorecards.entity_type is null or scorecards.entity_type = entity_periods.entity_type)
        and (scorecards.role is null or scorecards.role = entity_periods.role)
        and (scorecards.level is null or scorecards.level = entity_periods.level)
        and (scorecards.team_stage is null or scorecards.team_stage = entity_periods.team_stage)
        and (scorecards.market_type is null or scorecards.market_type = entity_periods.market_type)
        and (scorecards.valid_from is null or entity_periods.period_start >= scorecards.valid_from)
        and (scorecards.valid_to is null or entity_periods.period_end <= scorecards.valid_to)

),

final as (

    select
        candidates.entity_type,
        candidates.entity_id,
        candidates.period_type,
        candidates.period_start,
        candidates.scorecard,
        candidates.specificity,
        candidates.same_specificity as tied_scorecards,
        weights.indicator_code,
        weights.weight
    from candidates
    inner join weights
        on candidates.scorecard = weights.scorecard
    where candidates.preference = 1

)

select * from final
