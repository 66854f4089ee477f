{#- The monthly sales targets (plan_sales_targets) as additive rows: summed by team they give each
    team's target, by rep each rep's, in all the company's, as int_indicator_targets resolves them
    for sales_target_attainment (the semantic layer's sales_target; BI tools can sum it the same way).
    - rep: a rep's target, with the rep's team on the month's first day (NULL: no team then).
    - team_adjustment: a team with its own target for the month: its own target minus the targets
      of its reps (team on the month's first day), so that the team's rows add up to its own target;
      a team without its own target is the sum of its reps' (no row).
    - teamless_adjustment: minus the targets of the reps without a team on the month's first day,
      which count for the rep but not for any team nor the company.
    Rows with an empty rep_id are adjustments, not a rep's target. -#}
with plan as (

    select * from {{ ref('stg_plan__sales_targets') }}
    where target_sales_amount is not null

),

rep_targets as (

    select
        plan.target_month,
        rep_teams.team_id,
        plan.entity_id as rep_id,
        'rep' as target_kind,
        plan.target_sales_amount
    from plan
    {{ join_team_on_date('rep_teams', 'plan.entity_id', 'plan.target_month') }}
    where plan.target_grain = 'rep'

),

reps_by_team as (

    select
        target_month,
        team_id,
        sum(target_sales_amount) as target_sales_amount
    from rep_targets
    group by 1, 2

),

team_adjustments as (

    select
        plan.target_month,
        plan.entity_id as team_id,
        cast(null as string) as rep_id,
        'team_adjustment' as target_kind,
        plan.target_sales_amount - coalesce(reps_by_team.target_sales_amount, 0) as target_sales_amount
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
        -target_sales_amount as target_sales_amount
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
        || {{ format_date('target_month', '%Y-%m') }} as sales_target_id,
        target_month,
        team_id,
        rep_id,
        target_kind,
        cast(target_sales_amount as decimal(18, 4)) as target_sales_amount
    from unioned

)

select * from final
