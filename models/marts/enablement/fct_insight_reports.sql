{#- One row per market-insight report submitted up to the as-of date, credited to the author and
    to the author's team on the submission date. -#}
with reports as (

    select * from {{ ref('stg_hr__insight_reports') }}

),

as_of as (

    select * from {{ ref('base_erp__as_of_date') }}

),

dated as (

    select
        reports.*,
        cast(reports.submitted_at as date) as submitted_date
    from reports

),

counted as (

    select dated.*
    from dated
    cross join as_of
    where dated.submitted_date <= as_of.as_of_date

),

final as (

    select
        counted.report_id,
        counted.rep_id,
        team_on_submitted_date.team_id,
        counted.submitted_at,
        counted.submitted_date,
        counted.report_type,
        counted.quality_score,
        coalesce(counted.report_type = 'competitor_analysis', false) as is_competitor_analysis
    from counted
    {{ join_team_on_date('team_on_submitted_date', 'counted.rep_id', 'counted.submitted_date') }}

)

select * from final
