{#- One row per day of the calendar (int_calendar_bounds): from the first day of the year of the
    history's earliest event to the as-of date's year end. -#}
with as_of as (

    select * from {{ ref('base_erp__as_of_date') }}

),

bounds as (

    select * from {{ ref('int_calendar_bounds') }}

),

{# Day numbers 0 .. 99,999 (273 years) without a database-specific series function. -#}
digits as (

    select ten_digits.digit
    from (values (0), (1), (2), (3), (4), (5), (6), (7), (8), (9)) as ten_digits (digit)

),

day_numbers as (

    select d1.digit + 10 * d2.digit + 100 * d3.digit + 1000 * d4.digit + 10000 * d5.digit as day_number
    from digits as d1
    cross join digits as d2
    cross join digits as d3
    cross join digits as d4
    cross join digits as d5

),

days as (

    select cast({{ dbt.dateadd('day', 'day_numbers.day_number', 'bounds.calendar_start_date') }} as date) as date_day
    from day_numbers
    cross join bounds
    where day_numbers.day_number <= {{ dbt.datediff('bounds.calendar_start_date', 'bounds.calendar_end_date', 'day') }}

),

final as (

    select
        days.date_day,
        {# extract is a bigint on DuckDB, an int on Spark: bigint on both #}
        cast(extract(year from days.date_day) as bigint) as calendar_year,
        cast(extract(quarter from days.date_day) as bigint) as calendar_quarter,
        cast(extract(month from days.date_day) as bigint) as calendar_month,
        {{ iso_day_of_week('days.date_day') }} as iso_day_of_week,
        {{ iso_day_of_week('days.date_day') }} >= 6 as is_weekend,
        {{ period_start("'month'", 'days.date_day') }} as month_start,
        {{ period_start("'quarter'", 'days.date_day') }} as quarter_start,
        {{ period_start("'year'", 'days.date_day') }} as year_start,
        {{ period_start("'fiscal_year'", 'days.date_day') }} as fiscal_year_start,
        {# The fiscal year is named after the calendar year it ends in
           (FY2026 = Apr 2025 – Mar 2026 with an April start). #}
        cast(
            extract(year from {{ dbt.dateadd('month', 11, period_start("'fiscal_year'", 'days.date_day')) }})
            as bigint
        ) as fiscal_year,
        days.date_day <= as_of.as_of_date as is_on_or_before_as_of
    from days
    cross join as_of

)

select * from final
