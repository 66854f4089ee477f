{#- One row per expense claim up to the as-of date, credited to the claiming rep and to that
    rep's team on the expense date; the amount in the base currency at the rate of the expense
    date (NULL when no rate exists: a data error, never read as 1). -#}
with expenses as (

    select * from {{ ref('stg_erp__expenses') }}

),

as_of as (

    select * from {{ ref('base_erp__as_of_date') }}

),

joined as (

    select
        expenses.expense_id,
        expenses.rep_id,
        team_on_expense_date.team_id,
        expenses.expense_date,
        expenses.category,
        expenses.currency,
        expenses.amount as amount_local,
        fx.rate_to_base as fx_rate,
        expenses.approved,
        expenses.policy_compliant
    from expenses
    cross join as_of
    {{ join_team_on_date('team_on_expense_date', 'expenses.rep_id', 'expenses.expense_date') }}
    {{ join_fx_on_date('fx', 'expenses.currency', 'expenses.expense_date') }}
    where expenses.expense_date <= as_of.as_of_date

),

final as (

    select
        expense_id,
        rep_id,
        team_id,
        expense_date,
        category,
        currency,
        amount_local,
        fx_rate,
        cast(amount_local * fx_rate as double) as amount,
        approved,
        policy_compliant
    from joined

)

select * from final
