{#- The CTEs that turn a monthly plan of targets (CTE `plan`: target_grain 'rep' or 'team', entity_id,
    target_month and the measures) into additive rows, so that summed by team, by rep or in all they give
    what int_indicator_targets resolves (fct_sales_targets, fct_gross_margin_targets):
    - rep_targets: a rep's row, with the rep's team on the month's first day (NULL: no team then);
    - team_adjustments: a team with its own row for the month: its measures minus its reps' (team on the
      month's first day), so the team's rows add up to its own;
    - teamless_adjustments: minus the rows of the reps without a team on the month's first day, who count
      for themselves but for no team nor the company;
    - unioned: the three.
    measures: the additive columns of `plan`; carried: a column of `plan` kept on rep and team rows as it
    is (not added up) and NULL on the teamless adjustment, as (name, type), or none. -#}
{% macro additive_target_rows(measures, carried=none) -%}
rep_targets as (

    select
        plan.target_month,
        rep_teams.team_id,
        plan.entity_id as rep_id,
        'rep' as target_kind,
        {%- if carried %}
        plan.{{ carried[0] }},
        {%- endif %}
        {%- for measure in measures %}
        plan.{{ measure }}{{ ',' if not loop.last }}
        {%- endfor %}
    from plan
    {{ join_team_on_date('rep_teams', 'plan.entity_id', 'plan.target_month') }}
    where plan.target_grain = 'rep'

),

reps_by_team as (

    select
        target_month,
        team_id,
        {%- for measure in measures %}
        sum({{ measure }}) as {{ measure }}{{ ',' if not loop.last }}
        {%- endfor %}
    from rep_targets
    group by 1, 2

),

team_adjustments as (

    select
        plan.target_month,
        plan.entity_id as team_id,
        cast(null as string) as rep_id,
        'team_adjustment' as target_kind,
        {%- if carried %}
        plan.{{ carried[0] }},
        {%- endif %}
        {%- for measure in measures %}
        plan.{{ measure }} - coalesce(reps_by_team.{{ measure }}, 0) as {{ measure }}{{ ',' if not loop.last }}
        {%- endfor %}
    from plan
    left join reps_by_team
        on plan.target_month = reps_by_team.target_month
        and plan.entity_id = reps_by_team.team_id
    where plan.target_grain = 'team'

),

teamless_adjustments as (

    select
        target_month,
        cast(null as string) as team_id,
        cast(null as string) as rep_id,
        'teamless_adjustment' as target_kind,
        {%- if carried %}
        cast(null as {{ carried[1] }}) as {{ carried[0] }},
        {%- endif %}
        {%- for measure in measures %}
        0 - {{ measure }} as {{ measure }}{{ ',' if not loop.last }}
        {%- endfor %}
    from reps_by_team
    where team_id is null

),

unioned as (

    select * from rep_targets
    union all
    select * from team_adjustments
    union all
    select * from teamless_adjustments

)
{%- endmacro %}
