{#- Customer health card (客户健康度): per customer active at a month's end and that month, the five
    0-100 sub-scores (int_customer_health__subscores), the overall score, the status and the two
    main drivers.
    - overall = weighted mean of the sub-scores present (var customer_health_weights): a sub-score
      without data is left out and the weights of the others are renormalised, so a customer is
      judged on what is known about them, never on an invented neutral value;
    - status: green at var customer_health_green_min or more, amber at var customer_health_amber_min
      or more, red below;
    - drivers: the two lowest sub-scores present; equal scores go in the card's order (stability,
      service, commitments, satisfaction, value_trend). NULL when fewer sub-scores are present.
    The owner rep and team are those at the month's end (fct_customer_period_status). -#}
{%- set weights = var('customer_health_weights') -%}
{%- set sub_scores = ['stability', 'service', 'commitments', 'satisfaction', 'value_trend'] -%}
with subscores as (

    select * from {{ ref('int_customer_health__subscores') }}

),

customer_status as (

    select * from {{ ref('fct_customer_period_status') }}
    where period_type = 'month'

),

weighted as (

    select
        customer_id,
        month_start,
        (
            {%- for s in sub_scores %}
            coalesce({{ s }}_score * {{ weights[s] }}, 0.0){{ ' +' if not loop.last }}
            {%- endfor %}
        ) as weighted_sum,
        (
            {%- for s in sub_scores %}
            case when {{ s }}_score is null then 0.0 else {{ weights[s] }} end{{ ' +' if not loop.last }}
            {%- endfor %}
        ) as weight_present,
        {% for s in sub_scores -%}
        case when {{ s }}_score is null then 0 else 1 end{{ ' +' if not loop.last }}
        {% endfor -%}
            as sub_scores_present
    from subscores

),

scored as (

    select
        customer_id,
        month_start,
        sub_scores_present,
        {{ safe_divide('weighted_sum', 'weight_present') }} as overall_score
    from weighted

),

{# One row per sub-score present, ranked from the lowest; ties in the card's order. #}
long_scores as (

    {%- for s in sub_scores %}
    select
        customer_id,
        month_start,
        '{{ s }}' as sub_score,
        {{ loop.index }} as card_position,
        {{ s }}_score as score
    from subscores
    where {{ s }}_score is not null
    {{ 'union all' if not loop.last }}
    {%- endfor %}

),

ranked as (

    select
        customer_id,
        month_start,
        sub_score,
        row_number() over (
            partition by customer_id, month_start
            order by score, card_position
        ) as driver_rank
    from long_scores

),

drivers as (

    select
        customer_id,
        month_start,
        max(case when driver_rank = 1 then sub_score end) as driver_1,
        max(case when driver_rank = 2 then sub_score end) as driver_2
    from ranked
    where driver_rank <= 2
    group by 1, 2

),

final as (

    select
        subscores.customer_id,
        subscores.month_start,
        subscores.period_end_as_of,
        customer_status.owner_rep_id,
        customer_status.owner_team_id,
        {%- for s in sub_scores %}
        subscores.{{ s }}_score,
        {%- endfor %}
        scored.overall_score,
        case
            when {{ reaches('scored.overall_score', var('customer_health_green_min') | string) }} then 'green'
            when {{ reaches('scored.overall_score', var('customer_health_amber_min') | string) }} then 'amber'
            when scored.overall_score is not null then 'red'
        end as health_status,
        drivers.driver_1,
        drivers.driver_2,
        scored.sub_scores_present,
        subscores.relationship_years,
        subscores.p_alive,
        subscores.order_rhythm_ratio,
        subscores.complaints_opened,
        subscores.first_response_rate,
        subscores.median_resolution_hours,
        subscores.on_time_delivery_rate,
        subscores.installation_on_time_rate,
        subscores.nps,
        subscores.csat_mean,
        subscores.sales_growth,
        subscores.clv_growth,
        subscores.share_of_wallet
    from subscores
    inner join scored
        on subscores.customer_id = scored.customer_id
        and subscores.month_start = scored.month_start
    left join drivers
        on subscores.customer_id = drivers.customer_id
        and subscores.month_start = drivers.month_start
    left join customer_status
        on subscores.customer_id = customer_status.customer_id
        and subscores.month_start = customer_status.period_start

)

select * from final
