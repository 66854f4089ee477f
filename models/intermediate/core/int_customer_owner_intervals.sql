{#- Which rep owned each customer when: valid_from <= d < valid_to (NULL valid_to = open).
    From crm_account_owner_history; a customer with no history rows belongs to the account's
    owner_rep_id for all time. -#}
with history as (

    select * from {{ ref('stg_crm__account_owner_history') }}
    where owner_rep_id is not null

),

accounts as (

    select * from {{ ref('stg_crm__accounts') }}

),

from_history as (

    select
        customer_id,
        owner_rep_id,
        valid_from,
        valid_to
    from history

),

from_accounts as (

    select
        customer_id,
        owner_rep_id,
        cast('1900-01-01' as date) as valid_from,
        cast(null as date) as valid_to
    from accounts
    where owner_rep_id is not null
        and customer_id not in (select from_history.customer_id from from_history)

)

select * from from_history
union all
select * from from_accounts
