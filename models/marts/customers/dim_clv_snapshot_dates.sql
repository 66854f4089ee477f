{#- The dates at which customer lifetime value is snapshotted: every month end of the history and
    the as-of date (the end of the running month). Every period_end_as_of of dim_periods is one
    of them, so each period's customer values read the snapshot of the period's end. The model
    is refitted at the refit dates (var clv_refit_frequency: 'month' = every snapshot,
    'quarter' = the first snapshot, quarter ends and the as-of date); between two refits, customers are scored with
    the latest earlier fit on their history up to the snapshot date. -#}
with dates as (

    select * from {{ ref('dim_dates') }}

),

as_of as (

    select * from {{ ref('base_erp__as_of_date') }}

),

flagged as (

    select
        dates.date_day as snapshot_date,
        dates.calendar_year,
        dates.calendar_month,
        cast({{ dbt.dateadd('day', 1, 'dates.date_day') }} as date)
        = cast({{ dbt.dateadd('month', 1, 'dates.month_start') }} as date) as is_month_end,
        dates.date_day = as_of.as_of_date as is_as_of_date
    from dates
    cross join as_of
    where dates.date_day <= as_of.as_of_date
        and dates.date_day >= as_of.history_start_date

),

final as (

    select
        snapshot_date,
        is_month_end,
        is_month_end and calendar_month in (3, 6, 9, 12) as is_quarter_end,
        is_as_of_date,
        {%- if var('clv_refit_frequency', 'month') == 'quarter' %}
        (is_month_end and calendar_month in (3, 6, 9, 12))
            or is_as_of_date
            or snapshot_date = min(snapshot_date) over () as is_refit_date
        {%- else %}
        true as is_refit_date
        {%- endif %}
    from flagged
    where is_month_end or is_as_of_date

)

select * from final
