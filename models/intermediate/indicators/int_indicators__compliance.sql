{#- Compliance: process_compliance_rate, compliance_veto (checks with checked_at in the period,
    to the checked rep and the rep's team on the checked date) and expense_compliance_rate
    (expenses by expense_date, in the base currency, to the claiming rep and the rep's team on
    the expense date). A check with an empty passed, or an expense with an empty
    policy_compliant, is left out of its rate: unknown is never read as failed or compliant.
    The same rate by process_area is rpt_process_compliance_by_area. -#}
with checks as (

    select * from {{ ref('fct_compliance_checks') }}

),

expenses as (

    select * from {{ ref('fct_expenses') }}

),

checks_rolled_up as (

    {{ rollup_by_grain_and_period(
        'checks', 'checked_date',
        [
            'count(passed) as checks_judged',
            'sum(case when passed then 1 else 0 end) as checks_passed',
            'max(case when is_veto_failure then 1 else 0 end) as has_veto_failure',
        ],
        ['team', 'rep', 'company'],
    ) }}

),

expenses_rolled_up as (

    {{ rollup_by_grain_and_period(
        'expenses', 'expense_date',
        [
            'sum(case when policy_compliant is not null then amount end) as judged_amount',
            'sum(case when policy_compliant then amount when policy_compliant is not null then 0 end) as compliant_amount',
        ],
        ['team', 'rep', 'company'],
    ) }}

),

indicators as (

    {{ indicator_rows('checks_rolled_up', 'process_compliance_rate',
        safe_divide('checks_passed', 'checks_judged'), 'checks_passed', 'checks_judged') }}
    union all
    {# A flag, not a ratio: 1 when any is_veto check failed in the period, else 0. #}
    {{ indicator_rows('checks_rolled_up', 'compliance_veto', 'has_veto_failure', 'has_veto_failure') }}
    union all
    {{ indicator_rows('expenses_rolled_up', 'expense_compliance_rate',
        safe_divide('compliant_amount', 'judged_amount'), 'compliant_amount', 'judged_amount') }}

)

select * from indicators
