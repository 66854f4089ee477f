{#- Three-tier targets (基础/挑战/理想) of each peer group, indicator and period, from the values
    of the peers (reps of the same role and level; teams: all teams) in the comparison period.
    Higher-is-better: base = the value 80 % of the peers reached (20th percentile), challenge =
    the median, ideal = the value only the top 20 % reached (80th percentile); lower-is-better
    mirrors it (base = 80th, ideal = 20th percentile). Percentiles are percentile_cont (linear
    interpolation between the ordered values, ties counted once each): one peer gives all three
    tiers equal to its value; two peers a < b give a + 0.2 (b - a), the midpoint, a + 0.8 (b - a).
    Comparison period (var scorecard_tier_comparison): 'same_period_last_year' (default) uses the
    peers' values of the same period a year earlier; when fewer than var scorecard_min_peers
    peers had a value then (no history yet), or with 'current_period', the current period's
    peers are used and comparison_basis says which. Flags (unit 'flag') get no tiers. -#}
{%- set percentiles = var('scorecard_tier_percentiles', {'low': 0.2, 'mid': 0.5, 'high': 0.8}) %}
{%- set basis = var('scorecard_tier_comparison', 'same_period_last_year') %}
with peer_values as (

    select * from {{ ref('int_scorecard__peer_values') }}

),

entity_periods as (

    select * from {{ ref('int_scorecard__entity_periods') }}

),

catalog as (

    select * from {{ ref('indicator_catalog') }}
    where unit <> 'flag'

),

stats as (

    select
        peer_group,
        indicator_code,
        period_type,
        period_start,
        count(*) as peer_count,
        {{ percentile_cont('value', percentiles['low']) }} as value_low,
        {{ percentile_cont('value', percentiles['mid']) }} as value_mid,
        {{ percentile_cont('value', percentiles['high']) }} as value_high
    from peer_values
    group by 1, 2, 3, 4

),

target_periods as (

    select distinct
        entity_periods.entity_type,
        entity_periods.peer_group,
        entity_periods.period_type,
        entity_periods.period_start,
        entity_periods.same_period_last_year_start,
        catalog.indicator_code,
        catalog.direction
    from entity_periods
    cross join catalog
    where {{ in_pipe_list('catalog.grains', 'entity_periods.entity_type') }}

),

chosen as (

    select
        target_periods.*,
        case
            when
                '{{ basis }}' = 'same_period_last_year'
                and last_year.peer_count >= {{ var('scorecard_min_peers', 3) }}
                then 'same_period_last_year'
            when current_period.peer_count > 0 then 'current_period'
        end as comparison_basis
    from target_periods
    left join stats as last_year
        on target_periods.peer_group = last_year.peer_group
        and target_periods.indicator_code = last_year.indicator_code
        and target_periods.period_type = last_year.period_type
        and target_periods.same_period_last_year_start = last_year.period_start
    left join stats as current_period
        on target_periods.peer_group = current_period.peer_group
        and target_periods.indicator_code = current_period.indicator_code
        and target_periods.period_type = current_period.period_type
        and target_periods.period_start = current_period.period_start

),

final as (

    select
        chosen.entity_type,
        chosen.peer_group,
        chosen.indicator_code,
        chosen.period_type,
        chosen.period_start,
        chosen.direction,
        chosen.comparison_basis,
        stats.period_start as comparison_period_start,
        stats.peer_count,
        case when chosen.direction = 'lower_is_better' then stats.value_high else stats.value_low end as tier_base,
        stats.value_mid as tier_challenge,
        case when chosen.direction = 'lower_is_better' then stats.value_low else stats.value_high end as tier_ideal
    from chosen
    inner join stats
        on chosen.peer_group = stats.peer_group
        and chosen.indicator_code = stats.indicator_code
        and chosen.period_type = stats.period_type
        and stats.period_start = case
            when chosen.comparison_basis = 'same_period_last_year' then chosen.same_period_last_year_start
            else chosen.period_start
        end

)

select * from final
