{#- One row per day from the first day of the first year with an order to the as-of date's year end. -#}
with as_of as (

    select * from {{ ref('int_as_of_date') }}

),

spine as (

    {{ dbt.date_spine(
        datepart='day',
        start_date="cast('" ~ var('calendar_start_date') ~ "' as date)",
        end_date="cast('" ~ var('calendar_end_date') ~ "' as date)"
    ) }}

),

days as (

    select cast(spine.date_day as date) as date_day
    from spine
    cross join as_of
    where cast(spine.date_day as date) >= cast({{ dbt.date_trunc('year', 'as_of.history_start_date') }} as date)
        and cast(spine.date_day as date) <= cast({{ dbt.dateadd('day', -1, dbt.dateadd('year', 1, dbt.date_trunc('year', 'as_of.as_of_date'))) }} as date)

),

final as (

    select
        days.date_day,
        extract(year from days.date_day) as calendar_year,
        extract(quarter from days.date_day) as calendar_quarter,
        extract(month from days.date_day) as calendar_month,
        extract(isodow from days.date_day) as iso_day_of_week,
        extract(isodow from days.date_day) >= 6 as is_weekend,
        {{ period_start("'month'", 'days.date_day') }} as month_start,
        {{ period_start("'quarter'", 'days.date_day') }} as quarter_start,
        {{ period_start("'year'", 'days.date_day') }} as year_start,
        {{ period_start("'fiscal_year'", 'days.date_day') }} as fiscal_year_start,
        {# The fiscal year is named after the calendar year it ends in (FY2026 = Apr 2025 – Mar 2026 with an April start). #}
        extract(year from {{ dbt.dateadd('month', 11, period_start("'fiscal_year'", 'days.date_day')) }}) as fiscal_year,
        days.date_day <= as_of.as_of_date as is_on_or_before_as_of
    from days
    cross join as_of

)

select * from final
