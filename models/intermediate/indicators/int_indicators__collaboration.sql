{#- Team collaboration (团队协作类) from the HR enablement facts:
    internal_collaboration_satisfaction, knowledge_sharing_contributions, cross_dept_on_time_rate,
    feedback_adoption_rate. Rows are sparse, one per (entity, period) with input:
      internal_collaboration_satisfaction  responses by surveyed_date; mean of the responses'
                    response_score (each response's mean of its answered dimensions); team = the
                    team rated, rep = the rep rated (a response rating no rep: rep 'unassigned')
      knowledge_sharing_contributions      contributions by contributed_date; count accepted
                    (0 when none of the period's contributions was accepted)
      cross_dept_on_time_rate              requests by due_date (due by the as-of date);
                    completed at or before due_at / requests due
      feedback_adoption_rate               the same requests; adopted / requests with a
                    decision (NULL when none has one)
    Contributions and requests go to the rep and the rep's team on the event's date (a request
    to its own team_id, else that), as the facts carry them. -#}
{%- set grains = ['team', 'rep', 'company'] -%}

with surveys as (

    select
        response_id,
        rated_team_id as team_id,
        rated_rep_id as rep_id,
        surveyed_date,
        response_score
    from {{ ref('fct_collaboration_surveys') }}

),

contributions as (

    select * from {{ ref('fct_knowledge_contributions') }}

),

requests as (

    select * from {{ ref('fct_cross_dept_requests') }}
    where is_due_by_as_of

),

surveys_rolled_up as (

    {{ rollup_by_grain_and_period(
        'surveys', 'surveyed_date',
        [
            'sum(response_score) as response_score_sum',
            'count(response_score) as scored_responses',
        ],
        grains,
    ) }}

),

contributions_rolled_up as (

    {{ rollup_by_grain_and_period(
        'contributions', 'contributed_date',
        ['sum(case when is_accepted then 1 else 0 end) as accepted_contributions'],
        grains,
    ) }}

),

requests_rolled_up as (

    {{ rollup_by_grain_and_period(
        'requests', 'due_date',
        [
            'sum(case when is_completed_on_time then 1 else 0 end) as on_time_requests',
            'count(*) as due_requests',
            'sum(case when is_adopted then 1 else 0 end) as adopted_requests',
            'sum(case when has_adoption_decision then 1 else 0 end) as decided_requests',
        ],
        grains,
    ) }}

),

indicators as (

    {{ indicator_rows('surveys_rolled_up', 'internal_collaboration_satisfaction',
        safe_divide('response_score_sum', 'scored_responses'), 'response_score_sum', 'scored_responses') }}
    union all
    {{ indicator_rows('contributions_rolled_up', 'knowledge_sharing_contributions',
        'accepted_contributions', 'accepted_contributions') }}
    union all
    {{ indicator_rows('requests_rolled_up', 'cross_dept_on_time_rate',
        safe_divide('on_time_requests', 'due_requests'), 'on_time_requests', 'due_requests') }}
    union all
    {{ indicator_rows('requests_rolled_up', 'feedback_adoption_rate',
        safe_divide('adopted_requests', 'decided_requests'), 'adopted_requests', 'decided_requests') }}

)

select * from indicators
