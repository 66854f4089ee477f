{#- One row per cross-department support request raised up to the as-of date. The request is
    credited to its rep and to its own team_id; a request without a team goes to the rep's team
    on the due date. It counts in the period of its due date once that date is on or before the
    as-of date (is_due_by_as_of). A completion after the as-of date is not known yet: such a
    request is open as of that date. On time = completed at or before due_at. -#}
with requests as (

    select * from {{ ref('stg_hr__cross_dept_requests') }}

),

as_of as (

    select * from {{ ref('base_erp__as_of_date') }}

),

dated as (

    select
        requests.*,
        cast(requests.requested_at as date) as requested_date,
        cast(requests.due_at as date) as due_date,
        cast(requests.completed_at as date) as completed_date
    from requests

),

raised as (

    select
        dated.request_id,
        dated.rep_id,
        dated.team_id,
        dated.requesting_department,
        dated.request_type,
        dated.requested_at,
        dated.requested_date,
        dated.due_at,
        dated.due_date,
        case when dated.completed_date <= as_of.as_of_date then dated.completed_at end as completed_at,
        dated.adopted,
        coalesce(dated.due_date <= as_of.as_of_date, false) as is_due_by_as_of
    from dated
    cross join as_of
    where coalesce(dated.requested_date, dated.due_date) <= as_of.as_of_date

),

final as (

    select
        raised.request_id,
        raised.rep_id,
        coalesce(raised.team_id, team_on_due_date.team_id) as team_id,
        case
            when raised.team_id is not null then 'request'
            when team_on_due_date.team_id is not null then 'rep_team_on_due_date'
        end as team_source,
        raised.requesting_department,
        raised.request_type,
        raised.requested_at,
        raised.requested_date,
        raised.due_at,
        raised.due_date,
        raised.completed_at,
        raised.is_due_by_as_of,
        case
            when raised.due_at is null then null
            when raised.completed_at is not null and raised.completed_at <= raised.due_at then true
            else false
        end as is_completed_on_time,
        raised.adopted as is_adopted,
        raised.adopted is not null as has_adoption_decision
    from raised
    {{ join_team_on_date('team_on_due_date', 'raised.rep_id', 'raised.due_date') }}

)

select * from final
