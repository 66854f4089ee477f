with source as (

    select * from {{ landing_source('hr', 'hr_cross_dept_requests') }}

),

renamed as (

    select
        {{ stg_id('request_id') }} as request_id,
        {{ stg_id('rep_id') }} as rep_id,
        {{ stg_id('team_id') }} as team_id,
        {{ stg_enum('requesting_department') }} as requesting_department,
        {{ stg_enum('request_type') }} as request_type,
        {{ stg_timestamp('requested_at') }} as requested_at,
        {{ stg_timestamp('due_at') }} as due_at,
        {{ stg_timestamp('completed_at') }} as completed_at,
        {{ stg_bool('adopted') }} as adopted
    from source

)

select * from renamed
