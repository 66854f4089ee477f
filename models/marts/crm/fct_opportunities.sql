{#- One row per sales opportunity created on or before the as-of date. A close after the
    as-of date is not known yet (the opportunity is still open). Amounts in the base currency
    at the rate of the close date (the created date while open); the opportunity belongs to its
    rep and to that rep's team on the same date. B2B = the account's segment (a soft-deleted account keeps
    its segment). The decision
    chain counts the distinct decision roles (of the five) among the contacts the opportunity
    engaged up to its close; NULL when the CRM holds no opportunity contacts at all. -#}
with opportunities as (

    select * from {{ ref('stg_crm__opportunities') }}

),

customers as (

    {# Soft-deleted accounts included: their opportunities still count. #}
    select * from {{ ref('dim_customers') }}

),

opportunity_contacts as (

    select * from {{ ref('stg_crm__opportunity_contacts') }}

),

contacts as (

    select * from {{ ref('stg_crm__contacts') }}

),

as_of as (

    select * from {{ ref('base_erp__as_of_date') }}

),

as_of_status as (

    select
        opportunities.opportunity_id,
        opportunities.customer_id,
        opportunities.rep_id,
        opportunities.product_id,
        opportunities.created_at,
        cast(opportunities.created_at as date) as created_date,
        opportunities.expected_close_date,
        {# Only a won or lost opportunity has a close; one after the as-of date is not known yet. #}
        case
            when opportunities.status in ('won', 'lost')
                and cast(opportunities.closed_at as date) <= as_of.as_of_date
                then opportunities.closed_at
        end as closed_at,
        case
            when opportunities.status in ('won', 'lost')
                and (opportunities.closed_at is null or cast(opportunities.closed_at as date) <= as_of.as_of_date)
                then opportunities.status
            when opportunities.status is null then null
            else 'open'
        end as status,
        opportunities.stage,
        opportunities.forecast_amount,
        opportunities.won_amount,
        opportunities.currency,
        opportunities.target_cycle_days,
        as_of.as_of_date
    from opportunities
    cross join as_of
    where cast(opportunities.created_at as date) <= as_of.as_of_date

),

dated as (

    select
        as_of_status.*,
        cast(as_of_status.closed_at as date) as closed_date,
        coalesce(cast(as_of_status.closed_at as date), as_of_status.created_date) as attribution_date
    from as_of_status

),

engaged_roles as (

    select
        opportunity_contacts.opportunity_id,
        count(distinct contacts.decision_role) as decision_roles_engaged
    from opportunity_contacts
    inner join dated
        on opportunity_contacts.opportunity_id = dated.opportunity_id
    inner join contacts
        on opportunity_contacts.contact_id = contacts.contact_id
    where contacts.decision_role in ('decision_maker', 'influencer', 'user', 'procurement', 'finance')
        {# Engaged up to the close (or up to the as-of date while open); an unknown time counts. #}
        and (
            opportunity_contacts.engaged_at is null
            or cast(opportunity_contacts.engaged_at as date) <= coalesce(dated.closed_date, dated.as_of_date)
        )
    group by 1

),

contact_data as (

    {# Without any opportunity contact in the CRM the decision chain is unknown, not empty. #}
    select count(*) > 0 as has_opportunity_contacts
    from opportunity_contacts

),

final as (

    select
        dated.opportunity_id,
        dated.customer_id,
        customers.segment as customer_segment,
        case
            when customers.segment is null then null
            else customers.segment = 'B2B'
        end as is_b2b,
        dated.rep_id,
        team_on_date.team_id,
        dated.product_id,
        dated.created_at,
        dated.created_date,
        dated.expected_close_date,
        dated.closed_at,
        dated.closed_date,
        dated.status,
        dated.stage,
        coalesce(dated.status in ('won', 'lost') and dated.closed_date is not null, false) as is_closed,
        coalesce(dated.status = 'won', false) as is_won,
        dated.currency,
        fx.rate_to_base as fx_rate,
        cast(dated.forecast_amount * fx.rate_to_base as double) as forecast_amount,
        {# A won amount counts once the opportunity is won (by the as-of date). #}
        case
            when dated.status = 'won' then cast(dated.won_amount * fx.rate_to_base as double)
        end as won_amount,
        dated.target_cycle_days,
        {{ dbt.datediff('dated.created_date', 'dated.closed_date', 'day') }}
            as cycle_days,
        case
            when contact_data.has_opportunity_contacts then coalesce(engaged_roles.decision_roles_engaged, 0)
        end as decision_roles_engaged
    from dated
    cross join contact_data
    left join customers
        on dated.customer_id = customers.customer_id
    left join engaged_roles
        on dated.opportunity_id = engaged_roles.opportunity_id
    {{ join_team_on_date('team_on_date', 'dated.rep_id', 'dated.attribution_date') }}
    {{ join_fx_on_date('fx', 'dated.currency', 'dated.attribution_date') }}

)

select * from final
