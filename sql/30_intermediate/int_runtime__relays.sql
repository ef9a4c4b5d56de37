-- Addresses that behave as relays: what they send out of the cluster follows connects made to
-- them by someone else (int_runtime__relay_hops), and the connects made to them are followed by
-- their outbound connects. A proxy or egress gateway does both for nearly every connect; a node
-- whose kubelet is scraped every few seconds, or a service that now and then calls AWS while it
-- serves requests, does neither. Counting only tight pairs (the outbound within 1.5 s of the
-- client's connect), an address is a relay when at least 2 of its outbound connects and at least
-- half of them followed a client's connect, and for one front (its address or a learned cluster IP,
-- and a port) at least 2 connects and at least a third of all connects made to it were followed
-- by its outbound. A relay's own address and connects never single it out as the caller: what it
-- sends out, it may send for a client the sensors did not see.
create or replace view int_runtime__relays as

with

outbound as (
    select src_ip, pod_uid, node_name, row_id
    from int_runtime__connects_resolved
    where dest_kind in ('endpoint', 'public')
),

tight as (
    select * from int_runtime__relay_hops where front <> 'opaque' and tight
),

relayed as (
    select distinct relay_ip, out_row_id from tight
),

fronts as (
    -- per relay and front: how many of the connects made to the front its outbound followed
    select relay_ip, relay_pod_uid, front_ip, front_port, count(distinct hop_row_id) as hops, any_value(front_connects) as connects
    from tight
    group by relay_ip, relay_pod_uid, front_ip, front_port
),

front_ok as (
    select relay_ip, relay_pod_uid, bool_or(hops >= 2 and hops * 3 >= connects) as ok
    from fronts
    group by relay_ip, relay_pod_uid
),

per_address as (
    select
        o.src_ip as relay_ip,
        o.pod_uid as relay_pod_uid,
        any_value(o.node_name) as relay_node,
        count(distinct o.row_id) as outbound,
        count(distinct r.out_row_id) as relayed,
        min(o.row_id) filter (where r.out_row_id is not null) as example_row_id
    from outbound as o
    left join relayed as r on r.relay_ip = o.src_ip and r.out_row_id = o.row_id
    group by o.src_ip, o.pod_uid
),

final as (
    select
        a.relay_ip,
        a.relay_pod_uid,
        a.relay_node,
        a.outbound,
        a.relayed,
        a.relayed >= 2 and a.relayed * 2 >= a.outbound and coalesce(f.ok, false) as is_relay,
        a.example_row_id
    from per_address as a
    left join front_ok as f on f.relay_ip = a.relay_ip and f.relay_pod_uid is not distinct from a.relay_pod_uid
    where a.relayed > 0
)

select * from final
