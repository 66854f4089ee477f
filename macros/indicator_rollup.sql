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
    {%- set additive = additive_measures(measures) if date_column else none -%}
    {%- if additive is not none -%}
    {{ rollup_by_month_then_period(events, date_column, additive, grains, keyed, breakdown_keys, total_keys) }}
    {%- else -%}
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
    {%- set sets = rollup_grouping_sets('periodized', ['period_type', 'period_start'], grains, keyed, breakdown_keys, total_keys) %}
    {#- noqa: PRS, only on this line: sqlfluff 4.4's duckdb dialect does not parse GROUPING SETS
        (DuckDB runs it); the rest of every model that calls this macro is linted as usual. #}
    group by grouping sets ( -- noqa: PRS
        {{ sets | join(',\n        ') }}
    )
    {%- endif %}
{%- endmacro %}


{#-
    additive_measures(measures)
    The measures as [{'function', 'argument', 'name'}] when every one is a plain sum(...),
    count(...), min(...) or max(...) "as name" (no DISTINCT, nothing around the call), else none.
    Such a measure of a period is the same aggregate of its months' values (a count is the sum
    of the months' counts), so rollup_by_grain_and_period groups the events by month once and
    adds the months into their periods. Anything else (distinct counts, ratios, medians,
    conditional sums such as "case when count(*) = count(x) then sum(x) end") keeps the one-step
    path. Sums of doubles may differ in their last bits, as DuckDB's parallel sums already do.
-#}
{% macro additive_measures(measures) -%}
    {%- set pattern = modules.re.compile('(?is)^\\s*(sum|count|min|max)\\s*\\((.*)\\)\\s+as\\s+([a-z_][a-z0-9_]*)\\s*$') -%}
    {%- set parsed = [] -%}
    {%- set state = {'ok': true} -%}
    {%- for measure in measures -%}
        {%- set match = pattern.match(measure) -%}
        {%- if not match -%}
            {%- do state.update({'ok': false}) -%}
        {%- else -%}
            {%- set argument = match.group(2) -%}
            {#- the call's parentheses must enclose the whole argument: sum(a) + sum(b) is not one call -#}
            {%- set depth = {'level': 0, 'min': 0} -%}
            {%- for character in argument -%}
                {%- if character == '(' -%}
                    {%- do depth.update({'level': depth.level + 1}) -%}
                {%- elif character == ')' -%}
                    {%- do depth.update({'level': depth.level - 1}) -%}
                    {%- if depth.level < depth.min -%}{%- do depth.update({'min': depth.level}) -%}{%- endif -%}
                {%- endif -%}
            {%- endfor -%}
            {%- if depth.level != 0 or depth.min < 0 or modules.re.match('(?i)distinct\\b', argument | trim) -%}
                {%- do state.update({'ok': false}) -%}
            {%- else -%}
                {%- do parsed.append({'function': match.group(1) | lower, 'argument': argument, 'name': match.group(3)}) -%}
            {%- endif -%}
        {%- endif -%}
    {%- endfor -%}
    {%- do return(parsed if state.ok and parsed else none) -%}
{%- endmacro %}


{#- The additive path of rollup_by_grain_and_period: the events grouped by (month, grain entity,
    keys) with the same grouping sets, then each month's row added into its month, quarter, year
    and fiscal year. Returns the same columns, types and rows. -#}
{% macro rollup_by_month_then_period(events, date_column, measures, grains, keyed, breakdown_keys, total_keys) -%}
    {%- set sets = rollup_grouping_sets('monthly_events', ['rollup_month'], grains, keyed, breakdown_keys, total_keys) -%}
    {%- set group_keys = ['periodized.period_type', 'periodized.period_start', 'periodized.grain', 'periodized.entity_key'] -%}
    {%- for key in total_keys -%}
        {%- do group_keys.append('periodized.' ~ key) -%}
        {%- do group_keys.append('periodized.' ~ key ~ '__summed') -%}
    {%- endfor -%}
    {%- for key in breakdown_keys -%}
        {%- do group_keys.append('periodized.' ~ key) -%}
    {%- endfor %}
    select
        periodized.period_type,
        periodized.period_start,
        periodized.grain,
        case
            when periodized.grain = 'company' then 'company'
            else coalesce(periodized.entity_key, 'unassigned')
        end as entity_id,
        {%- for key in total_keys %}
        case
            when periodized.{{ key }}__summed = 0 then periodized.{{ key }}
            else 'all'
        end as {{ key }},
        {%- endfor %}
        {%- for key in breakdown_keys %}
        periodized.{{ key }},
        {%- endfor %}
        {%- for measure in measures %}
        {%- if measure.function == 'count' %}
        cast(sum(periodized.{{ measure.name }}) as bigint) as {{ measure.name }}
        {%- else %}
        {{ measure.function }}(periodized.{{ measure.name }}) as {{ measure.name }}
        {%- endif %}{{ ',' if not loop.last }}
        {%- endfor %}
    from (
        select
            period_types.period_type,
            {{ period_start('period_types.period_type', 'monthly.rollup_month') }} as period_start,
            monthly.*
        from (
            select
                monthly_events.rollup_month,
                {%- if keyed %}
                case
                    {%- for grain in keyed %}
                    when grouping(monthly_events.{{ grain }}_id) = 0 then '{{ grain }}'
                    {%- endfor %}
                    else 'company'
                end as grain,
                case
                    {%- for grain in keyed %}
                    when grouping(monthly_events.{{ grain }}_id) = 0 then monthly_events.{{ grain }}_id
                    {%- endfor %}
                end as entity_key,
                {%- else %}
                'company' as grain,
                cast(null as {{ dbt.type_string() }}) as entity_key,
                {%- endif %}
                {%- for key in total_keys %}
                monthly_events.{{ key }},
                grouping(monthly_events.{{ key }}) as {{ key }}__summed,
                {%- endfor %}
                {%- for key in breakdown_keys %}
                monthly_events.{{ key }},
                {%- endfor %}
                {%- for measure in measures %}
                {{ measure.function }}({{ measure.argument }}) as {{ measure.name }}{{ ',' if not loop.last }}
                {%- endfor %}
            from (
                select
                    cast({{ dbt.date_trunc('month', 'events.' ~ date_column) }} as date) as rollup_month,
                    events.*
                from {{ events }} as events
            ) as monthly_events
            {#- noqa: PRS, as in rollup_by_grain_and_period (GROUPING SETS) #}
            group by grouping sets ( -- noqa: PRS
                {{ sets | join(',\n                ') }}
            )
        ) as monthly
        cross join {{ period_types() }} as period_types
    ) as periodized
    group by {{ group_keys | join(', ') }}
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


{#- The GROUPING SETS of a rollup, with columns of `alias`: per keyed grain its id and per 'company'
    none, each with the common columns (`leading` and the breakdown keys) and every subset of
    total_keys (the groups with that key and those summed over it). -#}
{% macro rollup_grouping_sets(alias, leading, grains, keyed, breakdown_keys, total_keys) -%}
    {%- set common = [] -%}
    {%- for column in leading + breakdown_keys -%}
        {%- do common.append(alias ~ '.' ~ column) -%}
    {%- endfor -%}
    {%- set variants = [[]] -%}
    {%- for key in total_keys -%}
        {%- for variant in variants | list -%}
            {%- do variants.append(variant + [alias ~ '.' ~ key]) -%}
        {%- endfor -%}
    {%- endfor -%}
    {%- set sets = [] -%}
    {%- for grain in keyed -%}
        {%- for variant in variants -%}
            {%- do sets.append('(' ~ (common + variant + [alias ~ '.' ~ grain ~ '_id']) | join(', ') ~ ')') -%}
        {%- endfor -%}
    {%- endfor -%}
    {%- if 'company' in grains -%}
        {%- for variant in variants -%}
            {%- do sets.append('(' ~ (common + variant) | join(', ') ~ ')') -%}
        {%- endfor -%}
    {%- endif -%}
    {%- do return(sets) -%}
{%- endmacro %}
