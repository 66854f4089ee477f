with source as (

    select * from {{ landing_source('crm', 'crm_activities') }}

),

renamed as (

    select
        {{ stg_id('activity_id') }} as activity_id,
        {{ stg_id('rep_id') }} as rep_id,
        {{ stg_id('customer_id') }} as customer_id,
        {{ stg_id('opportunity_id') }} as opportunity_id,
        {{ stg_enum('activity_type') }} as activity_type,
        {{ stg_timestamp('activity_at') }} as activity_at,
        {{ stg_enum('key_action') }} as key_action,
        {{ stg_int('duration_minutes') }} as duration_minutes
    from source
    where not coalesce({{ stg_bool('is_deleted') }}, false)

)

select * from renamed
