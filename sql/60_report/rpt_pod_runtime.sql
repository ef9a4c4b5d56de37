-- Runtime execs and connects of pods, on the reference clock (node clock offsets applied), with the
-- pod UID correlation resolved for sensors that do not report it (by container id): the rows a
-- report's per-pod timeline reads, filtered by pod and span.
create or replace view rpt_pod_runtime as

with

offsets as (
    select node_name, coalesce(offset_seconds, 0) as offset_seconds from node_clock_offsets
),

containers as (
    select distinct pod_uid, unnest(container_ids) as container_id from pod_lifecycle
),

final as (
    select
        -- ids
        r.row_id,
        coalesce(r.pod_uid, c.pod_uid) as pod_uid,
        -- dimensions
        r.source,
        r.kind,
        r.node_name,
        r."binary",
        r.arguments,
        r.dst_ip,
        r.dst_port,
        -- timestamps (UTC, reference clock)
        pt_add_seconds(r.ts, -coalesce(o.offset_seconds, 0)) as ts
    from runtime_events as r
    left join containers as c on r.pod_uid is null and c.container_id = r.container_id
    left join offsets as o on o.node_name = r.node_name
    where r.kind in ('exec', 'connect')
)

select * from final
