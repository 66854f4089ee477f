with source as (

    select * from {{ landing_source('hr', 'hr_collaboration_surveys') }}

),

renamed as (

    select
        {{ stg_id('response_id') }} as response_id,
        {{ stg_id('rated_team_id') }} as rated_team_id,
        {{ stg_id('rated_rep_id') }} as rated_rep_id,
        {{ stg_enum('respondent_department') }} as respondent_department,
        {{ stg_timestamp('surveyed_at') }} as surveyed_at,
        {{ stg_number('responsiveness') }} as responsiveness,
        {{ stg_number('cooperation_quality') }} as cooperation_quality,
        {{ stg_number('problem_resolution') }} as problem_resolution
    from source

)

select * from renamed
