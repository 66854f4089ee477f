with source as (

    select * from {{ landing_source('crm', 'crm_rep_team_assignments') }}

),

renamed as (

    select
        {{ stg_id('rep_id') }} as rep_id,
        {{ stg_id('team_id') }} as team_id,
        {{ stg_date('valid_from') }} as valid_from,
        {{ stg_date('valid_to') }} as valid_to
    from source
    where not coalesce({{ stg_bool('is_deleted') }}, false)

)

select * from renamed
