{#- One row per customer referral on or before the as-of date. The referral belongs to the
    referrer customer, to the rep who owned that customer on the referral date and to that
    rep's team on the same date. -#}
with referrals as (

    select * from {{ ref('stg_crm__referrals') }}

),

as_of as (

    select * from {{ ref('base_erp__as_of_date') }}

),

dated as (

    select
        referrals.*,
        cast(referrals.referred_at as date) as referral_date
    from referrals

),

final as (

    select
        dated.referral_id,
        dated.referred_at,
        dated.referral_date,
        dated.referrer_customer_id,
        referrer_owner.owner_rep_id as referrer_owner_rep_id,
        referrer_owner_team.team_id as referrer_owner_team_id,
        dated.referred_lead_id,
        dated.referred_customer_id
    from dated
    cross join as_of
    {{ join_owner_on_date('referrer_owner', 'dated.referrer_customer_id', 'dated.referral_date') }}
    {{ join_team_on_date('referrer_owner_team', 'referrer_owner.owner_rep_id', 'dated.referral_date') }}
    where dated.referral_date <= as_of.as_of_date

)

select * from final
