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
create or replace view int_runtime__relay_hops as

with

settings as (
    select tolerance_seconds from case_settings
),

outbound as (
    -- what left the cluster, with its pod resolved (IMDS is not a way out)
    select *, epoch(ref_ts)::BIGINT // 10 as out_bucket
    from int_runtime__connects_resolved
    where dest_kind in ('endpoint', 'public')
),

offsets as (
    select node_name, coalesce(offset_seconds, 0) as offset_seconds from node_clock_offsets
),

endpoints as (
    select * from int_net__endpoint_facts
),

node_ips as (
    select distinct unnest(internal_ips) as ip from k8s_nodes
),

pod_ips as (
    select distinct unnest(pod_ips) as ip from pod_lifecycle
),

relay_addresses as (
    select distinct src_ip from outbound
),

in_cluster as (
    -- connects to private addresses: candidate hops
    select
        r.row_id,
        pt_add_seconds(r.ts, -coalesce(o.offset_seconds, 0))::TIMESTAMP as ref_ts,
        r.source,
        r.node_name,
        r.pod_namespace,
        r.pod_name,
        r.pod_uid,
        r.container_id,
        r.src_ip,
        r.dst_ip,
        r.dst_port,
        a.src_ip is not null as direct,
        a.src_ip is null
            and not exists (select 1 from node_ips as n where n.ip = r.dst_ip)
            and not exists (select 1 from pod_ips as p where p.ip = r.dst_ip) as opaque
    from runtime_events as r
    left join relay_addresses as a on a.src_ip = r.dst_ip
    left join offsets as o on o.node_name = r.node_name
    where r.kind = 'connect' and r.src_ip is not null and r.dst_ip is not null and r.src_ip <> r.dst_ip
        and (pt_is_private_ip(r.dst_ip) or r.dst_ip in (select ip from int_net__cluster_addresses)) and not pt_is_local_ip(r.dst_ip)
        and not exists (
            select 1 from endpoints as e
            where (e.lo is not null and pt_ip_int(r.dst_ip) between e.lo and e.hi) or (e.lo is null and r.dst_ip = e.cidr)
        )
),

direct_pairs as (
    select h.*, o.row_id as out_row_id, o.ref_ts::TIMESTAMP as out_ref_ts, o.service as out_service, o.dest_kind as out_dest_kind,
        o.dst_ip as out_dst_ip, o.src_ip as relay_ip, o.node_name as relay_node, o.pod_uid as relay_pod_uid, 'direct' as front
    from in_cluster as h
    cross join settings as st
    inner join outbound as o
        on h.direct
        and o.src_ip = h.dst_ip
        and o.ref_ts::TIMESTAMP between h.ref_ts - interval 1 second and h.ref_ts + to_seconds(st.tolerance_seconds)
),

opaque as (
    select h.*, unnest(range(epoch(h.ref_ts - interval 1 second)::BIGINT // 10, epoch(h.ref_ts + to_seconds(st.tolerance_seconds))::BIGINT // 10 + 1)) as bucket
    from in_cluster as h
    cross join settings as st
    where h.opaque
),

opaque_pairs as (
    select distinct h.* exclude (bucket), o.row_id as out_row_id, o.ref_ts::TIMESTAMP as out_ref_ts, o.service as out_service,
        o.dest_kind as out_dest_kind, o.dst_ip as out_dst_ip, o.src_ip as relay_ip, o.node_name as relay_node, o.pod_uid as relay_pod_uid
    from opaque as h
    cross join settings as st
    inner join outbound as o
        on o.out_bucket = h.bucket
        and o.ref_ts::TIMESTAMP between h.ref_ts - interval 1 second and h.ref_ts + to_seconds(st.tolerance_seconds)
        and o.src_ip <> h.src_ip
),

front_connects as (
    select dst_ip, dst_port, count(*) as n from in_cluster where opaque or direct group by dst_ip, dst_port
),

relay_outbound as (
    -- outbound connects a direct front does not already account for
    select o.src_ip, count(*) as n
    from outbound as o
    where not exists (select 1 from direct_pairs as d where d.out_row_id = o.row_id)
    group by o.src_ip
),

learned_fronts as (
    -- counted on tight pairs only (the outbound connect within 0.25 s before to 1 s after the
    -- connect to the front): a proxy connects on at once, a coincidence is spread over the window
    select p.dst_ip, p.dst_port, p.relay_ip
    from opaque_pairs as p
    inner join front_connects as f on f.dst_ip = p.dst_ip and f.dst_port = p.dst_port
    inner join relay_outbound as r on r.src_ip = p.relay_ip
    where p.out_ref_ts between p.ref_ts - interval 250 milliseconds and p.ref_ts + interval 1 second
    group by p.dst_ip, p.dst_port, p.relay_ip, f.n, r.n
    having count(distinct p.row_id) >= 3
        and count(distinct p.row_id) * 3 >= f.n
        and count(distinct p.out_row_id) * 5 >= r.n * 3
),

learned_pairs as (
    select p.*, 'learned' as front
    from opaque_pairs as p
    inner join learned_fronts as l on l.dst_ip = p.dst_ip and l.dst_port = p.dst_port and l.relay_ip = p.relay_ip
),

unmapped as (
    -- a connect to an address nobody is known to hold, followed by someone's outbound connect: it
    -- may have been relayed, by whom is unknown (relay columns NULL; out_ref_ts the first outbound)
    select
        p.* exclude (out_row_id, out_ref_ts, out_service, out_dest_kind, out_dst_ip, relay_ip, relay_node, relay_pod_uid),
        null::VARCHAR as out_row_id,
        min(p.out_ref_ts) as out_ref_ts,
        null::VARCHAR as out_service,
        null::VARCHAR as out_dest_kind,
        null::VARCHAR as out_dst_ip,
        null::VARCHAR as relay_ip,
        null::VARCHAR as relay_node,
        null::VARCHAR as relay_pod_uid,
        'opaque' as front
    from opaque_pairs as p
    where not exists (select 1 from learned_pairs as l where l.row_id = p.row_id)
    group by all
),

pairs as (
    select * from direct_pairs
    union all by name
    select * from learned_pairs
    union all by name
    select * from unmapped
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
        f.n as front_connects
    from pairs as p
    left join by_container as bc on bc.row_id = p.row_id
    left join by_name as bn on bn.row_id = p.row_id
    left join front_connects as f on f.dst_ip = p.dst_ip and f.dst_port = p.dst_port
)

select * from final
