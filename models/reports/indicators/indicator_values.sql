{#- The published interface: every indicator value, long, one row per
    (indicator_code, grain, entity_id, period_type, period_start).
    Each family model owns its formulas; this model only stacks them, keeps the
    (indicator, grain) pairs the catalog marks, and adds targets and attainment. -#}
{#- Every indicator family. A new family is added here (and its codes to the catalog seed). -#}
{%- set families = [
    'int_indicators__sales',
    'int_indicators__sales_derived',
    'int_indicators__collection',
    'int_indicators__customer_base',
    'int_indicators__renewals',
    'int_indicators__visits',
    'int_indicators__follow_up',
    'int_indicators__pipeline',
    'int_indicators__loyalty',
    'int_indicators__fulfilment',
    'int_indicators__compliance',
    'int_indicators__service',
    'int_indicators__capability',
    'int_indicators__collaboration',
    'int_indicators__customer_relationship',
    'int_indicators__product_adoption',
    'int_indicators__customer_profit',
    'int_indicators__customer_satisfaction',
    'int_indicators__product_lifecycle',
    'int_indicators__clv',
] -%}

with families as (

    {% for family in families %}
    select * from {{ ref(family) }}
    {% if not loop.last %}union all{% endif %}
    {% endfor %}

),

catalog as (

    select * from {{ ref('indicator_catalog') }}

),

targets as (

    select * from {{ ref('int_indicator_targets') }}

),

periods as (

    select * from {{ ref('dim_periods') }}

),

{# The entities a figure may be published for: one that is not in its dimension (an
    opportunity's unknown product, kept with a warning by fct_opportunities) gets no figure of its
    own; its events still count in the figures of the grains they are known at (README "Orphan
    references"). 'unassigned' collects the events without an entity at that grain. -#}
known_entities as (

    {%- set dimension_models = {
        'team': 'dim_teams', 'rep': 'dim_sales_reps', 'customer': 'dim_customers', 'product': 'dim_products',
    } %}
    {%- for grain, dimension_model in dimension_models.items() %}
    select
        '{{ grain }}' as grain,
        {{ grain }}_id as entity_id
    from {{ ref(dimension_model) }}
    {%- if not loop.last %}
    union all
    {%- endif %}
    {%- endfor %}

),

{# "No data": an indicator whose input table (seed indicator_inputs) has no usable rows is
    absent, never partly computed (an optional erp_payments with a header only). -#}
unavailable_indicators as (

    select distinct coverage.indicator_code
    from {{ ref('indicator_coverage') }} as coverage
    where coverage.not_expected_reason like 'no data:%'

),

published as (

    select
        families.*,
        catalog.unit,
        catalog.direction
    from families
        {# Only the reporting periods of the history (events of CRM/HR tables may predate the orders). #}
    inner join periods
        on families.period_type = periods.period_type
        and families.period_start = periods.period_start
    inner join catalog
        on families.indicator_code = catalog.indicator_code
        and (
            {{ in_pipe_list('catalog.grains', 'families.grain') }}
            or (families.grain = 'company' and catalog.has_company_total)
        )
    left join known_entities
        on families.grain = known_entities.grain
        and families.entity_id = known_entities.entity_id
    where (
        families.grain = 'company'
        or families.entity_id = 'unassigned'
        or known_entities.entity_id is not null
    )
    and families.indicator_code not in (select unavailable_indicators.indicator_code from unavailable_indicators)
        {#- Periods before the first order hold the events of CRM/HR tables (visits, opportunities ...):
            a state figure there without any input (a rate over no active customers) is no row. -#}
    and (
        families.value is not null
        or periods.period_end >= (select as_of.history_start_date from {{ ref('base_erp__as_of_date') }} as as_of)
    )

),

final as (

    select
        published.indicator_code,
        published.grain,
        published.entity_id,
        published.period_type,
        published.period_start,
        published.value,
        targets.target_value,
        case
            when
                published.direction = 'lower_is_better'
                then {{ safe_divide('targets.target_value', 'published.value') }}
            else {{ safe_divide('published.value', 'targets.target_value') }}
        end as attainment,
        published.unit,
        published.numerator,
        published.denominator
    from published
    left join targets
        on published.indicator_code = targets.indicator_code
        and published.grain = targets.grain
        and published.entity_id = targets.entity_id
        and published.period_type = targets.period_type
        and published.period_start = targets.period_start

)

select * from final
