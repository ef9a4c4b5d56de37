-- The (hop, outbound) pairs of relayed connects: a connect to an in-cluster address, and a connect
-- out of the cluster by the holder of that address within the tolerance after it (at most one
-- second before it), with the front they went through: direct, learned or opaque (as the relay
-- hops say), and front_connects, every connect made to that front (address
-- and port) in the case.
create or replace view int_runtime__relay_pairs as

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

hops as (
    select * from int_runtime__cluster_connects
),

direct_pairs as (
    select h.*, o.row_id as out_row_id, o.ref_ts::TIMESTAMP as out_ref_ts, o.service as out_service, o.dest_kind as out_dest_kind,
        o.dst_ip as out_dst_ip, o.src_ip as relay_ip, o.node_name as relay_node, o.pod_uid as relay_pod_uid, 'direct' as front
    from hops as h
    cross join settings as st
    inner join outbound as o
        on h.direct
        and o.src_ip = h.dst_ip
        and o.ref_ts::TIMESTAMP between h.ref_ts - interval 1 second and h.ref_ts + to_seconds(st.tolerance_seconds)
),

opaque as (
    select h.*, unnest(range(epoch(h.ref_ts - interval 1 second)::BIGINT // 10, epoch(h.ref_ts + to_seconds(st.tolerance_seconds))::BIGINT // 10 + 1)) as bucket
    from hops as h
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
    select dst_ip, dst_port, count(*) as n from hops where opaque or direct group by dst_ip, dst_port
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

final as (
    select p.*, f.n as front_connects
    from pairs as p
    left join front_connects as f on f.dst_ip = p.dst_ip and f.dst_port = p.dst_port
)

select * from final
