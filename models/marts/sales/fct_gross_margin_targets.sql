{#- The monthly gross margin rate targets (plan_sales_targets.target_gross_margin_rate) as additive
    rows, so that a sum gives the sales-target-weighted mean int_indicator_targets computes for
    gross_margin_rate: target = Σ weighted_margin_target / Σ margin_target_weight by team, by rep or
    in all, over the months of any period; where no row of the group has a sales target (weight 0)
    the plain mean Σ unweighted_margin_target / Σ unweighted_margin_targets (the semantic layer's
    gross_margin_rate_target).
    - rep: a rep's margin target, with the rep's team on the month's first day (NULL: no team).
    - team_adjustment: a team with its own margin target for the month: its own row minus the rows
      of its reps (team on the month's first day), so the team's rows add up to its own target.
    - teamless_adjustment: minus the rows of the reps without a team on the month's first day, who
      count for themselves but for no team nor the company.
    A row of the plan with a margin target and a sales target w has weighted_margin_target =
    rate × w and margin_target_weight = w; without a sales target (NULL or 0) it has
    unweighted_margin_target = rate and unweighted_margin_targets = 1 instead. The rows: macro
    additive_target_rows, shared with fct_sales_targets. -#}
with plan as (

    select
        target_grain,
        entity_id,
        target_month,
        cast(target_gross_margin_rate as double) as target_gross_margin_rate,
        cast(coalesce(target_sales_amount, 0) as double) as margin_target_weight,
        cast(target_gross_margin_rate as double)
        * cast(coalesce(target_sales_amount, 0) as double) as weighted_margin_target,
        case
            when coalesce(target_sales_amount, 0) = 0 then cast(target_gross_margin_rate as double) else 0
        end as unweighted_margin_target,
        case when coalesce(target_sales_amount, 0) = 0 then 1 else 0 end as unweighted_margin_targets
    from {{ ref('stg_plan__sales_targets') }}
    where target_gross_margin_rate is not null

),

{%- set measures = [
    'weighted_margin_target', 'margin_target_weight', 'unweighted_margin_target', 'unweighted_margin_targets',
] %}
{{ additive_target_rows(measures, carried=('target_gross_margin_rate', 'double')) }},

final as (

    select
        target_kind || ':' || coalesce(team_id, '') || ':' || coalesce(rep_id, '') || ':'
        || {{ format_date('target_month', '%Y-%m') }} as gross_margin_target_id,
        target_month,
        team_id,
        rep_id,
        target_kind,
        target_gross_margin_rate,
        weighted_margin_target,
        margin_target_weight,
        unweighted_margin_target,
        cast(unweighted_margin_targets as integer) as unweighted_margin_targets
    from unioned

)

select * from final
