{#- One row per contract signed up to the as-of date. Value in the base currency at the fx
    rate of the signed date; credited to the contract's rep and that rep's team on the signed
    date. A contract is renewed when another contract signed up to the as-of date names it in
    renewed_from_contract_id (whatever the renewal's own type or status). end_date_team_id and
    has_ended: the rep's team on the end date and whether the end date is past (renewal_rate's
    credit and cut, for the semantic layer). -#}
with contracts as (

    select * from {{ ref('stg_erp__contracts') }}

),

as_of as (

    select * from {{ ref('base_erp__as_of_date') }}

),

signed_contracts as (

    select
        contracts.*,
        cast(contracts.signed_at as date) as signed_date
    from contracts
    cross join as_of
    where cast(contracts.signed_at as date) <= as_of.as_of_date

),

renewals as (

    select
        renewed_from_contract_id as contract_id,
        min(contract_id) as renewal_contract_id,
        count(*) as renewal_contracts
    from signed_contracts
    where renewed_from_contract_id is not null
    group by 1

),

final as (

    select
        signed_contracts.contract_id,
        signed_contracts.customer_id,
        signed_contracts.rep_id,
        team_on_signed_date.team_id,
        signed_contracts.contract_type,
        signed_contracts.status,
        signed_contracts.signed_at,
        signed_contracts.signed_date,
        signed_contracts.start_date,
        signed_contracts.end_date,
        signed_contracts.currency,
        signed_contracts.contract_value as contract_value_local,
        fx.rate_to_base as fx_rate,
        cast(signed_contracts.contract_value * fx.rate_to_base as double) as contract_value,
        signed_contracts.renewed_from_contract_id,
        renewals.renewal_contract_id,
        renewals.contract_id is not null as is_renewed,
        team_on_end_date.team_id as end_date_team_id,
        coalesce(signed_contracts.end_date <= as_of.as_of_date, false) as has_ended
    from signed_contracts
    cross join as_of
    left join renewals
        on signed_contracts.contract_id = renewals.contract_id
    {{ join_team_on_date('team_on_signed_date', 'signed_contracts.rep_id', 'signed_contracts.signed_date') }}
    {{ join_fx_on_date('fx', 'signed_contracts.currency', 'signed_contracts.signed_date') }}
    {{ join_team_on_date('team_on_end_date', 'signed_contracts.rep_id', 'signed_contracts.end_date') }}

)

select * from final
