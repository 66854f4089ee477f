with source as (

    select * from {{ landing_source('crm', 'crm_service_tickets') }}

),

renamed as (

    select
        {{ stg_id('ticket_id') }} as ticket_id,
        {{ stg_id('customer_id') }} as customer_id,
        {{ stg_id('product_id') }} as product_id,
        {{ stg_id('rep_id') }} as rep_id,
        {{ stg_enum('ticket_type') }} as ticket_type,
        {{ stg_timestamp('opened_at') }} as opened_at,
        {{ stg_timestamp('first_response_at') }} as first_response_at,
        {{ stg_timestamp('resolved_at') }} as resolved_at,
        {{ stg_number('sla_first_response_hours') }} as sla_first_response_hours
    from source
    where not coalesce({{ stg_bool('is_deleted') }}, false)

)

select * from renamed
