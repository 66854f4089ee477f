{#- The valid rows that are not soft-deleted of crm_rep_team_assignments (rules and casts: base_crm__rep_team_assignments). -#}
with base as (

    select * from {{ ref('base_crm__rep_team_assignments') }}

),

valid as (

    select
        rep_id,
        team_id,
        valid_from,
        valid_to
    from base
    where dq_rule is null and not is_deleted

)

select * from valid
