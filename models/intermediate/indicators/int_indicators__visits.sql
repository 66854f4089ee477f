{#- Customer visits: visit_count, effective_visit_rate, visit_coverage_rate.
    Visits are activities of type visit_onsite or visit_online, to the rep and the rep's team
    on the activity date. Coverage is customer-owned: the target accounts each rep owns at the
    period's end (capped at the as-of date; an account counts once it was created, and not when
    soft-deleted), whether or not they ever ordered, and the share of them visited (by anyone)
    in the period. Coverage exists only from the first period the CRM logged any activity:
    before that it is unknown. -#}
with activities as (

    select * from {{ ref('fct_activities') }}

),

periods as (

    select * from {{ ref('dim_periods') }}

),

customers as (

    select * from {{ ref('dim_customers') }}

),

visits as (

    select * from activities
    where is_visit

),

visit_counts as (

    {{ rollup_by_grain_and_period(
        'visits', 'activity_date',
        [
            'count(*) as visits',
            'sum(case when has_key_action then 1 else 0 end) as effective_visits',
            'count(has_key_action) as visits_with_key_action',
        ],
        ['team', 'rep', 'customer', 'company'],
    ) }}

),

activity_history as (

    select min(activity_date) as first_activity_date
    from activities

),

target_accounts as (

    select
        customer_id,
        created_date
    from customers
    {# A soft-deleted account is no longer an account to cover. #}
    where is_target_account
        and not is_deleted

),

owned_target_accounts as (

    select
        periods.period_type,
        periods.period_start,
        periods.period_end_as_of,
        target_accounts.customer_id,
        owner_at_end.owner_rep_id as rep_id
    from periods
    cross join activity_history
    inner join target_accounts
        on target_accounts.created_date is null
        or target_accounts.created_date <= periods.period_end_as_of
    {{ join_owner_on_date('owner_at_end', 'target_accounts.customer_id', 'periods.period_end_as_of') }}
    where periods.period_end_as_of >= activity_history.first_activity_date
        and owner_at_end.owner_rep_id is not null

),

visited_customers as (

    select distinct
        periods.period_type,
        periods.period_start,
        visits.customer_id
    from visits
    inner join periods
        on visits.activity_date >= periods.period_start
        and visits.activity_date <= periods.period_end_as_of

),

coverage_events as (

    select
        owned_target_accounts.period_type,
        owned_target_accounts.period_start,
        owned_target_accounts.customer_id,
        owned_target_accounts.rep_id,
        owner_team.team_id,
        case when visited_customers.customer_id is not null then 1 else 0 end as is_visited
    from owned_target_accounts
    left join visited_customers
        on owned_target_accounts.period_type = visited_customers.period_type
        and owned_target_accounts.period_start = visited_customers.period_start
        and owned_target_accounts.customer_id = visited_customers.customer_id
    {{ join_team_on_date('owner_team', 'owned_target_accounts.rep_id', 'owned_target_accounts.period_end_as_of') }}

),

coverage as (

    {{ rollup_by_grain_and_period(
        'coverage_events', none,
        [
            'count(*) as target_accounts',
            'sum(is_visited) as visited_target_accounts',
        ],
        ['team', 'rep', 'company'],
    ) }}

),

indicators as (

    {{ indicator_rows('visit_counts', 'visit_count', 'visits', 'visits') }}
    union all
    {# A visit without a key_action is unknown: it enters neither side of the rate. #}
    {{ indicator_rows('visit_counts', 'effective_visit_rate',
        safe_divide('effective_visits', 'visits_with_key_action'), 'effective_visits', 'visits_with_key_action',
        where="grain <> 'customer'") }}
    union all
    {{ indicator_rows('coverage', 'visit_coverage_rate',
        safe_divide('visited_target_accounts', 'target_accounts'), 'visited_target_accounts', 'target_accounts') }}

)

select * from indicators
