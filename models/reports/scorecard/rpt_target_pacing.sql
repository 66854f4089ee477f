{#- Pacing (时间进度 vs 业绩进度) of each rep and team, period and summed indicator with a plan
    target (catalog target_column, period_aggregation 'sum': sales_amount, new_customers), for
    running and closed periods. as_of_date = the period's last day to date (the warehouse
    as-of date in a running period). time_elapsed_share = days from period_start to as_of_date
    (both counted) / days of the period; with var scorecard_pacing_calendar = 'weekdays' only
    Monday-Friday count (dim_dates.is_weekend). value_to_date = the published value (0 without
    one). attainment_to_date = value / full-period target; pace_gap = attainment_to_date -
    time_elapsed_share; required_daily_run_rate = (target - value) / remaining days (0 once the
    target is met, NULL on the last day); projected_value_run_rate = value / elapsed share;
    projected_value_last_year_shape = value / the share of last year's same period that was
    reached by the same day (daily order-line net sales or acquisitions of the entity; NULL
    without last-year activity). status by pace_gap: 'ahead' above var scorecard_pacing_ahead
    (0.05), 'behind' below var scorecard_pacing_behind (-0.05), else 'on_track'; NULL without
    a target. -#}
{%- set days_to_date = dbt.datediff('spine.period_start', 'spine.as_of_date', 'day') %}
{%- set weekdays_only = var('scorecard_pacing_calendar', 'calendar_days') == 'weekdays' %}
with entity_periods as (

    select * from {{ ref('int_scorecard__entity_periods') }}

),

catalog as (

    select * from {{ ref('indicator_catalog') }}
    where target_column is not null and period_aggregation = 'sum'

),

period_days as (

    select
        entity_periods.period_type,
        entity_periods.period_start,
        count(*) as days_total,
        count(case when dates.date_day <= entity_periods.period_end_as_of then 1 end) as days_elapsed
    from (
        select distinct
            period_type,
            period_start,
            period_end,
            period_end_as_of
        from entity_periods
    ) as entity_periods
    inner join {{ ref('dim_dates') }} as dates
        on dates.date_day between entity_periods.period_start and entity_periods.period_end
    {%- if weekdays_only %}
    where not dates.is_weekend
    {%- endif %}
    group by 1, 2

),

daily as (

    {#- Daily activity of last year's shape, one row per entity, indicator and day. -#}
    select
        'rep' as grain,
        rep_id as entity_id,
        'sales_amount' as indicator_code,
        order_date as activity_date,
        sum(net_sales) as amount
    from {{ ref('fct_order_lines') }}
    group by 1, 2, 3, 4
    union all
    select
        'team' as grain,
        team_id as entity_id,
        'sales_amount' as indicator_code,
        order_date as activity_date,
        sum(net_sales) as amount
    from {{ ref('fct_order_lines') }}
    group by 1, 2, 3, 4
    union all
    select
        'rep' as grain,
        rep_id as entity_id,
        'new_customers' as indicator_code,
        acquisition_date as activity_date,
        count(*) as amount
    from {{ ref('fct_customer_acquisitions') }}
    group by 1, 2, 3, 4
    union all
    select
        'team' as grain,
        team_id as entity_id,
        'new_customers' as indicator_code,
        acquisition_date as activity_date,
        count(*) as amount
    from {{ ref('fct_customer_acquisitions') }}
    group by 1, 2, 3, 4

),

spine as (

    select
        entity_periods.entity_type as grain,
        entity_periods.entity_id,
        entity_periods.period_type,
        entity_periods.period_start,
        entity_periods.period_end,
        entity_periods.period_end_as_of as as_of_date,
        entity_periods.same_period_last_year_start,
        catalog.indicator_code,
        period_days.days_total,
        period_days.days_elapsed
    from entity_periods
    cross join catalog
    inner join period_days
        on entity_periods.period_type = period_days.period_type
        and entity_periods.period_start = period_days.period_start

),

last_year_shape as (

    select
        spine.grain,
        spine.entity_id,
        spine.period_type,
        spine.period_start,
        spine.indicator_code,
        sum(case
            when daily.activity_date
                <= {{ dbt.dateadd('day', days_to_date, 'spine.same_period_last_year_start') }}
                then daily.amount
        end) / nullif(sum(daily.amount), 0) as share_to_date
    from spine
    inner join daily
        on spine.grain = daily.grain
        and spine.entity_id = daily.entity_id
        and spine.indicator_code = daily.indicator_code
        and daily.activity_date between spine.same_period_last_year_start
        and {{ dbt.dateadd('month', -12, 'spine.period_end') }}
    where spine.period_end > spine.as_of_date
    group by 1, 2, 3, 4, 5

),

measured as (

    select
        spine.*,
        targets.target_value as target_full_period,
        coalesce(indicator_values.value, 0) as value_to_date,
        {{ safe_divide('spine.days_elapsed', 'spine.days_total') }} as time_elapsed_share,
        spine.days_total - spine.days_elapsed as days_remaining,
        case when spine.period_end <= spine.as_of_date then 1.0 else last_year_shape.share_to_date end as ly_share
    from spine
    left join {{ ref('int_indicator_targets') }} as targets
        on spine.grain = targets.grain
        and spine.entity_id = targets.entity_id
        and spine.indicator_code = targets.indicator_code
        and spine.period_type = targets.period_type
        and spine.period_start = targets.period_start
    left join {{ ref('indicator_values') }} as indicator_values
        on spine.grain = indicator_values.grain
        and spine.entity_id = indicator_values.entity_id
        and spine.indicator_code = indicator_values.indicator_code
        and spine.period_type = indicator_values.period_type
        and spine.period_start = indicator_values.period_start
    left join last_year_shape
        on spine.grain = last_year_shape.grain
        and spine.entity_id = last_year_shape.entity_id
        and spine.indicator_code = last_year_shape.indicator_code
        and spine.period_type = last_year_shape.period_type
        and spine.period_start = last_year_shape.period_start

),

final as (

    select
        grain,
        entity_id,
        period_type,
        period_start,
        period_end,
        as_of_date,
        indicator_code,
        target_full_period,
        value_to_date,
        time_elapsed_share,
        {{ safe_divide('value_to_date', 'target_full_period') }} as attainment_to_date,
        {{ safe_divide('value_to_date', 'target_full_period') }} - time_elapsed_share as pace_gap,
        case
            when target_full_period is null or days_remaining = 0 then null
            else greatest(target_full_period - value_to_date, 0) / days_remaining
        end as required_daily_run_rate,
        {{ safe_divide('value_to_date', 'time_elapsed_share') }} as projected_value_run_rate,
        {{ safe_divide('value_to_date', 'ly_share') }} as projected_value_last_year_shape,
        case
            when {{ safe_divide('value_to_date', 'target_full_period') }} is null then null
            when {{ safe_divide('value_to_date', 'target_full_period') }} - time_elapsed_share
                > {{ var('scorecard_pacing_ahead', 0.05) }} then 'ahead'
            when {{ safe_divide('value_to_date', 'target_full_period') }} - time_elapsed_share
                < {{ var('scorecard_pacing_behind', -0.05) }} then 'behind'
            else 'on_track'
        end as status
    from measured

)

select * from final
