{#- The valid rows that are not soft-deleted of crm_service_tickets (rules and casts: base_crm__service_tickets). -#}
with base as (

    select * from {{ ref('base_crm__service_tickets') }}

),

valid as (

    select
        ticket_id,
        customer_id,
        product_id,
        rep_id,
        ticket_type,
        opened_at,
        first_response_at,
        resolved_at,
        sla_first_response_hours
    from base
    where dq_rule is null and not is_deleted

)

select * from valid
