{#- The company settings this build used, one row: whatever set them (dbt_project.yml, `--vars`
    or a SALESPERF_* environment variable), this is the one resolved value. The data-quality gate
    and the dashboard read the settings from here (the warehouse they check or show), never from
    dbt_project.yml. -#}
with bounds as (

    select * from {{ ref('int_calendar_bounds') }}

),

final as (

    select
        {{ setting_text('base_currency') }} as base_currency,
        {{ setting_text('company_timezone') }} as company_timezone,
        cast({{ var('fiscal_year_start_month') | int }} as integer) as fiscal_year_start_month,
        bounds.as_of_date,
        {{ setting_date('as_of_date') }} as as_of_date_setting,
        bounds.history_start_date,
        {{ setting_date('order_history_complete_from') }} as order_history_complete_from,
        bounds.calendar_start_date,
        bounds.calendar_end_date,
        cast({{ var('active_window_months') | int }} as integer) as active_window_months,
        cast({{ var('as_of_max_gap_days') | int }} as integer) as as_of_max_gap_days,
        cast({{ var('new_customer_min_amount') | float }} as double) as new_customer_min_amount,
        cast({{ var('concentration_warning_threshold') | float }} as double) as concentration_warning_threshold,
        cast({{ var('cost_of_capital_rate', 0.06) | float }} as double) as cost_of_capital_rate,
        cast({{ var('new_product_months') | int }} as integer) as new_product_months,
        cast('{{ var("report_period_types") | join(",") }}' as {{ dbt.type_string() }}) as report_period_types,
        cast('{{ var("report_grains") | join(",") }}' as {{ dbt.type_string() }}) as report_grains
    from bounds

)

select * from final
