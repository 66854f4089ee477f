{#- Every landing row kept out of the marts, with the rule it broke: one row per rejected row.
    Nothing a user loaded is lost without a trace: for every landing table, landing rows =
    staged rows + soft-deleted rows + rejected rows (dq_row_accounting). -#}

with as_of as (

    select * from {{ ref('base_erp__as_of_date') }}

),

rejected as (

    {% for landing in landing_tables() %}
    select
        '{{ landing.table }}' as source_table,
        dq_row_key as row_key,
        dq_rule as rule,
        dq_raw_row as raw_row
    from {{ ref(landing.base) }}
    where dq_rule is not null
    union all
    {% endfor %}
    select
        'erp_sales_orders' as source_table,
        orders.dq_row_key as row_key,
        'future_date' as rule,
        orders.dq_raw_row as raw_row
    from {{ ref('base_erp__sales_orders') }} as orders
    cross join as_of
    where orders.dq_rule is null
        and not orders.is_deleted
        and orders.order_date > as_of.as_of_date

),

final as (

    select
        source_table,
        row_key,
        rule,
        {{ dq_rule_severity('rule') }} as severity,
        raw_row,
        {# Identical landing rows (copies of an exact duplicate, identical unparseable rows) are
            rejected once each: numbered 1, 2, … so every row has a key. #}
        cast(
            row_number() over (partition by source_table, row_key, rule, raw_row order by raw_row) as bigint
        ) as occurrence,
        {# When the build that rejected the row started (UTC): operational metadata. #}
        cast('{{ run_started_at.strftime("%Y-%m-%d %H:%M:%S") }}' as timestamp) as built_at
    from rejected

)

select * from final
