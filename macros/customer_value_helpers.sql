{#-
    Helpers of the customer-value families (int_indicators__customer_relationship,
    int_indicators__product_adoption, int_indicators__customer_profit,
    int_indicators__customer_satisfaction), split from one model: each step written once. The
    active customers at the period end (and their count) serve int_indicators__clv and
    int_indicators__product_lifecycle too.

    active_customers_at_period_end(customer_status)
      customer_status  CTE with the rows of fct_customer_period_status
      Returns the customers active at each period end with their owner at that date and the
      owner's team: period_type, period_start, period_end_as_of, customer_id, rep_id, team_id.

    active_customer_counts(active_customers='active_customers')
      active_customers  CTE with the rows of active_customers_at_period_end
      Returns how many customers are active at each period end: period_type, period_start,
      active_customers (the denominator of the per-active-customer rates).

    in_reporting_periods(events, date_column, periods='periods')
      events       CTE with one row per event
      date_column  the event's date that puts it in its periods
      periods      CTE with the rows of dim_periods (the reporting periods)
      Returns every column of the events with period_type and period_start first: each event
      in its month, quarter, year and fiscal year (var report_period_types) that is a reporting
      period. For events whose rows are needed per period before the rollup (a per-customer
      step); rollup_by_grain_and_period(events, date_column, ...) does this itself otherwise.
-#}
{% macro active_customers_at_period_end(customer_status) -%}
    select
        {{ customer_status }}.period_type,
        {{ customer_status }}.period_start,
        {{ customer_status }}.period_end_as_of,
        {{ customer_status }}.customer_id,
        {{ customer_status }}.owner_rep_id as rep_id,
        {{ customer_status }}.owner_team_id as team_id
    from {{ customer_status }}
    where {{ customer_status }}.is_active_at_end
{%- endmacro %}


{% macro active_customer_counts(active_customers='active_customers') -%}
    select
        {{ active_customers }}.period_type,
        {{ active_customers }}.period_start,
        count(*) as active_customers
    from {{ active_customers }}
    group by 1, 2
{%- endmacro %}


{#- period_columns: columns of the periods relation to carry along (e.g. period_end_as_of), so a
    caller needs no second join to the periods. -#}
{% macro in_reporting_periods(events, date_column, periods='periods', period_columns=[]) -%}
    select periodized.*{% for column in period_columns %}, {{ periods }}.{{ column }}{% endfor %}
    from (
        select
            period_types.period_type,
            {{ period_start('period_types.period_type', events ~ '.' ~ date_column) }} as period_start,
            {{ events }}.*
        from {{ events }}
        cross join {{ period_types() }} as period_types
    ) as periodized
    inner join {{ periods }}
        on periodized.period_type = {{ periods }}.period_type
        and periodized.period_start = {{ periods }}.period_start
{%- endmacro %}
