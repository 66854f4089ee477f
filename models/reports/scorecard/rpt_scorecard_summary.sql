{#- The composite score (综合得分) per rep and team and period: the weighted mean of the scores of
    rpt_scorecard over the indicators with a score (an indicator without one leaves its weight to
    the others; weight_scored says how much of the card was scored), per balanced-scorecard
    perspective (financial, customer, internal process, learning and growth), on the results
    indicators (catalog dimension 'results') and overall. A failed veto compliance check
    (fct_compliance_checks.is_veto_failure, the HR audit's is_veto flag: 一票否决) of the rep -
    or of the team, for a team - dated in the period sets the composite to 0 with the reason.
    Rank among peers (reps: same role and level; teams: all teams) by composite, 1 = best,
    ties share a rank; change vs the previous period of the same type. -#}
with scorecard as (

    select * from {{ ref('rpt_scorecard') }}

),

entity_periods as (

    select * from {{ ref('int_scorecard__entity_periods') }}

),

veto_checks as (

    select * from {{ ref('fct_compliance_checks') }}
    where is_veto_failure

),

{%- set perspectives = ['financial', 'customer', 'internal_process', 'learning_growth'] %}

composites as (

    select
        entity_type,
        entity_id,
        period_type,
        period_start,
        min(scorecard) as scorecard,
        sum(weighted_score) / nullif(sum(case when score is not null then weight end), 0) as composite_before_veto,
        {%- for perspective in perspectives %}
        sum(case when perspective = '{{ perspective }}' then weighted_score end)
        / nullif(sum(case when perspective = '{{ perspective }}' and score is not null then weight end), 0)
            as {{ perspective }}_score,
        {%- endfor %}
        sum(case when dimension = 'results' then weighted_score end)
        / nullif(sum(case when dimension = 'results' and score is not null then weight end), 0) as results_score,
        coalesce(sum(case when score is not null then weight end), 0) as weight_scored,
        count(score) as indicators_scored,
        count(*) as indicators_weighted
    from scorecard
    group by 1, 2, 3, 4

),

vetoes as (

    select
        entity_periods.entity_type,
        entity_periods.entity_id,
        entity_periods.period_type,
        entity_periods.period_start,
        'compliance veto (一票否决): '
        || {{ string_agg_ordered(
            "veto_checks.process_area || ' check ' || veto_checks.check_id
            || ' failed on ' || cast(veto_checks.checked_date as string)",
            "'; '",
            'veto_checks.checked_date, veto_checks.check_id'
        ) }} as veto_reason
    from entity_periods
    inner join veto_checks
        on (
            (entity_periods.entity_type = 'rep' and veto_checks.rep_id = entity_periods.entity_id)
            or (entity_periods.entity_type = 'team' and veto_checks.team_id = entity_periods.entity_id)
        )
        and veto_checks.checked_date between entity_periods.period_start and entity_periods.period_end_as_of
    group by 1, 2, 3, 4

),

vetoed as (

    select
        entity_periods.entity_type,
        entity_periods.entity_id,
        entity_periods.period_type,
        entity_periods.period_start,
        entity_periods.previous_period_start,
        entity_periods.peer_group,
        entity_periods.team_id,
        entity_periods.is_active,
        composites.scorecard,
        composites.composite_before_veto,
        vetoes.veto_reason is not null as is_vetoed,
        vetoes.veto_reason,
        case when vetoes.veto_reason is not null then 0 else composites.composite_before_veto end as composite_score,
        {%- for perspective in perspectives %}
        composites.{{ perspective }}_score,
        {%- endfor %}
        composites.results_score,
        composites.weight_scored,
        composites.indicators_scored,
        composites.indicators_weighted
    from entity_periods
    left join composites
        on entity_periods.entity_type = composites.entity_type
        and entity_periods.entity_id = composites.entity_id
        and entity_periods.period_type = composites.period_type
        and entity_periods.period_start = composites.period_start
    left join vetoes
        on entity_periods.entity_type = vetoes.entity_type
        and entity_periods.entity_id = vetoes.entity_id
        and entity_periods.period_type = vetoes.period_type
        and entity_periods.period_start = vetoes.period_start

),

ranked as (

    select
        vetoed.*,
        case
            when vetoed.composite_score is not null
                then cast(rank() over (
                        partition by
                            vetoed.entity_type, vetoed.peer_group, vetoed.period_type, vetoed.period_start,
                            vetoed.composite_score is null
                        order by {{ tie_safe('vetoed.composite_score') }} desc
                    ) as bigint)
        end as peer_rank,
        count(vetoed.composite_score) over (
            partition by vetoed.entity_type, vetoed.peer_group, vetoed.period_type, vetoed.period_start
        ) as peers_ranked
    from vetoed

),

final as (

    select
        ranked.entity_type,
        ranked.entity_id,
        ranked.period_type,
        ranked.period_start,
        ranked.team_id,
        ranked.peer_group,
        ranked.is_active,
        ranked.scorecard,
        ranked.composite_score,
        ranked.composite_before_veto,
        case
            when {{ reaches('ranked.composite_score', '100') }} then 'ideal'
            when {{ reaches('ranked.composite_score', '80') }} then 'challenge'
            when {{ reaches('ranked.composite_score', '60') }} then 'base'
            when ranked.composite_score is not null then 'none'
        end as composite_tier,
        ranked.is_vetoed,
        ranked.veto_reason,
        {%- for perspective in perspectives %}
        ranked.{{ perspective }}_score,
        {%- endfor %}
        ranked.results_score,
        ranked.weight_scored,
        ranked.indicators_scored,
        ranked.indicators_weighted,
        ranked.peer_rank,
        ranked.peers_ranked,
        previous.composite_score as previous_composite_score,
        ranked.composite_score - previous.composite_score as composite_change
    from ranked
    left join ranked as previous
        on ranked.entity_type = previous.entity_type
        and ranked.entity_id = previous.entity_id
        and ranked.period_type = previous.period_type
        and ranked.previous_period_start = previous.period_start

)

select * from final
