with source as (

    select * from {{ landing_source('crm', 'crm_surveys') }}

),

renamed as (

    select
        {{ stg_id('survey_id') }} as survey_id,
        {{ stg_id('customer_id') }} as customer_id,
        {{ stg_id('rep_id') }} as rep_id,
        {{ stg_timestamp('surveyed_at') }} as surveyed_at,
        {{ stg_int('nps_score') }} as nps_score,
        {{ stg_number('csat_economic') }} as csat_economic,
        {{ stg_number('csat_relationship') }} as csat_relationship
    from source
    where not coalesce({{ stg_bool('is_deleted') }}, false)

)

select * from renamed
