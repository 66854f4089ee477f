{#- Reps with their team on the as-of date. The team history is dim_rep_team_history.
    The work email is not carried (PII). -#}
with reps as (

    select
        *,
        false as is_deleted
    from {{ ref('stg_crm__sales_reps') }}
    union all
    select
        *,
        true as is_deleted
    from {{ ref('stg_crm__sales_reps_deleted') }}

),

as_of as (

    select * from {{ ref('base_erp__as_of_date') }}

),

final as (

    select
        reps.rep_id,
        reps.rep_name,
        reps.role,
        reps.level,
        reps.hire_date,
        reps.termination_date,
        current_team.team_id as current_team_id,
        reps.termination_date is null or reps.termination_date > as_of.as_of_date as is_employed,
        {{ dbt.datediff('reps.hire_date', 'as_of.as_of_date', 'day') }}
        / cast(365.25 as double) as tenure_years,
        reps.is_deleted
    from reps
    cross join as_of
    {{ join_team_on_date('current_team', 'reps.rep_id', 'as_of.as_of_date') }}

)

select * from final
