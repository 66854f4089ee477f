{#- The monthly gross margin rate targets (plan_sales_targets.target_gross_margin_rate) as additive
    rows, so that a sum gives the sales-target-weighted mean int_indicator_targets computes for
    gross_margin_rate: target = Σ weighted_margin_target / Σ margin_target_weight by team, by rep or
    in all, over the months of any period; where no row of the group has a sales target (weight 0)
    the plain mean Σ unweighted_margin_target / Σ unweighted_margin_targets (the semantic layer's
    gross_margin_rate_target).
    - rep: a rep's margin target, with the rep's team on the month's first day (NULL: no team).
    - team_adjustment: a team with its own margin target for the month: its own row minus the rows
      of its reps (team on the month's first day), so the team's rows add up to its own target.
    - teamless_adjustment: minus the rows of the reps without a team on the month's first day, who
      count for themselves but for no team nor the company.
    A row of the plan with a margin target and a sales target w has weighted_margin_target =
    rate × w and margin_target_weight = w; without a sales target (NULL or 0) it has
    unweighted_margin_target = rate and unweighted_margin_targets = 1 instead. -#}
with plan as (

    select
        target_grain,
        entity_id,
        target_month,
        cast(target_gross_margin_rate as double) as target_gross_margin_rate,
        cast(coalesce(target_sales_amount, 0) as double) as margin_target_weight,
        cast(target_gross_margin_rate as double)
        * cast(coalesce(target_sales_amount, 0) as double) as weighted_margin_target,
        case
            when coalesce(target_sales_amount, 0) = 0 then cast(target_gross_margin_rate as double) else 0
        end as unweighted_margin_target,
        case when coalesce(target_sales_amount, 0) = 0 then 1 else 0 end as unweighted_margin_targets
    from {{ ref('stg_plan__sales_targets') }}
    where target_gross_margin_rate is not null

),

rep_targets as (

    select
        plan.target_month,
        rep_teams.team_id,
        plan.entity_id as rep_id,
        'rep' as target_kind,
        plan.target_gross_margin_rate,
        plan.weighted_margin_target,
        plan.margin_target_weight,
        plan.unweighted_margin_target,
        plan.unweighted_margin_targets
    from plan
    {{ join_team_on_date('rep_teams', 'plan.entity_id', 'plan.target_month') }}
    where plan.target_grain = 'rep'

),

reps_by_team as (

    select
        target_month,
        team_id,
        sum(weighted_margin_target) as weighted_margin_target,
        sum(margin_target_weight) as margin_target_weight,
        sum(unweighted_margin_target) as unweighted_margin_target,
        sum(unweighted_margin_targets) as unweighted_margin_targets
    from rep_targets
    group by 1, 2

),

team_adjustments as (

    select
        plan.target_month,
        plan.entity_id as team_id,
        cast(null as string) as rep_id,
        'team_adjustment' as target_kind,
        plan.target_gross_margin_rate,
        plan.weighted_margin_target - coalesce(reps_by_team.weighted_margin_target, 0) as weighted_margin_target,
        plan.margin_target_weight - coalesce(reps_by_team.margin_target_weight, 0) as margin_target_weight,
        plan.unweighted_margin_target
        - coalesce(reps_by_team.unweighted_margin_target, 0) as unweighted_margin_target,
        plan.unweighted_margin_targets
        - coalesce(reps_by_team.unweighted_margin_targets, 0) as unweighted_margin_targets
    from plan
    left join reps_by_team
        on plan.target_month = reps_by_team.target_month
        and plan.entity_id = reps_by_team.team_id
    where plan.target_grain = 'team'

),

teamless_adjustments as (

    select
        target_month,
        cast(null as string) as team_id,
        cast(null as string) as rep_id,
        'teamless_adjustment' as target_kind,
        cast(null as double) as target_gross_margin_rate,
        0 - weighted_margin_target as weighted_margin_target,
        0 - margin_target_weight as margin_target_weight,
        0 - unweighted_margin_target as unweighted_margin_target,
        0 - unweighted_margin_targets as unweighted_margin_targets
    from reps_by_team
    where team_id is null

),

unioned as (

    select * from rep_targets
    union all
    select * from team_adjustments
    union all
    select * from teamless_adjustments

),

final as (

    select
        target_kind || ':' || coalesce(team_id, '') || ':' || coalesce(rep_id, '') || ':'
        || {{ format_date('target_month', '%Y-%m') }} as gross_margin_target_id,
        target_month,
        team_id,
        rep_id,
        target_kind,
        target_gross_margin_rate,
        weighted_margin_target,
        margin_target_weight,
        unweighted_margin_target,
        cast(unweighted_margin_targets as integer) as unweighted_margin_targets
    from unioned

)

select * from final
