{#- The monthly sales targets (plan_sales_targets) as additive rows: summed by team they give each
    team's target, by rep each rep's, in all the company's, as int_indicator_targets resolves them
    for sales_target_attainment (the semantic layer's sales_target; BI tools can sum it the same way).
    - rep: a rep's target, with the rep's team on the month's first day (NULL: no team then).
    - team_adjustment: a team with its own target for the month: its own target minus the targets
      of its reps (team on the month's first day), so that the team's rows add up to its own target;
      a team without its own target is the sum of its reps' (no row).
    - teamless_adjustment: minus the targets of the reps without a team on the month's first day,
      which count for the rep but not for any team nor the company.
    Rows with an empty rep_id are adjustments, not a rep's target. The rows: macro additive_target_rows,
    shared with fct_gross_margin_targets. -#}
with plan as (

    select * from {{ ref('stg_plan__sales_targets') }}
    where target_sales_amount is not null

),

{{ additive_target_rows(['target_sales_amount']) }},

final as (

    select
        target_kind || ':' || coalesce(team_id, '') || ':' || coalesce(rep_id, '') || ':'
        || {{ format_date('target_month', '%Y-%m') }} as sales_target_id,
        target_month,
        team_id,
        rep_id,
        target_kind,
        cast(target_sales_amount as decimal(18, 4)) as target_sales_amount
    from unioned

)

select * from final
