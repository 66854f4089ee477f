{#- The valid rows that are not soft-deleted of crm_teams (rules and casts: base_crm__teams). -#}
with base as (

    select * from {{ ref('base_crm__teams') }}

),

valid as (

    select
        team_id,
        team_name,
        region_code,
        team_stage,
        manager_rep_id,
        parent_team_id,
        created_at
    from base
    where dq_rule is null and not is_deleted

)

select * from valid
