{#- knowledge_sharing_contributions with its companion measures, per grain, entity and period:
    accepted contributions, and Σ citation_count and Σ instructor_hours of those accepted
    contributions (the effective content the article counts). By contributed_date; a
    contribution goes to its rep and the rep's team on that date. A row exists for every
    (entity, period) with a contribution, accepted or not. -#}
with contributions as (

    select * from {{ ref('fct_knowledge_contributions') }}

),

rolled_up as (

    {{ rollup_by_grain_and_period(
        'contributions', 'contributed_date',
        [
            'count(*) as contributions',
            'sum(case when is_accepted then 1 else 0 end) as accepted_contributions',
            'sum(case when is_accepted then citation_count else 0 end) as citation_count',
            'sum(case when is_accepted then instructor_hours else 0 end) as instructor_hours',
        ],
        ['team', 'rep', 'company'],
    ) }}

),

final as (

    select
        grain,
        entity_id,
        period_type,
        period_start,
        cast(contributions as bigint) as contributions,
        cast(accepted_contributions as bigint) as accepted_contributions,
        cast(citation_count as bigint) as citation_count,
        cast(instructor_hours as double) as instructor_hours
    from rolled_up

)

select * from final
