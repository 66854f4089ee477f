{#- Per landing table: landing rows = staged rows + soft-deleted rows + rejected rows. The
    data test on this model fails the build if a row went missing. -#}
with rejected as (

    select
        source_table,
        count(*) as rejected_rows
    from {{ ref('dq_rejected_rows') }}
    group by 1

),

counts as (

    {% for landing in landing_tables() %}
    select
        '{{ landing.table }}' as source_table,
        (select count(*) from {{ ref(landing.base) }}) as landing_rows,
        (select count(*) from {{ ref(landing.staging) }}) as staged_rows,
        (
            select count(*) from {{ ref(landing.base) }}
            where dq_rule is null and is_deleted
        ) as soft_deleted_rows
    {% if not loop.last %}union all{% endif %}
    {% endfor %}

),

final as (

    select
        counts.source_table,
        counts.landing_rows,
        counts.staged_rows,
        counts.soft_deleted_rows,
        coalesce(rejected.rejected_rows, 0) as rejected_rows,
        counts.landing_rows - counts.staged_rows - counts.soft_deleted_rows - coalesce(rejected.rejected_rows, 0)
            as unaccounted_rows
    from counts
    left join rejected
        on counts.source_table = rejected.source_table

)

select * from final
