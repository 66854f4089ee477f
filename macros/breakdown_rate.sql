{#-
    A rate report broken down by keys of its events (rpt_follow_up_timeliness_by_trigger by
    trigger_type, rpt_process_compliance_by_area by process_area, rpt_skill_scores_by_skill by
    skill, rpt_collaboration_satisfaction_by_dimension by dimension and respondent department):
    the CTEs rolled_up and final of the model, written once.

    breakdown_rate_ctes(events, date_column, breakdown_key, numerator, denominator, grains,
                        total_keys, value_name, numerator_name, denominator_name,
                        denominator_type, counts)
      events         CTE with one row per event: team_id, rep_id, the date column, the breakdown
                     keys (their NULL already read as 'unknown') and what the measures read
      date_column    the event's date that puts it in its periods
      breakdown_key  the column (or list of columns) every grain, entity and period is split by
      numerator      aggregate expression of the rate's numerator (e.g. 'sum(case when passed then 1 else 0 end)')
      denominator    aggregate expression of its denominator (e.g. 'count(*)')
      grains         default team, rep and company
      total_keys     columns split by and also summed over ('all'), see rollup_by_grain_and_period
      value_name, numerator_name, denominator_name
                     the output names of the rate and its parts (default value, numerator, denominator)
      denominator_type  the denominator's output type (default double; bigint for a count)
      counts         {name: aggregate expression} of further counts, output as bigint after the rate
    The model ends with `select * from final`: grain, entity_id, period_type, period_start, the
    total keys, the breakdown keys, value (numerator / denominator, NULL when the denominator is 0),
    numerator (double), denominator and the counts.
-#}
{% macro breakdown_rate_ctes(
    events, date_column, breakdown_key, numerator, denominator, grains=['team', 'rep', 'company'],
    total_keys=[], value_name='value', numerator_name='numerator', denominator_name='denominator',
    denominator_type='double', counts={}
) -%}
{%- set breakdown_keys = [breakdown_key] if breakdown_key is string else breakdown_key -%}
{%- set measures = [numerator ~ ' as rate_numerator', denominator ~ ' as rate_denominator'] -%}
{%- for name, expression in counts.items() -%}
    {%- do measures.append(expression ~ ' as ' ~ name) -%}
{%- endfor -%}
rolled_up as (

    {{ rollup_by_grain_and_period(
        events, date_column, measures, grains,
        breakdown_keys=breakdown_keys, total_keys=total_keys,
    ) }}

),

final as (

    select
        grain,
        entity_id,
        period_type,
        period_start,
        {%- for key in total_keys + breakdown_keys %}
        {{ key }},
        {%- endfor %}
        {{ safe_divide('rate_numerator', 'rate_denominator') }} as {{ value_name }},
        cast(rate_numerator as double) as {{ numerator_name }},
        cast(rate_denominator as {{ denominator_type }}) as {{ denominator_name }}
        {%- for name in counts %},
        cast({{ name }} as bigint) as {{ name }}
        {%- endfor %}
    from rolled_up

)
{%- endmacro %}
