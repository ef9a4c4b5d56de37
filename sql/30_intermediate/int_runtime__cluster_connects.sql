-- Connects to in-cluster addresses (private, or held by a pod, a node or a Service), the candidate
-- hops of relayed connects, on the reference clock (node clock offsets applied). direct: the
-- destination is a relay's own address (someone's connects out of the cluster leave from it);
-- opaque: an address no pod or node holds (a Service cluster IP, resolved after the sensor saw the
-- connect). Connects to a declared endpoint are not hops.
create or replace view int_runtime__cluster_connects as

with

relay_addresses as (
    -- where connects out of the cluster (to a cloud endpoint or a public address) leave from
    select distinct src_ip from int_runtime__connects_resolved where dest_kind in ('endpoint', 'public')
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

final as (
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
)

select * from final
