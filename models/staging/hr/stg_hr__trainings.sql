with source as (

    select * from {{ landing_source('hr', 'hr_trainings') }}

),

renamed as (

    select
        {{ stg_id('training_id') }} as training_id,
        {{ stg_id('rep_id') }} as rep_id,
        {{ stg_id('course_id') }} as course_id,
        {{ stg_enum('topic') }} as topic,
        {{ stg_bool('is_self_directed') }} as is_self_directed,
        {{ stg_timestamp('started_at') }} as started_at,
        {{ stg_timestamp('completed_at') }} as completed_at,
        {{ stg_number('hours') }} as hours,
        {{ stg_number('exam_score') }} as exam_score,
        {{ stg_bool('passed') }} as passed
    from source

)

select * from renamed
