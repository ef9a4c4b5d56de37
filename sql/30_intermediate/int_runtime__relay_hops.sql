-- Relayed connects: a process connects to an in-cluster address, and the holder of that address
-- connects out of the cluster (to a cloud endpoint or a public address) within the tolerance after
-- it. That is how a pod reaches AWS through another pod: an HTTP CONNECT proxy, a mesh egress
-- gateway, a proxy on a node. The pair (hop, outbound) is evidence that chains: the client's
-- request left the cluster from the relay's address.
--   direct front   the hop's destination is the relay's own address (its pod IP, or its node IP
--                  for a host-network relay): the sensor saw the real backend (mesh sidecars
--                  connect to endpoint pod IPs; socket-level load balancing rewrites the address)
--   learned front  the hop's destination is an address no pod or node holds (a Service cluster
--                  IP, resolved after the sensor saw the connect): it fronts relay R when, counting
--                  only tight pairs (R's outbound within 0.25 s before to 1 s after), at least 3
--                  connects to it were followed by R's outbound, at least a third of the connects
--                  to it were (a Service may front several replicas), and at least 60 % of R's
--                  outbound connects (those no direct front accounts for) followed one
--   opaque         a connect to such an address that fronts no known relay, followed by someone's
--                  outbound connect: possibly relayed, through whom is unknown (one row, relay
--                  columns NULL)
-- front_connects: every connect made to that front (address and port) in the case.
-- tight: the outbound connect followed within 1.5 s (0.5 s before at most, for what is left of
-- two sensors' clock error): a relay connects on at once, a coincidence is spread over the window.
-- Times are on the reference clock (node clock offsets applied on both sides); a hop may precede
-- its outbound by up to the tolerance and follow it by at most one second (what is left of two
-- sensors' clock error). One row per (hop, outbound) pair.
-- Reads the pairs of int_runtime__relay_pairs; here, the client pod of each hop.
create or replace view int_runtime__relay_hops as

with

pairs as (
    select * from int_runtime__relay_pairs
),

containers as (
    select * from int_pod__container_ids
),

lifecycle as (
    select * from pod_lifecycle
),

by_container as (
    select p.row_id, min(m.pod_uid) as pod_uid, count(distinct m.pod_uid) as n
    from (select distinct row_id, container_id from pairs where pod_uid is null and container_id is not null) as p
    inner join containers as m
        on p.container_id = m.container_id or (length(p.container_id) = 12 and p.container_id = m.short_id)
    group by p.row_id
),

by_name as (
    select p.row_id, min(l.pod_uid) as pod_uid, count(distinct l.pod_uid) as n
    from (select distinct row_id, ref_ts, pod_namespace, pod_name from pairs where pod_uid is null and pod_name is not null) as p
    inner join lifecycle as l
        on l.namespace = p.pod_namespace and l.name = p.pod_name
        and p.ref_ts >= l.valid_from - interval 5 seconds
        and (l.valid_to is null or p.ref_ts <= l.valid_to + interval 5 seconds)
    group by p.row_id
),

final as (
    select
        p.row_id as hop_row_id,
        p.ref_ts as hop_ref_ts,
        p.source as hop_source,
        p.node_name as client_node,
        p.src_ip as client_ip,
        case
            when p.pod_uid is not null then p.pod_uid
            when bc.n = 1 then bc.pod_uid
            when bn.n = 1 then bn.pod_uid
            when p.pod_name is null and p.container_id is null then 'host:' || p.node_name
        end as client_pod_uid,
        p.front,
        p.dst_ip as front_ip,
        p.dst_port as front_port,
        p.relay_ip,
        p.relay_node,
        p.relay_pod_uid,
        p.out_row_id,
        p.out_ref_ts,
        p.out_service,
        p.out_dest_kind,
        p.out_dst_ip,
        p.out_ref_ts between p.ref_ts - interval 500 milliseconds and p.ref_ts + interval 1500 milliseconds as tight,
        p.front_connects
    from pairs as p
    left join by_container as bc on bc.row_id = p.row_id
    left join by_name as bn on bn.row_id = p.row_id
)

select * from final
