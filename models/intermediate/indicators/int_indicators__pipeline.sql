{#- Opportunity pipeline, over opportunities closed (won or lost) with closed_at in the period,
    to the opportunity's rep and that rep's team on the close date (product: its main product):
    - opportunity_win_rate: won / (won + lost);
    - project_cycle_attainment: B2B won with cycle_days <= target_cycle_days / B2B won; a won
      opportunity without target_cycle_days (or without a cycle) enters neither side;
    - decision_chain_coverage: mean over B2B closed opportunities of decision roles engaged / 5;
    - demand_forecast_accuracy: mean over won opportunities of
      1 - min(1, |forecast_amount - won_amount| / won_amount), amounts in the base currency;
      a won amount of 0 (or below) or NULL, or a NULL forecast, leaves the opportunity out.
    A row exists when the indicator's population (closed, B2B won, B2B closed, won) is not
    empty; its value is NULL when every member of it was left out. -#}
with opportunities as (

    select * from {{ ref('fct_opportunities') }}

),

closed_opportunities as (

    select
        opportunities.*,
        case
            when opportunities.is_won and opportunities.won_amount > 0 and opportunities.forecast_amount is not null
                then
                    1 - case
                        when
                            abs(opportunities.forecast_amount - opportunities.won_amount) / opportunities.won_amount > 1
                            then 1
                        else abs(opportunities.forecast_amount - opportunities.won_amount) / opportunities.won_amount
                    end
        end as forecast_accuracy,
        case
            when opportunities.is_b2b and opportunities.is_won and opportunities.target_cycle_days is not null
                and opportunities.cycle_days is not null
                then case when opportunities.cycle_days <= opportunities.target_cycle_days then 1 else 0 end
        end as is_cycle_on_target,
        case
            when opportunities.is_b2b then opportunities.decision_roles_engaged / 5.0
        end as decision_chain_share
    from opportunities
    where opportunities.is_closed

),

rolled_up as (

    {{ rollup_by_grain_and_period(
        'closed_opportunities', 'closed_date',
        [
            'count(*) as closed_opportunities',
            'sum(case when is_won then 1 else 0 end) as won_opportunities',
            'sum(case when is_b2b and is_won then 1 else 0 end) as b2b_won_opportunities',
            'sum(is_cycle_on_target) as b2b_won_on_cycle',
            'count(is_cycle_on_target) as b2b_won_with_cycle_target',
            'sum(case when is_b2b then 1 else 0 end) as b2b_closed_opportunities',
            'sum(decision_chain_share) as decision_chain_share_sum',
            'count(decision_chain_share) as b2b_closed_with_decision_chain',
            'sum(forecast_accuracy) as forecast_accuracy_sum',
            'count(forecast_accuracy) as won_with_forecast',
        ],
        ['team', 'rep', 'product', 'company'],
    ) }}

),

indicators as (

    {{ indicator_rows('rolled_up', 'opportunity_win_rate',
        safe_divide('won_opportunities', 'closed_opportunities'), 'won_opportunities', 'closed_opportunities') }}
    union all
    {{ indicator_rows('rolled_up', 'project_cycle_attainment',
        safe_divide('b2b_won_on_cycle', 'b2b_won_with_cycle_target'), 'b2b_won_on_cycle', 'b2b_won_with_cycle_target',
        where="grain <> 'product' and b2b_won_opportunities > 0") }}
    union all
    {{ indicator_rows('rolled_up', 'decision_chain_coverage',
        safe_divide('decision_chain_share_sum', 'b2b_closed_with_decision_chain'), 'decision_chain_share_sum', 'b2b_closed_with_decision_chain',
        where="grain <> 'product' and b2b_closed_opportunities > 0") }}
    union all
    {{ indicator_rows('rolled_up', 'demand_forecast_accuracy',
        safe_divide('forecast_accuracy_sum', 'won_with_forecast'), 'forecast_accuracy_sum', 'won_with_forecast',
        where="grain <> 'product' and won_opportunities > 0") }}

)

select * from indicators
