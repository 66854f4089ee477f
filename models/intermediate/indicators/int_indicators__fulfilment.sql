{#- Placeholder until this family is written: no rows (the catalog coverage test fails on it). -#}
select
    cast(null as varchar) as indicator_code,
    cast(null as varchar) as grain,
    cast(null as varchar) as entity_id,
    cast(null as varchar) as period_type,
    cast(null as date) as period_start,
    cast(null as double) as value,
    cast(null as double) as numerator,
    cast(null as double) as denominator
where 1 = 0
