{#- Each rate holds from its date until the next rate of the same currency: an amount converts
    at the rate of its date, else the latest earlier rate. The base currency is always 1. -#}
with rates as (

    select * from {{ ref('stg_erp__fx_rates') }}
    where rate_to_base is not null
        and currency <> '{{ var("base_currency") }}'

),

intervals as (

    select
        currency,
        rate_date as valid_from,
        lead(rate_date) over (partition by currency order by rate_date) as valid_to,
        rate_to_base
    from rates

),

base_currency as (

    select
        '{{ var("base_currency") }}' as currency,
        cast('1900-01-01' as date) as valid_from,
        cast(null as date) as valid_to,
        cast(1 as double) as rate_to_base

)

select * from intervals
union all
select * from base_currency
