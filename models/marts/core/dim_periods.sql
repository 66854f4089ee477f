{#- Every reporting period of the history: calendar month, quarter, year and fiscal year, with
    the periods it is compared with and its end capped at the as-of date (the "period end"
    of a period still running). -#}
with dates as (

    select * from {{ ref('dim_dates') }}
    where is_on_or_before_as_of

),

as_of as (

    select * from {{ ref('base_erp__as_of_date') }}

),

periods as (

    select distinct
        period_types.period_type,
        {{ period_start('period_types.period_type', 'dates.date_day') }} as period_start
    from dates
    cross join {{ period_types() }} as period_types

),

final as (

    select
        periods.period_type,
        periods.period_start,
        {{ period_end('periods.period_type', 'periods.period_start') }} as period_end,
        case
            when
                {{ period_end('periods.period_type', 'periods.period_start') }} > as_of.as_of_date
                then as_of.as_of_date
            else {{ period_end('periods.period_type', 'periods.period_start') }}
        end as period_end_as_of,
        {{ period_end('periods.period_type', 'periods.period_start') }} <= as_of.as_of_date as is_complete,
        {{ previous_period_start('periods.period_type', 'periods.period_start') }} as previous_period_start,
        {{ same_period_last_year_start('periods.period_start') }} as same_period_last_year_start,
        {%- set year_text = dbt.cast("extract(year from periods.period_start)", dbt.type_string()) %}
        {%- set month_text = dbt.cast("extract(month from periods.period_start)", dbt.type_string()) %}
        {%- set quarter_text = dbt.cast("extract(quarter from periods.period_start)", dbt.type_string()) %}
        {%- set fiscal_year_end = dbt.dateadd('month', 11, 'periods.period_start') %}
        {%- set fiscal_year_text = dbt.cast("extract(year from " ~ fiscal_year_end ~ ")", dbt.type_string()) %}
        case periods.period_type
            when 'month' then {{ dbt.concat([year_text, "'-'", "lpad(" ~ month_text ~ ", 2, '0')"]) }}
            when 'quarter' then {{ dbt.concat([year_text, "'-Q'", quarter_text]) }}
            when 'year' then {{ year_text }}
            else {{ dbt.concat(["'FY'", fiscal_year_text]) }}
        end as period_label
    from periods
    cross join as_of

)

select * from final
