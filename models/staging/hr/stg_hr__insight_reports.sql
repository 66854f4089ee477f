with source as (

    select * from {{ landing_source('hr', 'hr_insight_reports') }}

),

renamed as (

    select
        {{ stg_id('report_id') }} as report_id,
        {{ stg_id('rep_id') }} as rep_id,
        {{ stg_timestamp('submitted_at') }} as submitted_at,
        {{ stg_enum('report_type') }} as report_type,
        {{ stg_number('quality_score') }} as quality_score
    from source

)

select * from renamed
