with source as (

    select * from {{ landing_source('hr', 'hr_compliance_checks') }}

),

renamed as (

    select
        {{ stg_id('check_id') }} as check_id,
        {{ stg_id('rep_id') }} as rep_id,
        {{ stg_timestamp('checked_at') }} as checked_at,
        {{ stg_enum('process_area') }} as process_area,
        {{ stg_bool('passed') }} as passed,
        {{ stg_number('score') }} as score,
        {{ stg_bool('is_veto') }} as is_veto
    from source

)

select * from renamed
