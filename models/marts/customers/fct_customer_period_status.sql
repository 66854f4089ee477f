{#- One row per (period, customer) for every customer active at the period's end, active at its
    start (the day before it begins) or acquired in it; with the customer's owner rep at the
    period's end (capped at the as-of date) and that rep's team on that date. Customer-owned
    indicators (retention, coverage, wallet share, penetration, CLV) roll up from here. -#}
with periods as (

    select * from {{ ref('dim_periods') }}

),

spells as (

    select * from {{ ref('fct_customer_activity_spells') }}

),

{# The customers active at the period's end (capped at the as-of date) and at its start (the day
    before it begins): one query, two dates. -#}
{%- set status_dates = {
    'active_at_end': 'periods.period_end_as_of',
    'active_at_start': 'cast(' ~ dbt.dateadd('day', -1, 'periods.period_start') ~ ' as date)',
} %}
{%- for cte, status_date in status_dates.items() %}
{{ cte }} as (

    select
        periods.period_type,
        periods.period_start,
        spells.customer_id
    from periods
    inner join spells
        on {{ spell_covers(status_date) }}

),
{%- endfor %}

{# Activations: a spell that starts in the period (a first order or a return), including the
    first spells at the start of the history that fct_customer_acquisitions does not credit as
    new customers. With them, active at end minus activated in period is a subset of active at
    start, so retention stays within 0..1. -#}
acquired as (

    select
        periods.period_type,
        periods.period_start,
        spells.customer_id,
        count(*) as acquisitions
    from periods
    inner join spells
        on periods.period_start <= spells.spell_start_date
        and periods.period_end_as_of >= spells.spell_start_date
    group by 1, 2, 3

),

customer_periods as (

    select
        period_type,
        period_start,
        customer_id
    from active_at_end
    union
    select
        period_type,
        period_start,
        customer_id
    from active_at_start
    union
    select
        period_type,
        period_start,
        customer_id
    from acquired

),

final as (

    select
        customer_periods.period_type,
        customer_periods.period_start,
        periods.period_end_as_of,
        customer_periods.customer_id,
        owner_at_end.owner_rep_id,
        owner_team.team_id as owner_team_id,
        active_at_end.customer_id is not null as is_active_at_end,
        active_at_start.customer_id is not null as is_active_at_start,
        coalesce(acquired.acquisitions, 0) > 0 as is_acquired_in_period
    from customer_periods
    inner join periods
        on customer_periods.period_type = periods.period_type
        and customer_periods.period_start = periods.period_start
    left join active_at_end
        on customer_periods.period_type = active_at_end.period_type
        and customer_periods.period_start = active_at_end.period_start
        and customer_periods.customer_id = active_at_end.customer_id
    left join active_at_start
        on customer_periods.period_type = active_at_start.period_type
        and customer_periods.period_start = active_at_start.period_start
        and customer_periods.customer_id = active_at_start.customer_id
    left join acquired
        on customer_periods.period_type = acquired.period_type
        and customer_periods.period_start = acquired.period_start
        and customer_periods.customer_id = acquired.customer_id
    {{ join_owner_on_date('owner_at_end', 'customer_periods.customer_id', 'periods.period_end_as_of') }}
    {{ join_team_on_date('owner_team', 'owner_at_end.owner_rep_id', 'periods.period_end_as_of') }}

)

select * from final
