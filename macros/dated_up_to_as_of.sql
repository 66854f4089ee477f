{#-
    The rows of an event relation dated on or before the as-of date (base_erp__as_of_date), with
    the date of their timestamp: the "counted" step of fct_surveys and fct_collaboration_surveys.

    dated_up_to_as_of(relation, timestamp_column, date_column)
      relation          CTE or relation with one row per event
      timestamp_column  the event's timestamp (already in the company time zone in staging)
      date_column       name of the date column added: cast(timestamp as date)
    Returns a select of every column of the relation and the date column, rows after the as-of
    date left out.
-#}
{% macro dated_up_to_as_of(relation, timestamp_column, date_column) -%}
    select
        dated.*
    from (
        select
            events.*,
            cast(events.{{ timestamp_column }} as date) as {{ date_column }}
        from {{ relation }} as events
    ) as dated
    cross join {{ ref('base_erp__as_of_date') }} as as_of
    where dated.{{ date_column }} <= as_of.as_of_date
{%- endmacro %}
