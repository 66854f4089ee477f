{#- renewal_rate: subscription contracts whose end_date falls in the period (up to the as-of
    date: a contract still running has not come up for renewal) that have a renewal contract
    (another contract signed up to the as-of date names it in renewed_from_contract_id) /
    subscription contracts ending in the period. The end date is the event date: a contract
    is credited to its rep_id and to that rep's team on the end date. -#}
with contracts as (

    select * from {{ ref('fct_contracts') }}

),

as_of as (

    select * from {{ ref('base_erp__as_of_date') }}

),

ending_subscriptions as (

    select
        contracts.contract_id,
        contracts.customer_id,
        contracts.rep_id,
        team_on_end_date.team_id,
        contracts.end_date,
        contracts.is_renewed
    from contracts
    cross join as_of
    {{ join_team_on_date('team_on_end_date', 'contracts.rep_id', 'contracts.end_date') }}
    where contracts.contract_type = 'subscription'
        and contracts.end_date <= as_of.as_of_date

),

renewals as (

    {{ rollup_by_grain_and_period(
        'ending_subscriptions', 'end_date',
        [
            'count(*) as contracts_ending',
            'sum(case when is_renewed then 1 else 0 end) as contracts_renewed',
        ],
        ['team', 'rep', 'customer', 'company'],
    ) }}

),

indicators as (

    {{ indicator_rows('renewals', 'renewal_rate',
        safe_divide('contracts_renewed', 'contracts_ending'), 'contracts_renewed', 'contracts_ending') }}

)

select * from indicators
