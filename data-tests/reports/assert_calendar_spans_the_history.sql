{#- The calendar (dim_dates) holds every day from int_calendar_bounds.calendar_start_date (the
    year of the history's earliest event, or var calendar_start_date) to calendar_end_date: a
    calendar that misses days of the data would silently empty the periods, CLV snapshots and
    figures of those days. Fails with the bounds and what to set. -#}
with bounds as (

    select * from {{ ref('int_calendar_bounds') }}

),

calendar as (

    select min(date_day) as first_day, max(date_day) as last_day, count(*) as days
    from {{ ref('dim_dates') }}

)

select
    bounds.calendar_start_date,
    bounds.calendar_end_date,
    bounds.history_start_date,
    calendar.first_day,
    calendar.last_day,
    calendar.days,
    'dim_dates must span the history: check the dates of the landing data (a typo year such as 0024?) '
    || 'or the vars calendar_start_date / calendar_end_date (env SALESPERF_CALENDAR_START_DATE, '
    || 'SALESPERF_CALENDAR_END_DATE); at most 99,999 days' as fix
from bounds
cross join calendar
where calendar.days = 0
    or calendar.first_day is null
    or calendar.first_day > bounds.history_start_date
    or calendar.first_day <> bounds.calendar_start_date
    or calendar.last_day <> bounds.calendar_end_date
    or calendar.last_day < bounds.as_of_date
