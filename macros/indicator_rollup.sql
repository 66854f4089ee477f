{#-
    The one mechanism every indicator family uses to go from events to (grain, entity, period).

    rollup_by_grain_and_period(events, date_column, measures, grains, breakdown_keys=[])
      events       a relation or CTE name with one row per event, carrying <grain>_id columns
                   (team_id, rep_id, customer_id, product_id) for the grains asked for
      date_column  the event's date that puts it in its periods; none when the rows already
                   carry period_type and period_start (state per period, e.g. owned customers)
      measures     list of "aggregate expression as name" strings (sum, count, min, max, ...)
      grains       any of team, rep, customer, product, company (kept only if in var report_grains)
      breakdown_keys  event columns every group is also split by (a breakdown report's
                   trigger_type, process_area, ...; a customer_id within each grain); they are
                   returned as columns beside grain and entity_id
      total_keys   event columns every group is split by and also summed over: each is returned
                   as a column holding its value, or 'all' on the rows summed over it (the
                   respondent_department of rpt_collaboration_satisfaction_by_dimension)
    Returns one row per (period_type, period_start, grain, entity_id) with the measures: each
    event is put in its month, quarter, year and fiscal year, then grouped by one grain at a
    time with GROUPING SETS (one scan). An event whose grain key is NULL (a rep with no team on
    that date) is grouped under entity_id 'unassigned', so every grain sums to the company.
-#}
{% macro rollup_by_grain_and_period(events, date_column, measures, grains, breakdown_keys=[], total_keys=[]) -%}
    {%- set grains = grains | select('in', var('report_grains')) | list -%}
    {%- set keyed = [] -%}
    {%- for grain in grains if grain != 'company' -%}
        {%- do keyed.append(grain) -%}
    {%- endfor -%}
    select
        periodized.period_type,
        periodized.period_start,
        {%- if keyed %}
        case
            {%- for grain in keyed %}
            when grouping(periodized.{{ grain }}_id) = 0 then '{{ grain }}'
            {%- endfor %}
            else 'company'
        end as grain,
        case
            {%- for grain in keyed %}
            when grouping(periodized.{{ grain }}_id) = 0 then coalesce(periodized.{{ grain }}_id, 'unassigned')
            {%- endfor %}
            else 'company'
        end as entity_id,
        {%- else %}
        'company' as grain,
        'company' as entity_id,
        {%- endif %}
        {%- for key in total_keys %}
        case
            when grouping(periodized.{{ key }}) = 0 then periodized.{{ key }}
            else 'all'
        end as {{ key }},
        {%- endfor %}
        {%- for key in breakdown_keys %}
        periodized.{{ key }},
        {%- endfor %}
        {{ measures | join(',\n        ') }}
    from (
        {%- if date_column %}
        select
            period_types.period_type,
            {{ period_start('period_types.period_type', 'events.' ~ date_column) }} as period_start,
            events.*
        from {{ events }} as events
        cross join {{ period_types() }} as period_types
        {%- else %}
        select * from {{ events }}
        {%- endif %}
    ) as periodized
    {%- set common = ['periodized.period_type', 'periodized.period_start'] -%}
    {%- for key in breakdown_keys -%}
        {%- do common.append('periodized.' ~ key) -%}
    {%- endfor -%}
    {#- every subset of total_keys: the groups with that key and those summed over it -#}
    {%- set variants = [[]] -%}
    {%- for key in total_keys -%}
        {%- for variant in variants | list -%}
            {%- do variants.append(variant + ['periodized.' ~ key]) -%}
        {%- endfor -%}
    {%- endfor -%}
    {%- set sets = [] -%}
    {%- for grain in keyed -%}
        {%- for variant in variants -%}
            {%- do sets.append('(' ~ (common + variant + ['periodized.' ~ grain ~ '_id']) | join(', ') ~ ')') -%}
        {%- endfor -%}
    {%- endfor -%}
    {%- if 'company' in grains -%}
        {%- for variant in variants -%}
            {%- do sets.append('(' ~ (common + variant) | join(', ') ~ ')') -%}
        {%- endfor -%}
    {%- endif %}
    {#- noqa: PRS, only on this line: sqlfluff 4.4's duckdb dialect does not parse GROUPING SETS
        (DuckDB runs it); the rest of every model that calls this macro is linted as usual. #}
    group by grouping sets ( -- noqa: PRS
        {{ sets | join(',\n        ') }}
    )
{%- endmacro %}

{#-
    indicator_rows(relation, code, value, numerator='null', denominator='null', where=none)
    One select producing the standard long rows of an indicator family:
    (indicator_code, grain, entity_id, period_type, period_start, value, numerator, denominator).
    Chain several with `union all`.
-#}
{% macro indicator_rows(relation, code, value, numerator='null', denominator='null', where=none) -%}
    select
        '{{ code }}' as indicator_code,
        grain,
        entity_id,
        period_type,
        period_start,
        cast({{ value }} as double) as value,
        cast({{ numerator }} as double) as numerator,
        cast({{ denominator }} as double) as denominator
    from {{ relation }}
    {%- if where %}
    where {{ where }}
    {%- endif %}
{%- endmacro %}
