{#- Customer health card, the five 0-100 sub-scores of each customer active at a month's end.
    Every raw measure maps linearly onto 0-100 between two bounds (macro health_scale, clamped):
    - stability = mean of: relationship years (0 years = 0, var customer_health_tenure_full_years = 100),
      P(alive) x 100, order rhythm (days since the last purchase / usual interval: 1 or less = 100,
      var churn_interval_multiple (the churn_risk rule) or more = 0);
    - service = mean of: complaints (100 - var customer_health_complaint_penalty per complaint, at
      least 0; only with a ticket in the window), first response within SLA (rate x 100), median
      hours to resolution (var customer_health_resolution_hours: good = 100, bad = 0);
    - commitments = mean of: deliveries on time in full (rate x 100), installations on time (rate x 100);
    - satisfaction = mean of: NPS (-100 = 0, +100 = 100), CSAT (1 = 0, 5 = 100; mean of the
      economic and relationship scores);
    - value_trend = mean of: sales growth and CLV growth vs a year earlier (var customer_health_growth:
      bad = 0, good = 100), share of wallet (0 = 0, var customer_health_wallet_share_full = 100).
    A component without data (no ticket, delivery, installation, survey, earlier year or wallet
    estimate in the window) is left out of its sub-score's mean; a sub-score with no component is
    NULL ("no data") and rpt_customer_health leaves it out of the weighted overall score. -#}
{%- set resolution = var('customer_health_resolution_hours') -%}
{%- set growth = var('customer_health_growth') -%}
with events as (

    select * from {{ ref('int_customer_health__events') }}

),

value_measures as (

    select * from {{ ref('int_customer_health__value') }}

),

components as (

    select
        events.customer_id,
        events.month_start,
        events.period_end_as_of,
        {{ health_scale('value_measures.relationship_years', 0, var('customer_health_tenure_full_years')) }}
            as tenure_score,
        {{ health_scale('value_measures.p_alive', 0, 1) }} as p_alive_score,
        {{ health_scale('value_measures.order_rhythm_ratio', var('churn_interval_multiple'), 1) }}
            as order_rhythm_score,
        case when events.tickets_opened > 0
                then greatest(0.0, 100.0 - {{ var('customer_health_complaint_penalty') }} * events.complaints_opened)
        end as complaints_score,
        {{ health_scale('events.first_response_rate', 0, 1) }} as first_response_score,
        {{ health_scale('events.median_resolution_hours', resolution['bad'], resolution['good']) }}
            as resolution_score,
        {{ health_scale('events.on_time_delivery_rate', 0, 1) }} as delivery_score,
        {{ health_scale('events.installation_on_time_rate', 0, 1) }} as installation_score,
        {{ health_scale('events.nps', -100, 100) }} as nps_score,
        {{ health_scale('events.csat_mean', 1, 5) }} as csat_score,
        {{ health_scale('value_measures.sales_growth', growth['bad'], growth['good']) }} as sales_trend_score,
        {{ health_scale('value_measures.clv_growth', growth['bad'], growth['good']) }} as clv_trend_score,
        {{ health_scale('value_measures.share_of_wallet', 0, var('customer_health_wallet_share_full')) }}
            as wallet_score,
        value_measures.relationship_years,
        value_measures.p_alive,
        value_measures.order_rhythm_ratio,
        events.complaints_opened,
        events.first_response_rate,
        events.median_resolution_hours,
        events.on_time_delivery_rate,
        events.installation_on_time_rate,
        events.nps,
        events.csat_mean,
        value_measures.sales_growth,
        value_measures.clv_growth,
        value_measures.share_of_wallet
    from events
    inner join value_measures
        on events.customer_id = value_measures.customer_id
        and events.month_start = value_measures.month_start

),

final as (

    select
        *,
        {{ mean_of_present(['tenure_score', 'p_alive_score', 'order_rhythm_score']) }} as stability_score,
        {{ mean_of_present(['complaints_score', 'first_response_score', 'resolution_score']) }} as service_score,
        {{ mean_of_present(['delivery_score', 'installation_score']) }} as commitments_score,
        {{ mean_of_present(['nps_score', 'csat_score']) }} as satisfaction_score,
        {{ mean_of_present(['sales_trend_score', 'clv_trend_score', 'wallet_score']) }} as value_trend_score
    from components

)

select * from final
