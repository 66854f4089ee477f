{#- Which (indicator, grain, period_type) pairs the data can give, and why not where it cannot.
    A catalog pair (grains column + company total, every period type) is expected in
    indicator_values unless
    - an input table it needs (seed indicator_inputs.input_tables) has no usable rows: "no data",
      the indicator is absent (indicator_values drops it whole: never partly computed); or
    - it compares with an earlier period (seed indicator_inputs.comparison) and no entity of the
      grain (no team, rep, customer, product; the company for the total) has events of the history
      (orders, or the indicator's own events: history_of) in a period of that type and in its
      previous period (previous_period) or same period last year (same_period_last_year): a
      company with one month of orders has no growth, nor has a grain whose every entity sold in
      one month only (two customers buying in January and February), and that is not an error.
    - an optional column it needs (seed indicator_inputs.input_columns: `table.column` or
      `table.column=value[,value…]`) has no value (or none of those values) in any row: an extract without unit costs has no margin
      and no CLV, one without launch dates no new-product figures — "no data" too.
    The completeness checks (data test assert_every_catalog_pair_is_published, the gate's
    gx.reports.indicator_values.catalog_pairs) demand exactly the expected pairs. -#}
with catalog as (

    select * from {{ ref('indicator_catalog') }}

),

inputs as (

    select * from {{ ref('indicator_inputs') }}

),

empty_inputs as (

    select * from {{ ref('dq_indicator_empty_inputs') }}

),

grains as (

    select 'team' as grain
    union all
    select 'rep'
    union all
    select 'customer'
    union all
    select 'product'
    union all
    select 'company'

),

{# Dated events of each history the comparisons are measured on, with the entity of each grain. -#}
history_events as (

    select distinct
        'orders' as history_of,
        order_date as event_date,
        team_id,
        rep_id,
        customer_id,
        product_id
    from {{ ref('fct_order_lines') }}
    union all
    select distinct
        'skill_assessments' as history_of,
        assessed_date as event_date,
        team_id,
        rep_id,
        cast(null as {{ dbt.type_string() }}) as customer_id,
        cast(null as {{ dbt.type_string() }}) as product_id
    from {{ ref('fct_skill_assessments') }}

),

{# One row per grain an event counts for: the entity that would carry the indicator's value. -#}
entity_events as (

    {%- for grain in ['team', 'rep', 'customer', 'product'] %}
    select distinct
        history_of,
        event_date,
        '{{ grain }}' as grain,
        {{ grain }}_id as entity_id
    from history_events
    where {{ grain }}_id is not null
    union all
    {%- endfor %}
    select distinct
        history_of,
        event_date,
        'company' as grain,
        'company' as entity_id
    from history_events

),

as_of as (

    select as_of_date from {{ ref('base_erp__as_of_date') }}

),

history_periods as (

    select distinct
        entity_events.history_of,
        entity_events.grain,
        entity_events.entity_id,
        period_types.period_type,
        {{ period_start('period_types.period_type', 'entity_events.event_date') }} as period_start
    from entity_events
    cross join {{ period_types() }} as period_types

),

first_events as (

    select
        history_of,
        min(event_date) as first_date
    from history_events
    group by 1

),

{# New customers (and cac, CLV:CAC) need a period after the left-censoring window: while the
    order history is not known to be complete (var order_history_complete_from), first orders
    within active_window_months of the first order may be customers acquired before the extract. -#}
windowed as (

    select distinct
        history_periods.history_of,
        grains.grain,
        history_periods.period_type,
        'active_window' as comparison
    from history_periods
    inner join first_events
        on history_periods.history_of = first_events.history_of
    cross join grains
    where history_periods.grain = 'company'
        and (
            {{ 'true' if setting_is_set('order_history_complete_from') else 'false' }}
            or history_periods.period_start
            >= cast({{ dbt.dateadd('month', var('active_window_months') | int, 'first_events.first_date') }} as date)
        )

),

comparable as (

    {#- A running period compares with the same span only, which may have no events: closed periods decide. #}
    {%- set earlier_starts = {
        'previous_period': previous_period_start('this_period.period_type', 'this_period.period_start'),
        'same_period_last_year': same_period_last_year_start('this_period.period_start'),
    } %}
    {%- for comparison, earlier_start in earlier_starts.items() %}
    select distinct
        this_period.history_of,
        this_period.grain,
        this_period.period_type,
        '{{ comparison }}' as comparison
    from history_periods as this_period
    inner join as_of
        on {{ period_end('this_period.period_type', 'this_period.period_start') }} <= as_of.as_of_date
    inner join history_periods as earlier
        on this_period.history_of = earlier.history_of
        and this_period.grain = earlier.grain
        and this_period.entity_id = earlier.entity_id
        and this_period.period_type = earlier.period_type
        and earlier.period_start = {{ earlier_start }}
    union all
    {%- endfor %}
    select * from windowed

),

pairs as (

    select
        catalog.indicator_code,
        grains.grain,
        period_types.period_type
    from catalog
    cross join grains
    cross join {{ period_types() }} as period_types
    where {{ in_pipe_list('catalog.grains', 'grains.grain') }}
        or (grains.grain = 'company' and catalog.has_company_total)

),

final as (

    select
        pairs.indicator_code,
        pairs.grain,
        pairs.period_type,
        empty_inputs.empty_table is null
        and empty_inputs.empty_column is null
        and (inputs.comparison is null or comparable.comparison is not null) as is_expected,
        case
            when empty_inputs.empty_table is not null
                then {{ dbt.concat(["'no data: landing table '", "empty_inputs.empty_table", "' has no rows'"]) }}
            when empty_inputs.empty_column is not null
                then {{ dbt.concat(["'no data: no row has '", "empty_inputs.empty_column"]) }}
            when inputs.comparison is not null and comparable.comparison is null
                then {{ dbt.concat([
                    "'history too short: no '", "pairs.period_type", "' of the '", "inputs.history_of", "' history '",
                    "case inputs.comparison"
                    ~ " when 'previous_period' then 'has events of one ' || pairs.grain || ' in its previous period too'"
                    ~ " when 'same_period_last_year' then 'has events of one ' || pairs.grain || ' in its same period last year too'"
                    ~ " else 'starts " ~ (var('active_window_months') | int) ~ " months after its first event"
                    ~ " (earlier first orders may be customers acquired before the extract: set order_history_complete_from)' end",
                ]) }}
        end as not_expected_reason
    from pairs
    left join inputs
        on pairs.indicator_code = inputs.indicator_code
    left join empty_inputs
        on pairs.indicator_code = empty_inputs.indicator_code
    left join comparable
        on inputs.history_of = comparable.history_of
        and pairs.grain = comparable.grain
        and pairs.period_type = comparable.period_type
        and inputs.comparison = comparable.comparison

)

select * from final
