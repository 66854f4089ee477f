{#- Improvement-plan flags (绩效改进计划, PIP) per rep and period. Rules (one flag_code each):
    - below_base_composite: composite before the veto below 60 (the base tier) for at least
      var scorecard_pip_consecutive_periods (3) consecutive periods of the type;
    - below_base_results: the results indicators' score below 60 for as many consecutive periods;
    - compliance_veto: a failed veto compliance check in the period (一票否决);
    - customer_concentration: the largest customer's share of the rep's sales above var
      scorecard_concentration_threshold (0.30; indicator customer_concentration);
    - churn_risk_exposure: the share of the predicted CLV of the rep's high-value customers
      (clv_tier 'high' at the period's last day to date, fct_customer_clv_snapshots) held by
      customers at churn risk above var scorecard_churn_exposure_threshold (0.25).
    consecutive_periods counts the periods in a row, up to this one, in which the rule held.
    drag_indicators: the scorecard indicators below base, the largest weighted shortfall first. -#}
{%- set pip_periods = var('scorecard_pip_consecutive_periods', 3) %}
with summary as (

    select * from {{ ref('rpt_scorecard_summary') }}
    where entity_type = 'rep'

),

periods as (

    select * from {{ ref('dim_periods') }}

),

concentration as (

    select * from {{ ref('indicator_values') }}
    where grain = 'rep' and indicator_code = 'customer_concentration'

),

churn as (

    select
        summary.entity_id as rep_id,
        summary.period_type,
        summary.period_start,
        count(*) as high_value_customers,
        count(case when snapshots.churn_risk = 1 then 1 end) as at_risk_customers,
        {{ safe_divide('sum(case when snapshots.churn_risk = 1 then snapshots.clv_predicted else 0 end)',
            'sum(snapshots.clv_predicted)') }} as at_risk_share
    from summary
    inner join periods
        on summary.period_type = periods.period_type
        and summary.period_start = periods.period_start
    inner join {{ ref('fct_customer_clv_snapshots') }} as snapshots
        on summary.entity_id = snapshots.owner_rep_id
        and periods.period_end_as_of = snapshots.as_of_date
    where snapshots.clv_tier = 'high'
    group by 1, 2, 3

),

drags as (

    select
        entity_id as rep_id,
        period_type,
        period_start,
        {{ string_agg_ordered(
            "indicator_code || ' (' || cast(round(score) as integer) || ')'",
            "', '",
            tie_safe('(60 - score) * weight') ~ ' desc, indicator_code'
        ) }} as drag_indicators
    from {{ ref('rpt_scorecard') }}
    where entity_type = 'rep' and not {{ reaches('score', '60') }}
    group by 1, 2, 3

),

rules as (

    select 'below_base_composite' as flag_code
    union all
    select 'below_base_results' as flag_code
    union all
    select 'compliance_veto' as flag_code
    union all
    select 'customer_concentration' as flag_code
    union all
    select 'churn_risk_exposure' as flag_code

),

conditions as (

    select
        summary.entity_id as rep_id,
        summary.team_id,
        summary.period_type,
        summary.period_start,
        rules.flag_code,
        case rules.flag_code
            when 'below_base_composite' then not {{ reaches('summary.composite_before_veto', '60') }}
            when 'below_base_results' then not {{ reaches('summary.results_score', '60') }}
            when 'compliance_veto' then summary.is_vetoed
            when 'customer_concentration' then concentration.value > {{ var('scorecard_concentration_threshold', 0.3) }}
            when 'churn_risk_exposure' then churn.at_risk_share > {{ var('scorecard_churn_exposure_threshold', 0.25) }}
        end as holds,
        case rules.flag_code
            when
                'below_base_composite'
                then 'composite score ' || cast(round(summary.composite_before_veto, 1) as string)
            when 'below_base_results' then 'results score ' || cast(round(summary.results_score, 1) as string)
            when 'compliance_veto' then summary.veto_reason
            when 'customer_concentration'
                then 'largest customer ' || cast(round(100 * concentration.value, 1) as string) || ' % of sales'
            when 'churn_risk_exposure'
                then cast(churn.at_risk_customers as string) || ' of ' || cast(churn.high_value_customers as string)
                    || ' high-value customers at churn risk (' || cast(round(100 * churn.at_risk_share, 1) as string)
                    || ' % of their predicted CLV)'
        end as detail
    from summary
    cross join rules
    left join concentration
        on summary.entity_id = concentration.entity_id
        and summary.period_type = concentration.period_type
        and summary.period_start = concentration.period_start
    left join churn
        on summary.entity_id = churn.rep_id
        and summary.period_type = churn.period_type
        and summary.period_start = churn.period_start

),

runs as (

    select
        conditions.*,
        row_number()
            over (
                partition by conditions.rep_id, conditions.period_type, conditions.flag_code
                order by conditions.period_start
            )
        - row_number() over (
            partition by
                conditions.rep_id, conditions.period_type, conditions.flag_code, coalesce(conditions.holds, false)
            order by conditions.period_start
        ) as run_id
    from conditions

),

counted as (

    select
        runs.*,
        cast(row_number() over (
            partition by runs.rep_id, runs.period_type, runs.flag_code, coalesce(runs.holds, false), runs.run_id
            order by runs.period_start
        ) as bigint) as consecutive_periods
    from runs

),

final as (

    select
        counted.rep_id,
        counted.team_id,
        counted.period_type,
        counted.period_start,
        counted.flag_code,
        counted.detail
        || case
            when counted.flag_code like 'below_base%'
                then ', below the base tier (60) for ' || cast(counted.consecutive_periods as string)
                    || ' consecutive ' || counted.period_type || 's'
            else ''
        end as reason,
        drags.drag_indicators,
        counted.consecutive_periods
    from counted
    left join drags
        on counted.rep_id = drags.rep_id
        and counted.period_type = drags.period_type
        and counted.period_start = drags.period_start
    where counted.holds
        and (counted.flag_code not like 'below_base%' or counted.consecutive_periods >= {{ pip_periods }})

)

select * from final
