with source as (

    select * from {{ landing_source('hr', 'hr_skill_assessments') }}

),

renamed as (

    select
        {{ stg_id('assessment_id') }} as assessment_id,
        {{ stg_id('rep_id') }} as rep_id,
        {{ stg_timestamp('assessed_at') }} as assessed_at,
        {{ stg_enum('skill') }} as skill,
        {{ stg_enum('assessor_type') }} as assessor_type,
        {{ stg_number('score') }} as score
    from source

)

select * from renamed
