{#-
    A rate report broken down by one key of its events (rpt_follow_up_timeliness_by_trigger by
    trigger_type, rpt_process_compliance_by_area by process_area): the CTEs rolled_up and final of
    the model, written once.

    breakdown_rate_ctes(events, date_column, breakdown_key, numerator, denominator, grains)
      events         CTE with one row per event: team_id, rep_id, the date column, the breakdown
                     key (its NULL already read as 'unknown') and what the measures read
      date_column    the event's date that puts it in its periods
      breakdown_key  the column every grain, entity and period is split by
      numerator      aggregate expression of the rate's numerator (e.g. 'sum(case when passed then 1 else 0 end)')
      denominator    aggregate expression of its denominator (e.g. 'count(*)')
      grains         default team, rep and company
    The model ends with `select * from final`: grain, entity_id, period_type, period_start, the
    breakdown key, value (numerator / denominator, NULL when the denominator is 0), numerator and
    denominator (doubles).
-#}
{% macro breakdown_rate_ctes(
    events, date_column, breakdown_key, numerator, denominator, grains=['team', 'rep', 'company']
) -%}
rolled_up as (

    {{ rollup_by_grain_and_period(
        events, date_column,
        [
            numerator ~ ' as rate_numerator',
            denominator ~ ' as rate_denominator',
        ],
        grains,
        breakdown_keys=[breakdown_key],
    ) }}

),

final as (

    select
        grain,
        entity_id,
        period_type,
        period_start,
        {{ breakdown_key }},
        {{ safe_divide('rate_numerator', 'rate_denominator') }} as value,
        cast(rate_numerator as double) as numerator,
        cast(rate_denominator as double) as denominator
    from rolled_up

)
{%- endmacro %}
