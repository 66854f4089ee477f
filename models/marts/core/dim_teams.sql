with teams as (

    select
        *,
        false as is_deleted
    from {{ ref('stg_crm__teams') }}
    union all
    select
        *,
        true as is_deleted
    from {{ ref('stg_crm__teams_deleted') }}

),

regions as (

    select * from {{ ref('stg_crm__regions') }}

),

final as (

    select
        teams.team_id,
        teams.team_name,
        teams.region_code,
        regions.region_name,
        regions.market_type,
        teams.team_stage,
        teams.manager_rep_id,
        teams.parent_team_id,
        cast(teams.created_at as date) as created_date,
        teams.is_deleted
    from teams
    left join regions
        on teams.region_code = regions.region_code

)

select * from final
