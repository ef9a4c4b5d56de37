-- int_attr__address_candidates: the candidates a call's source address draws: pods holding that
-- private IP, the node with that IP, or the nodes behind that egress address (their pods and host
-- processes, 'host:<node>'). One row per call, pod and origin.
create or replace view int_attr__address_candidates as

with

events as (
    select * from int_attr__events
),

lifecycle as (
    select * from pod_lifecycle
),

nodes as (
    select * from int_attr__node_ips
),

source_facts as (
    select * from int_attr__source_facts
),

pod_ips as (
    -- one row per pod interval and address: the address join below stays an equality join
    select pod_uid, interval_no, unnest(pod_ips) as ip from lifecycle
),

by_address as (
    select * from int_attr__address_drawn_calls
),

address_nodes as (
    select b.event_id, n.node_name, 'source-ip-node' as origin
    from by_address as b
    inner join nodes as n on b.source_is_private and n.node_ip = b.source_ip
    union
    select b.event_id, f.node_name, 'egress-nat' as origin
    from by_address as b
    inner join source_facts as f on f.event_id = b.event_id
    where f.node_name is not null
    union
    select o.event_id, o.node_name, 'source-ip-eni' from int_attr__source_owners as o where o.event_id in (select event_id from by_address)
),

final as (
    select b.event_id, a.pod_uid, a.namespace, a.name, a.node_name, a.service_account, a.pod_ips, a.host_network,
        'source-ip-pod' as origin
    from by_address as b
    inner join pod_ips as i on b.source_is_private and i.ip = b.source_ip
    inner join lifecycle as a on a.pod_uid = i.pod_uid and a.interval_no = i.interval_no
    inner join events as e on e.event_id = b.event_id
    where a.valid_from <= e.ts + to_seconds(e.tolerance_seconds)
        and (a.valid_to is null or a.valid_to >= e.ts - to_seconds(e.tolerance_seconds))
    union all
    select n.event_id, a.pod_uid, a.namespace, a.name, a.node_name, a.service_account, a.pod_ips, a.host_network, n.origin
    from address_nodes as n
    inner join events as e on e.event_id = n.event_id
    inner join lifecycle as a
        on a.node_name = n.node_name
        and a.valid_from <= e.ts + to_seconds(e.tolerance_seconds)
        and (a.valid_to is null or a.valid_to >= e.ts - to_seconds(e.tolerance_seconds))
    union all
    select n.event_id, 'host:' || n.node_name, null, null, n.node_name, null, null, true, n.origin
    from address_nodes as n
)

select * from final
