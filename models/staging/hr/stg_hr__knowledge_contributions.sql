with source as (

    select * from {{ landing_source('hr', 'hr_knowledge_contributions') }}

),

renamed as (

    select
        {{ stg_id('contribution_id') }} as contribution_id,
        {{ stg_id('rep_id') }} as rep_id,
        {{ stg_timestamp('contributed_at') }} as contributed_at,
        {{ stg_enum('contribution_type') }} as contribution_type,
        {{ stg_bool('accepted') }} as accepted,
        {{ stg_int('citation_count') }} as citation_count,
        {{ stg_number('instructor_hours') }} as instructor_hours
    from source

)

select * from renamed
