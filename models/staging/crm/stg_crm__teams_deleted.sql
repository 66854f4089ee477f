with source as (

    select * from {{ landing_source('crm', 'crm_teams') }}

),

renamed as (

    select
        {{ stg_id('team_id') }} as team_id,
        {{ stg_text('team_name') }} as team_name,
        {{ stg_id('region_code') }} as region_code,
        {{ stg_enum('team_stage') }} as team_stage,
        {{ stg_id('manager_rep_id') }} as manager_rep_id,
        {{ stg_id('parent_team_id') }} as parent_team_id,
        {{ stg_timestamp('created_at') }} as created_at
    from source
    where coalesce({{ stg_bool('is_deleted') }}, false)

)

select * from renamed
