with source as (

    select * from {{ landing_source('crm', 'crm_sales_reps') }}

),

renamed as (

    select
        {{ stg_id('rep_id') }} as rep_id,
        {{ stg_text('rep_name') }} as rep_name,
        {{ stg_text('email') }} as email,
        {{ stg_enum('role') }} as role,
        {{ stg_enum('level') }} as level,
        {{ stg_date('hire_date') }} as hire_date,
        {{ stg_date('termination_date') }} as termination_date,
        {{ stg_id('team_id') }} as team_id
    from source
    where coalesce({{ stg_bool('is_deleted') }}, false)

)

select * from renamed
