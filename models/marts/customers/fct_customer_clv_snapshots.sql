{#- Dynamic CLV: one row per customer and snapshot date (every month end and the as-of date;
    quarter ends flagged), for every customer with a purchase up to that date. Joins the model's
    predictions (fct_customer_clv_predictions) and the formula CLV (fct_customer_clv_formula),
    and adds:
    - churn_risk: 1 when p_alive < var churn_p_alive_threshold, or when the days since the last
      purchase exceed var churn_interval_multiple × the customer's mean inter-purchase interval
      (the segment's mean interval at that date for a customer who bought only once);
    - clv_tier: the customers active at the date ranked by clv_predicted: the top var
      clv_high_tier_share are 'high', the next var clv_medium_tier_share 'medium', the rest
      'low'; customers who have lapsed are 'low'; NULL without a predicted CLV;
    - the owner rep at the date and that rep's team at the date. -#}
with predictions as (

    select * from {{ ref('fct_customer_clv_predictions') }}

),

formula as (

    select * from {{ ref('fct_customer_clv_formula') }}

),

snapshot_dates as (

    select * from {{ ref('dim_clv_snapshot_dates') }}

),

spells as (

    select * from {{ ref('fct_customer_activity_spells') }}

),

active_customers as (

    select distinct
        predictions.as_of_date,
        predictions.customer_id
    from predictions
    inner join spells
        on predictions.customer_id = spells.customer_id
        and {{ spell_covers('predictions.as_of_date') }}

),

segment_intervals as (

    select
        as_of_date,
        segment,
        avg(mean_interpurchase_days) as segment_interpurchase_days
    from predictions
    where frequency > 0
    group by 1, 2

),

scored as (

    select
        predictions.*,
        active_customers.customer_id is not null as is_active,
        coalesce(predictions.mean_interpurchase_days, segment_intervals.segment_interpurchase_days)
            as churn_reference_interval_days
    from predictions
    left join active_customers
        on predictions.as_of_date = active_customers.as_of_date
        and predictions.customer_id = active_customers.customer_id
    left join segment_intervals
        on predictions.as_of_date = segment_intervals.as_of_date
        and predictions.segment = segment_intervals.segment

),

ranked as (

    select
        scored.*,
        case
            when scored.is_active and scored.clv_predicted is not null then cast(row_number() over (
                    partition by scored.as_of_date, scored.is_active and scored.clv_predicted is not null
                    order by scored.clv_predicted desc, scored.customer_id asc
                ) as bigint)
        end as clv_rank,
        sum(case when scored.is_active and scored.clv_predicted is not null then 1 else 0 end)
            over (partition by scored.as_of_date) as ranked_customers
    from scored

),

final as (

    select
        ranked.as_of_date,
        ranked.customer_id,
        ranked.segment,
        owner_on_date.owner_rep_id,
        owner_team.team_id as owner_team_id,
        snapshot_dates.is_month_end,
        snapshot_dates.is_quarter_end,
        snapshot_dates.is_as_of_date,
        ranked.is_active,
        ranked.fit_as_of_date,
        ranked.first_purchase_date,
        ranked.last_purchase_date,
        ranked.n_purchases,
        ranked.frequency,
        ranked.recency,
        ranked.age,
        ranked.days_since_last_purchase,
        ranked.mean_interpurchase_days,
        ranked.churn_reference_interval_days,
        ranked.p_alive,
        ranked.expected_purchases,
        ranked.expected_spend_per_purchase,
        ranked.margin_rate_used as predicted_margin_rate,
        ranked.expected_margin_per_purchase,
        ranked.clv_predicted,
        ranked.clv_predicted_low,
        ranked.clv_predicted_high,
        ranked.p_alive_low,
        ranked.p_alive_high,
        ranked.clv_model,
        formula.annual_purchase,
        formula.active_years,
        formula.expected_relationship_years,
        formula.gross_margin_rate,
        formula.maintenance_cost,
        formula.clv_formula,
        case
            when ranked.p_alive < {{ var('churn_p_alive_threshold', 0.5) }} then 1
            when ranked.days_since_last_purchase
                > {{ var('churn_interval_multiple', 3) }} * ranked.churn_reference_interval_days then 1
            else 0
        end as churn_risk,
        ranked.clv_rank,
        case
            when ranked.clv_predicted is null then null
            when not ranked.is_active then 'low'
            when ranked.clv_rank <= ceiling(ranked.ranked_customers * {{ var('clv_high_tier_share', 0.2) }}) then 'high'
            when ranked.clv_rank <= ceiling(
                    ranked.ranked_customers
                    * ({{ var('clv_high_tier_share', 0.2) }} + {{ var('clv_medium_tier_share', 0.3) }})
                ) then 'medium'
            else 'low'
        end as clv_tier
    from ranked
    inner join snapshot_dates
        on ranked.as_of_date = snapshot_dates.snapshot_date
    left join formula
        on ranked.as_of_date = formula.as_of_date
        and ranked.customer_id = formula.customer_id
    {{ join_owner_on_date('owner_on_date', 'ranked.customer_id', 'ranked.as_of_date') }}
    {{ join_team_on_date('owner_team', 'owner_on_date.owner_rep_id', 'ranked.as_of_date') }}

)

select * from final
