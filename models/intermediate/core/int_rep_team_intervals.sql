{#- Which team each rep belonged to when: valid_from <= d < valid_to (NULL valid_to = open).
    From crm_rep_team_assignments; a rep with no assignment rows stays in the team the reps
    file names (team_id), or else the team they manage, for their whole history. -#}
with assignments as (

    select * from {{ ref('stg_crm__rep_team_assignments') }}
    where team_id is not null

),

reps as (

    select * from {{ ref('stg_crm__sales_reps') }}

),

teams as (

    select * from {{ ref('stg_crm__teams') }}

),

managed_team as (

    select
        manager_rep_id as rep_id,
        min(team_id) as team_id
    from teams
    where manager_rep_id is not null
    group by 1

),

fallback as (

    select
        reps.rep_id,
        coalesce(reps.team_id, managed_team.team_id) as team_id,
        cast('1900-01-01' as date) as valid_from,
        cast(null as date) as valid_to,
        'reps_file' as assignment_source
    from reps
    left join managed_team
        on reps.rep_id = managed_team.rep_id
    where reps.rep_id not in (select assignments.rep_id from assignments)
        and coalesce(reps.team_id, managed_team.team_id) is not null

),

history as (

    select
        rep_id,
        team_id,
        valid_from,
        valid_to,
        'assignment_history' as assignment_source
    from assignments

)

select * from history
union all
select * from fallback
