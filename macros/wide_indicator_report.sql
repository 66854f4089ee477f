{#-
    wide_indicator_report(grain): one row per (entity, period_type, period_start) of the grain,
    one column per catalog indicator of that grain (value), with <code>_target and
    <code>_attainment where the catalog names a target column, <code>_previous (previous
    period of the same type) and <code>_last_year (same period last year) for every indicator,
    and for additive indicators on month rows <code>_qtd, <code>_ytd and <code>_fytd (running
    totals through the month). The running quarter/year row itself is QTD/YTD at the as-of
    date. Columns follow the catalog seed, so a new indicator appears without editing this.
-#}
{% macro wide_indicator_report(grain) %}
{% set names = {
    'team': ('dim_teams', 'team_id', 'team_name'),
    'rep': ('dim_sales_reps', 'rep_id', 'rep_name'),
    'customer': ('dim_customers', 'customer_id', 'customer_name'),
    'product': ('dim_products', 'product_id', 'product_name'),
} -%}
{%- set indicators = [] -%}
{%- if execute -%}
    {%- set catalog_query -%}
        select indicator_code, target_column, period_aggregation
        from {{ ref('indicator_catalog') }}
        where {{ dbt.concat(["'|'", "grains", "'|'"]) }} like '%|{{ grain }}|%'
            {%- if grain == 'company' %} or has_company_total{% endif %}
        order by indicator_code
    {%- endset -%}
    {%- for row in run_query(catalog_query).rows -%}
        {%- do indicators.append({'code': row[0], 'has_target': row[1] is not none and row[1] != '', 'additive': row[2] == 'sum'}) -%}
    {%- endfor -%}
{%- endif %}
-- depends_on: {{ ref('indicator_catalog') }}

with indicator_values as (

    select * from {{ ref('indicator_values') }}
    where grain = '{{ grain }}'

),

periods as (

    select * from {{ ref('dim_periods') }}

),
{% if grain in names %}
entities as (

    select
        {{ names[grain][1] }} as entity_id,
        {{ names[grain][2] }} as entity_name
    from {{ ref(names[grain][0]) }}

),
{% endif %}
pivoted as (

    select
        entity_id,
        period_type,
        period_start
        {%- for indicator in indicators %},
        max(case when indicator_code = '{{ indicator.code }}' then value end) as {{ indicator.code }}
        {%- if indicator.has_target %},
        max(case when indicator_code = '{{ indicator.code }}' then target_value end) as {{ indicator.code }}_target,
        max(case when indicator_code = '{{ indicator.code }}' then attainment end) as {{ indicator.code }}_attainment
        {%- endif %}
        {%- endfor %}
    from indicator_values
    group by 1, 2, 3

),

compared as (

    select
        pivoted.*,
        {% if grain in names -%}
        entities.entity_name,
        {%- else -%}
        'company' as entity_name,
        {%- endif %}
        periods.period_label,
        periods.is_complete
        {%- for indicator in indicators %},
        previous.{{ indicator.code }} as {{ indicator.code }}_previous,
        last_year.{{ indicator.code }} as {{ indicator.code }}_last_year
        {%- endfor %}
    from pivoted
    inner join periods
        on pivoted.period_type = periods.period_type
        and pivoted.period_start = periods.period_start
    left join pivoted as previous
        on pivoted.entity_id = previous.entity_id
        and pivoted.period_type = previous.period_type
        and previous.period_start = periods.previous_period_start
    left join pivoted as last_year
        on pivoted.entity_id = last_year.entity_id
        and pivoted.period_type = last_year.period_type
        and last_year.period_start = periods.same_period_last_year_start
    {%- if grain in names %}
    left join entities
        on pivoted.entity_id = entities.entity_id
    {%- endif %}

),

{#- The running totals of the additive indicators on month rows, over a narrow projection of the
    month rows (sorting the wide rows three times cost more than the rest of the report). -#}
{%- set additive = indicators | selectattr('additive') | list %}
{%- set running = [('qtd', 'quarter'), ('ytd', 'year'), ('fytd', 'fiscal_year')] %}
{%- if additive %}
running_totals as (

    select
        compared.entity_id,
        compared.period_type,
        compared.period_start
        {%- for indicator in additive %}
        {%- for suffix, period_type in running %},
        sum(compared.{{ indicator.code }}) over (
            partition by compared.entity_id, {{ period_start("'" ~ period_type ~ "'", 'compared.period_start') }}
            order by compared.period_start
            rows between unbounded preceding and current row
        ) as {{ indicator.code }}_{{ suffix }}
        {%- endfor %}
        {%- endfor %}
    from compared
    where compared.period_type = 'month'

),
{%- endif %}

final as (

    select
        compared.*
        {%- for indicator in additive %}
        {%- for suffix, period_type in running %},
        running_totals.{{ indicator.code }}_{{ suffix }}
        {%- endfor %}
        {%- endfor %}
    from compared
    {%- if additive %}
    left join running_totals
        on compared.entity_id = running_totals.entity_id
        and compared.period_type = running_totals.period_type
        and compared.period_start = running_totals.period_start
    {%- endif %}

)

select * from final
{% endmacro %}
