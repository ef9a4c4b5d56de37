-- Which endpoint fact (int_net__endpoint_facts: declared or collected) each runtime connect to an
-- endpoint matched, by connect row: attributions cite the facts behind the connects that decided
-- them (endpoint_fact_id). One row per connect and fact.
create or replace view int_runtime__endpoint_fact_rows as

with

connects as (
    select row_id, endpoint_fact_id from int_runtime__endpoint_connects
    where dest_kind = 'endpoint' and endpoint_fact_id is not null
),

final as (
    select distinct row_id, endpoint_fact_id from connects
)

select * from final
