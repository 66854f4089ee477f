{#- Every data-quality check of the last build: each dbt test and unit test, each Great
    Expectations expectation of the build gate and each source-freshness check, with its layer,
    severity, status and failing rows. dbt creates it empty (the contract fixes its columns); the
    main command (salesperf.run build) fills it after dbt has finished and the GX checkpoint has
    run, before publishing the warehouse. A plain `dbt build` leaves it empty. -#}
with no_checks_yet as (

    select
        cast(null as string) as check_id,
        cast(null as string) as check_name,
        cast(null as string) as check_type,
        cast(null as string) as layer,
        cast(null as string) as object_name,
        cast(null as string) as severity,
        cast(null as string) as status,
        cast(null as bigint) as failing_rows,
        cast(null as string) as message,
        cast(null as timestamp) as checked_at

),

final as (

    select * from no_checks_yet
    where 1 = 0

)

select * from final
