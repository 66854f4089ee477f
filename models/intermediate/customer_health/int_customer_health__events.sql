{#- Customer health card, raw measures of service, commitments and satisfaction: per customer active
    at a month's end (fct_customer_period_status, months only) and that month, the events of the
    trailing window (var customer_health_window_months, default 12) up to the month's end capped at
    the as-of date (period_end_as_of = d): event dates e with d - N months < e <= d.
    - service: tickets opened in the window (all types), complaints among them, those answered
      within their SLA (a ticket without a verdict counts as not answered within it), and the
      median hours to resolution of the tickets resolved in the window;
    - commitments: deliveries promised in the window and those delivered in full on time;
      installations promised in the window and those done on time;
    - satisfaction: survey responses in the window (NPS promoters / detractors, mean CSAT).
    A customer without any such event has 0 counts and NULL rates: the sub-score model decides. -#}
{%- set window_months = var('customer_health_window_months') | int -%}
with customer_months as (

    select
        customer_id,
        period_start as month_start,
        period_end_as_of,
        cast({{ dbt.dateadd('month', -window_months, 'period_end_as_of') }} as date) as window_start_exclusive
    from {{ ref('fct_customer_period_status') }}
    where period_type = 'month' and is_active_at_end

),

tickets as (

    select * from {{ ref('fct_service_tickets') }}

),

deliveries as (

    select * from {{ ref('fct_deliveries') }}

),

surveys as (

    select * from {{ ref('fct_surveys') }}

),

ticket_measures as (

    select
        customer_months.customer_id,
        customer_months.month_start,
        count(*) as tickets_opened,
        sum(case when tickets.is_complaint then 1 else 0 end) as complaints_opened,
        sum(case when tickets.is_responded_within_sla then 1 else 0 end) as tickets_within_sla
    from customer_months
    inner join tickets
        on customer_months.customer_id = tickets.customer_id
        and tickets.opened_date > customer_months.window_start_exclusive
        and tickets.opened_date <= customer_months.period_end_as_of
    group by 1, 2

),

resolution_measures as (

    select
        customer_months.customer_id,
        customer_months.month_start,
        count(*) as tickets_resolved,
        percentile_cont(0.5) within group (order by tickets.hours_to_resolution) as median_resolution_hours
    from customer_months
    inner join tickets
        on customer_months.customer_id = tickets.customer_id
        and tickets.resolved_date > customer_months.window_start_exclusive
        and tickets.resolved_date <= customer_months.period_end_as_of
    where tickets.hours_to_resolution is not null
    group by 1, 2

),

delivery_measures as (

    select
        customer_months.customer_id,
        customer_months.month_start,
        count(*) as deliveries_promised,
        sum(case when deliveries.is_on_time_in_full then 1 else 0 end) as deliveries_on_time_in_full
    from customer_months
    inner join deliveries
        on customer_months.customer_id = deliveries.customer_id
        and deliveries.promised_date > customer_months.window_start_exclusive
        and deliveries.promised_date <= customer_months.period_end_as_of
    group by 1, 2

),

installation_measures as (

    select
        customer_months.customer_id,
        customer_months.month_start,
        count(*) as installations_promised,
        sum(case when deliveries.is_installation_on_time then 1 else 0 end) as installations_on_time
    from customer_months
    inner join deliveries
        on customer_months.customer_id = deliveries.customer_id
        and deliveries.install_promised_date > customer_months.window_start_exclusive
        and deliveries.install_promised_date <= customer_months.period_end_as_of
    where deliveries.requires_installation
    group by 1, 2

),

survey_measures as (

    select
        customer_months.customer_id,
        customer_months.month_start,
        count(surveys.nps_score) as nps_responses,
        sum(case when surveys.is_promoter then 1 else 0 end) as nps_promoters,
        sum(case when surveys.is_detractor then 1 else 0 end) as nps_detractors,
        avg(surveys.csat_economic) as csat_economic_mean,
        avg(surveys.csat_relationship) as csat_relationship_mean
    from customer_months
    inner join surveys
        on customer_months.customer_id = surveys.customer_id
        and surveys.surveyed_date > customer_months.window_start_exclusive
        and surveys.surveyed_date <= customer_months.period_end_as_of
    group by 1, 2

),

final as (

    select
        customer_months.customer_id,
        customer_months.month_start,
        customer_months.period_end_as_of,
        cast(coalesce(ticket_measures.tickets_opened, 0) as bigint) as tickets_opened,
        cast(coalesce(ticket_measures.complaints_opened, 0) as bigint) as complaints_opened,
        {{ safe_divide('ticket_measures.tickets_within_sla', 'ticket_measures.tickets_opened') }}
            as first_response_rate,
        resolution_measures.median_resolution_hours,
        cast(coalesce(delivery_measures.deliveries_promised, 0) as bigint) as deliveries_promised,
        {{ safe_divide('delivery_measures.deliveries_on_time_in_full', 'delivery_measures.deliveries_promised') }}
            as on_time_delivery_rate,
        cast(coalesce(installation_measures.installations_promised, 0) as bigint) as installations_promised,
        {{ safe_divide('installation_measures.installations_on_time', 'installation_measures.installations_promised') }}
            as installation_on_time_rate,
        cast(coalesce(survey_measures.nps_responses, 0) as bigint) as nps_responses,
        100.0 * {{ safe_divide(
            'survey_measures.nps_promoters - survey_measures.nps_detractors', 'survey_measures.nps_responses'
        ) }} as nps,
        {{ mean_of_present(['survey_measures.csat_economic_mean', 'survey_measures.csat_relationship_mean']) }}
            as csat_mean
    from customer_months
    left join ticket_measures
        on customer_months.customer_id = ticket_measures.customer_id
        and customer_months.month_start = ticket_measures.month_start
    left join resolution_measures
        on customer_months.customer_id = resolution_measures.customer_id
        and customer_months.month_start = resolution_measures.month_start
    left join delivery_measures
        on customer_months.customer_id = delivery_measures.customer_id
        and customer_months.month_start = delivery_measures.month_start
    left join installation_measures
        on customer_months.customer_id = installation_measures.customer_id
        and customer_months.month_start = installation_measures.month_start
    left join survey_measures
        on customer_months.customer_id = survey_measures.customer_id
        and customer_months.month_start = survey_measures.month_start

)

select * from final
