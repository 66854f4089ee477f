{#- Deferred incentives (遞延獎金 / 追溯): the schedule, not payroll. Per acquired customer (rep and
    team of the acquisition) and plan year of the seed incentive_deferral_rules:
    - bonus = var incentive_bonus_rate x the customer's gross margin in plan year 1 (below 0 counts
      as 0; provisional while year 1 runs); earned = bonus x the year's payout_share;
    - a complete year whose conditions hold is paid: year 1 upfront (status 'paid'), a later year
      vests ('vested', vested = paid); conditions: retained (if required: the acquisition's activity
      spell covers the year's last day), service + maintenance cost / net sales of the year at most
      max_service_cost_share, net sales growth over year 1 at least min_sales_growth (a condition
      that cannot be computed, e.g. no sales, fails);
    - a complete year whose retention fails: the customer is lost ('lost'): that year's and every
      later year's share are forfeited ('forfeited_customer_lost' after it), and
      clawback_share_on_loss of the amounts paid in the earlier years is clawed back;
    - another condition failing forfeits that year's share only ('forfeited');
    - a year running at the as-of date is 'pending', a later one 'scheduled': their share is deferred.
    deferred_balance = the shares of the later plan years still open after this one (0 once lost). -#}
with plan_years as (

    select * from {{ ref('int_deferred_incentives__plan_years') }}

),

rules as (

    select * from {{ ref('incentive_deferral_rules') }}

),

year_one as (

    select
        customer_id,
        acquisition_date,
        net_sales as year_one_net_sales,
        gross_margin as year_one_gross_margin,
        is_complete as is_year_one_complete
    from plan_years
    where plan_year = 1

),

measured as (

    select
        plan_years.*,
        rules.payout_share,
        rules.requires_retention,
        rules.max_service_cost_share,
        rules.min_sales_growth,
        rules.clawback_share_on_loss,
        not year_one.is_year_one_complete as is_bonus_provisional,
        {{ var('incentive_bonus_rate') }} * greatest(year_one.year_one_gross_margin, 0.0) as bonus_amount,
        case when plan_years.net_sales > 0
                then plan_years.service_cost / plan_years.net_sales
        end as service_cost_share,
        case when year_one.year_one_net_sales > 0
                then plan_years.net_sales / year_one.year_one_net_sales - 1
        end as sales_growth
    from plan_years
    inner join rules
        on plan_years.plan_year = rules.plan_year
    inner join year_one
        on plan_years.customer_id = year_one.customer_id
        and plan_years.acquisition_date = year_one.acquisition_date

),

judged as (

    select
        *,
        bonus_amount * payout_share as earned_amount,
        case
            when not is_complete then null
            when max_service_cost_share is null then true
            else coalesce(service_cost_share <= max_service_cost_share, false)
        end as is_service_cost_within_bound,
        case
            when not is_complete then null
            when min_sales_growth is null then true
            else coalesce(sales_growth >= min_sales_growth, false)
        end as is_upsell_met,
        is_complete and requires_retention and not is_retained as is_lost
    from measured

),

lost as (

    select
        customer_id,
        acquisition_date,
        min(plan_year) as lost_in_plan_year
    from judged
    where is_lost
    group by 1, 2

),

statused as (

    select
        judged.*,
        lost.lost_in_plan_year,
        case
            when judged.plan_year > lost.lost_in_plan_year then 'forfeited_customer_lost'
            when judged.plan_year = lost.lost_in_plan_year then 'lost'
            when not judged.is_started then 'scheduled'
            when not judged.is_complete then 'pending'
            when not (judged.is_service_cost_within_bound and judged.is_upsell_met) then 'forfeited'
            when judged.plan_year = 1 then 'paid'
            else 'vested'
        end as status
    from judged
    left join lost
        on judged.customer_id = lost.customer_id
        and judged.acquisition_date = lost.acquisition_date

),

amounts as (

    select
        *,
        case when status in ('paid', 'vested') then earned_amount else 0.0 end as paid_amount,
        case when status = 'vested' then earned_amount else 0.0 end as vested_amount,
        case when status in ('pending', 'scheduled') then earned_amount else 0.0 end as deferred_amount,
        case
            when status in ('forfeited', 'lost', 'forfeited_customer_lost') then earned_amount else 0.0
        end as forfeited_amount
    from statused

),

final as (

    select
        rep_id,
        team_id,
        customer_id,
        acquisition_date,
        plan_year,
        plan_year_start,
        plan_year_end,
        status,
        bonus_amount,
        is_bonus_provisional,
        payout_share,
        earned_amount,
        paid_amount,
        vested_amount,
        deferred_amount,
        forfeited_amount,
        case
            when status = 'lost'
                then clawback_share_on_loss * coalesce(sum(paid_amount) over (
                        partition by customer_id, acquisition_date
                        order by plan_year
                        rows between unbounded preceding and 1 preceding
                    ), 0.0)
            else 0.0
        end as clawed_back_amount,
        case
            when lost_in_plan_year <= plan_year then 0.0
            else coalesce(sum(earned_amount) over (
                    partition by customer_id, acquisition_date
                    order by plan_year
                    rows between 1 following and unbounded following
                ), 0.0)
        end as deferred_balance,
        net_sales,
        gross_margin,
        service_cost,
        service_cost_share,
        sales_growth,
        is_retained,
        is_service_cost_within_bound,
        is_upsell_met,
        lost_in_plan_year
    from amounts

)

select * from final
