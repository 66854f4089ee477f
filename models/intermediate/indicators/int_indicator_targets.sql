{#- Targets per (indicator, grain, entity, period) from plan_sales_targets.
    - A team without its own target row for a month uses the sum of the targets of the reps in
      the team on the month's first day (rates: their sales-target-weighted mean).
    - The company target is the sum over teams (rates: weighted mean).
    - A quarter, year or fiscal-year target is the sum of its months' targets; a rate target is
      the mean of its months' weighted by each month's sales target (plain mean when there is none).
    The catalog's target_column says which indicator a target column belongs to. -#}
with plan as (

    select * from {{ ref('stg_plan__sales_targets') }}

),

catalog as (

    select * from {{ ref('indicator_catalog') }}

),

unpivoted as (

    {% set target_columns = {
        'target_sales_amount': 'sum',
        'target_new_customers': 'sum',
        'target_collection_rate': 'weighted',
        'target_gross_margin_rate': 'weighted',
    } %}
    {% for column, kind in target_columns.items() %}
    select
        target_grain,
        entity_id,
        target_month,
        '{{ column }}' as target_column,
        '{{ kind }}' as aggregation,
        cast({{ column }} as double) as target_value,
        cast(target_sales_amount as double) as weight
    from plan
    where {{ column }} is not null
    {% if not loop.last %}union all{% endif %}
    {% endfor %}

),

rep_monthly as (

    select * from unpivoted
    where target_grain = 'rep'

),

team_own as (

    select * from unpivoted
    where target_grain = 'team'

),

team_from_reps as (

    select
        rep_teams.team_id as entity_id,
        rep_monthly.target_month,
        rep_monthly.target_column,
        rep_monthly.aggregation,
        sum(rep_monthly.target_value) as sum_value,
        sum(rep_monthly.target_value * rep_monthly.weight) as weighted_sum,
        sum(rep_monthly.weight) as weight,
        avg(rep_monthly.target_value) as mean_value
    from rep_monthly
    {{ join_team_on_date('rep_teams', 'rep_monthly.entity_id', 'rep_monthly.target_month', join_type='inner') }}
    group by 1, 2, 3, 4

),

team_monthly as (

    select
        'team' as target_grain,
        team_own.entity_id,
        team_own.target_month,
        team_own.target_column,
        team_own.aggregation,
        team_own.target_value,
        team_own.weight
    from team_own
    union all
    select
        'team' as target_grain,
        team_from_reps.entity_id,
        team_from_reps.target_month,
        team_from_reps.target_column,
        team_from_reps.aggregation,
        case
            when team_from_reps.aggregation = 'sum' then team_from_reps.sum_value
            else coalesce(
                    {{ safe_divide('team_from_reps.weighted_sum', 'team_from_reps.weight') }}, team_from_reps.mean_value
                )
        end as target_value,
        team_from_reps.weight
    from team_from_reps
    left join team_own
        on team_from_reps.entity_id = team_own.entity_id
        and team_from_reps.target_month = team_own.target_month
        and team_from_reps.target_column = team_own.target_column
    where team_own.entity_id is null

),

company_monthly as (

    select
        'company' as target_grain,
        'company' as entity_id,
        target_month,
        target_column,
        aggregation,
        case
            when aggregation = 'sum' then sum(target_value)
            else coalesce({{ safe_divide('sum(target_value * weight)', 'sum(weight)') }}, avg(target_value))
        end as target_value,
        sum(weight) as weight
    from team_monthly
    group by 1, 2, 3, 4, 5

),

monthly as (

    select * from rep_monthly
    union all
    select * from team_monthly
    union all
    select * from company_monthly

),

periodized as (

    select
        monthly.*,
        period_types.period_type,
        {{ period_start('period_types.period_type', 'monthly.target_month') }} as period_start
    from monthly
    cross join {{ period_types() }} as period_types

),

rolled_up as (

    select
        target_grain as grain,
        entity_id,
        period_type,
        period_start,
        target_column,
        case
            when max(aggregation) = 'sum' then sum(target_value)
            else coalesce({{ safe_divide('sum(target_value * weight)', 'sum(weight)') }}, avg(target_value))
        end as target_value
    from periodized
    group by 1, 2, 3, 4, 5

),

final as (

    select
        catalog.indicator_code,
        rolled_up.grain,
        rolled_up.entity_id,
        rolled_up.period_type,
        rolled_up.period_start,
        rolled_up.target_value
    from rolled_up
    inner join catalog
        on rolled_up.target_column = catalog.target_column

)

select * from final
