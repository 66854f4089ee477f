{#- One row per CRM activity (visit, call, email) on or before the as-of date. The activity's
    date is taken in the company time zone (staging converted timestamps with an offset). The
    activity belongs to its rep and to that rep's team on the activity date. -#}
with activities as (

    select * from {{ ref('stg_crm__activities') }}

),

as_of as (

    select * from {{ ref('base_erp__as_of_date') }}

),

dated as (

    select
        activities.*,
        cast(activities.activity_at as date) as activity_date
    from activities

),

final as (

    select
        dated.activity_id,
        dated.activity_at,
        dated.activity_date,
        dated.rep_id,
        team_on_activity_date.team_id,
        dated.customer_id,
        dated.opportunity_id,
        dated.activity_type,
        dated.key_action,
        dated.duration_minutes,
        coalesce(dated.activity_type in ('visit_onsite', 'visit_online'), false) as is_visit,
        {# An empty key_action is unknown, not 'none'. #}
        case
            when dated.key_action is null then null
            else dated.key_action <> 'none'
        end as has_key_action
    from dated
    cross join as_of
    {{ join_team_on_date('team_on_activity_date', 'dated.rep_id', 'dated.activity_date') }}
    where dated.activity_date <= as_of.as_of_date

)

select * from final
