with source as (

    select * from {{ landing_source('crm', 'crm_follow_up_tasks') }}

),

renamed as (

    select
        {{ stg_id('task_id') }} as task_id,
        {{ stg_id('rep_id') }} as rep_id,
        {{ stg_id('customer_id') }} as customer_id,
        {{ stg_enum('trigger_type') }} as trigger_type,
        {{ stg_timestamp('triggered_at') }} as triggered_at,
        {{ stg_timestamp('due_at') }} as due_at,
        {{ stg_timestamp('completed_at') }} as completed_at
    from source
    where not coalesce({{ stg_bool('is_deleted') }}, false)

)

select * from renamed
