{#- One row per service ticket opened up to the as-of date (soft-deleted tickets are removed in
    staging), credited to the ticket's rep and to that rep's team on the opened date. Times are
    in the company time zone. A response or resolution after the end of the as-of date has not
    happened yet: it is read as empty. responded_within_sla is NULL while undecided (no response
    and the SLA not yet elapsed at the end of the as-of date, or no SLA given). -#}
with tickets as (

    select * from {{ ref('stg_crm__service_tickets') }}

),

as_of as (

    select
        as_of_date,
        cast({{ dbt.dateadd('day', 1, 'as_of_date') }} as timestamp) as as_of_end_at
    from {{ ref('base_erp__as_of_date') }}

),

joined as (

    select
        tickets.ticket_id,
        tickets.customer_id,
        tickets.product_id,
        tickets.rep_id,
        team_on_opened_date.team_id,
        tickets.ticket_type,
        tickets.opened_at,
        cast(tickets.opened_at as date) as opened_date,
        case
            when tickets.first_response_at < as_of.as_of_end_at then tickets.first_response_at
        end as first_response_at,
        case
            when tickets.resolved_at < as_of.as_of_end_at then tickets.resolved_at
        end as resolved_at,
        tickets.sla_first_response_hours,
        {{ dbt.datediff('tickets.opened_at', 'as_of.as_of_end_at', 'second') }}
        / cast(3600 as double) as hours_open_at_as_of
    from tickets
    cross join as_of
    {{ join_team_on_date('team_on_opened_date', 'tickets.rep_id', 'cast(tickets.opened_at as date)') }}
    where cast(tickets.opened_at as date) <= as_of.as_of_date

),

measured as (

    select
        joined.*,
        {{ dbt.datediff('joined.opened_at', 'joined.first_response_at', 'second') }}
        / cast(3600 as double) as hours_to_first_response,
        {{ dbt.datediff('joined.opened_at', 'joined.resolved_at', 'second') }}
        / cast(3600 as double) as hours_to_resolution
    from joined

),

final as (

    select
        ticket_id,
        customer_id,
        product_id,
        rep_id,
        team_id,
        ticket_type,
        ticket_type = 'complaint' as is_complaint,
        opened_at,
        opened_date,
        first_response_at,
        resolved_at,
        cast(resolved_at as date) as resolved_date,
        sla_first_response_hours,
        cast(hours_to_first_response as double) as hours_to_first_response,
        cast(hours_to_resolution as double) as hours_to_resolution,
        case
            when sla_first_response_hours is null then null
            when first_response_at is not null then hours_to_first_response <= sla_first_response_hours
            when hours_open_at_as_of > sla_first_response_hours then false
        end as is_responded_within_sla
    from measured

)

select * from final
