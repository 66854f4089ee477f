{#- The scorecard spine: every rep and every team in every reporting period of the history
    (periods ending on or after the first order date, like indicator_values), with the
    attributes the weights (seed scorecard_weights) and the peer groups read.
    A rep's team is the team of the rep's assignment on the period's last day to date
    (dim_rep_team_history, valid_from <= d < valid_to), else the current team. Role and level
    are the rep's current ones (the CRM keeps no history of them). -#}
with periods as (

    select * from {{ ref('dim_periods') }}
    where period_end >= (select as_of.history_start_date from {{ ref('base_erp__as_of_date') }} as as_of)

),

reps as (

    select * from {{ ref('dim_sales_reps') }}

),

teams as (

    select * from {{ ref('dim_teams') }}

),

rep_periods as (

    select
        'rep' as entity_type,
        reps.rep_id as entity_id,
        periods.period_type,
        periods.period_start,
        periods.period_end,
        periods.period_end_as_of,
        periods.is_complete,
        periods.previous_period_start,
        periods.same_period_last_year_start,
        reps.role,
        reps.level,
        coalesce(history.team_id, reps.current_team_id) as team_id,
        (reps.hire_date is null or reps.hire_date <= periods.period_end_as_of)
        and (reps.termination_date is null or reps.termination_date >= periods.period_start) as is_active
    from reps
    cross join periods
    left join {{ ref('dim_rep_team_history') }} as history
        on reps.rep_id = history.rep_id
        and history.valid_from <= periods.period_end_as_of
        and (history.valid_to is null or history.valid_to > periods.period_end_as_of)

),

team_periods as (

    select
        'team' as entity_type,
        teams.team_id as entity_id,
        periods.period_type,
        periods.period_start,
        periods.period_end,
        periods.period_end_as_of,
        periods.is_complete,
        periods.previous_period_start,
        periods.same_period_last_year_start,
        cast(null as string) as role,
        cast(null as string) as level,
        teams.team_id,
        teams.created_date is null or teams.created_date <= periods.period_end_as_of as is_active
    from teams
    cross join periods

),

stacked as (

    select * from rep_periods
    union all
    select * from team_periods

),

final as (

    select
        stacked.entity_type,
        stacked.entity_id,
        stacked.period_type,
        stacked.period_start,
        stacked.period_end,
        stacked.period_end_as_of,
        stacked.is_complete,
        stacked.previous_period_start,
        stacked.same_period_last_year_start,
        stacked.role,
        stacked.level,
        stacked.team_id,
        teams.team_stage,
        teams.market_type,
        {#- Peers: reps of the same role and level; teams are compared with all teams. -#}
        case
            when stacked.entity_type = 'team' then 'team'
            else coalesce(stacked.role, 'unknown') || '/' || coalesce(stacked.level, 'unknown')
        end as peer_group,
        stacked.is_active
    from stacked
    left join teams
        on stacked.team_id = teams.team_id

)

select * from final
