{#- Customers. Contact email and phone are hashes (staging hashes personal data); a consumer's
    (B2C) name is masked to its first character. Owner on the as-of date; the owner history is
    dim_customer_owner_history. -#}
with accounts as (

    select
        *,
        false as is_deleted
    from {{ ref('stg_crm__accounts') }}
    union all
    select
        *,
        true as is_deleted
    from {{ ref('stg_crm__accounts_deleted') }}

),

as_of as (

    select * from {{ ref('base_erp__as_of_date') }}

),

final as (

    select
        accounts.customer_id,
        case
            when accounts.segment = 'B2C' then {{ dbt.concat(["substring(accounts.customer_name, 1, 1)", "'**'"]) }}
            else accounts.customer_name
        end as customer_name,
        accounts.segment,
        accounts.industry,
        accounts.region_code,
        current_owner.owner_rep_id as owner_rep_id,
        cast(accounts.created_at as date) as created_date,
        accounts.acquisition_channel,
        coalesce(accounts.is_target_account, false) as is_target_account,
        accounts.est_annual_category_spend * fx.rate_to_base as est_annual_category_spend,
        accounts.referred_by_customer_id,
        {# Staging already holds personal data as hashes only (pii_hash). #}
        accounts.contact_email as contact_email_hash,
        accounts.contact_phone as contact_phone_hash,
        accounts.is_deleted
    from accounts
    cross join as_of
    {{ join_owner_on_date('current_owner', 'accounts.customer_id', 'as_of.as_of_date') }}
    {{ join_fx_on_date('fx', 'accounts.currency', 'as_of.as_of_date') }}

)

select * from final
