-- invariant: the network facts an attribution cites hold. Its endpoint_fact_id is an endpoint fact
-- (int_net__endpoint_facts), set only on a proven or strong row, and never a collected fact whose
-- address a declared endpoint covers (the analyst's word stands); a row decided on a node's
-- interface address (relation node-address) is never decided by that address alone (basis
-- source-address: the node's pods share it) and cites the interface rows it used (evidence.inventory). Failing rows: each attribution that breaks it, with the problem.
with

attributions_ as (
    select event_id, confidence, endpoint_fact_id, decided_by ->> '$.address.relation' as relation, decided_by ->> '$.basis' as basis,
        coalesce(json_extract_string(evidence, '$.inventory[*]'), []::VARCHAR[]) as inventory
    from attributions
),

facts as (
    select * from int_net__endpoint_facts
),

declared as (
    select * from facts where source = 'declared'
),

unknown_fact as (
    select a.event_id, 'endpoint fact unknown: ' || a.endpoint_fact_id as problem
    from attributions_ as a
    where a.endpoint_fact_id is not null and not exists (select 1 from facts as f where f.fact_id = a.endpoint_fact_id)
),

undecided as (
    select event_id, 'endpoint fact on a ' || confidence || ' row' as problem
    from attributions_
    where endpoint_fact_id is not null and confidence not in ('proven', 'strong')
),

overridden as (
    select a.event_id, 'collected endpoint fact cited where a declared one covers it: ' || a.endpoint_fact_id as problem
    from attributions_ as a
    inner join facts as f on f.fact_id = a.endpoint_fact_id and f.source = 'collected'
    inner join declared as d on (d.lo is not null and f.lo is not null and d.lo <= f.hi and d.hi >= f.lo) or d.cidr = f.cidr
),

node_address as (
    select a.event_id,
        case when a.basis = 'source-address' then 'decided by a node interface address alone' else 'node-address without its interface rows' end as problem
    from attributions_ as a
    where a.relation = 'node-address'
        and (a.basis = 'source-address'
            or not exists (select 1 from aws_network_interfaces as n where list_contains(a.inventory, n.row_id)))
),

final as (
    select * from unknown_fact
    union all
    select * from undecided
    union all
    select * from overridden
    union all
    select * from node_address
)

select * from final
order by event_id, problem
