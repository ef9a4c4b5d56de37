-- name: processes-around-event
-- description: Processes that started (and connections they made) in the pod behind one cloud event, within $seconds before or after it; for an ambiguous event, in every candidate pod.
-- params: $event_id varchar, $seconds double = 120
--
-- The window is taken on the reference clock: runtime times are moved by the node's clock offset
-- (node_clock_offsets, 0 when unknown) before comparing. seconds_from_event < 0: before the call.

with

event as (
    select * from attributions where event_id = $event_id
),

pods as (
    select pod_uid, 'attributed' as relation from event where pod_uid is not null
    union all
    select c.pod_uid, 'candidate' as relation
    from event as e,
        (select unnest(from_json(e.candidates, '[{"pod_uid":"VARCHAR"}]')) as c)
    where e.pod_uid is null
),

lifecycle as (
    select l.*, p.relation
    from pod_lifecycle as l
    inner join pods as p on p.pod_uid = l.pod_uid
),

containers as (
    select distinct unnest(container_ids) as container_id, pod_uid from lifecycle
),

offsets as (
    select node_name, coalesce(offset_seconds, 0) as offset_seconds from node_clock_offsets
),

runtime as (
    select
        r.*,
        coalesce(
            r.pod_uid,
            (select min(c.pod_uid) from containers as c
              where c.container_id = r.container_id or left(c.container_id, 12) = r.container_id),
            (select min(l.pod_uid) from lifecycle as l
              where l.namespace = r.pod_namespace and l.name = r.pod_name
                and r.ts::TIMESTAMP >= l.valid_from - interval 1 minute
                and (l.valid_to is null or r.ts::TIMESTAMP <= l.valid_to + interval 1 minute))
        ) as resolved_pod_uid,
        coalesce(o.offset_seconds, 0) as offset_seconds
    from runtime_events as r
    left join offsets as o on o.node_name = r.node_name
    where r.kind in ('exec', 'connect')
        and r.node_name in (select node_name from lifecycle)
),

final as (
    select
        e.event_id,
        e.event_name,
        e.ts as event_at,
        p.relation,
        r.resolved_pod_uid as pod_uid,
        r.pod_namespace,
        r.pod_name,
        r.node_name,
        r.ts as runtime_ts,
        r.offset_seconds as clock_offset_seconds,
        round((epoch_ns(r.ts) - epoch_ns(e.ts::TIMESTAMP_NS)) / 1e9 - r.offset_seconds, 3) as seconds_from_event,
        r.kind,
        r.source,
        r."binary",
        r.arguments,
        r.pid,
        r.uid,
        r.dst_ip,
        r.dst_port,
        r.exec_id,
        r.parent_exec_id,
        r.row_id
    from event as e
    cross join runtime as r
    inner join pods as p on p.pod_uid = r.resolved_pod_uid
    where abs((epoch_ns(r.ts) - epoch_ns(e.ts::TIMESTAMP_NS)) / 1e9 - r.offset_seconds) <= $seconds::DOUBLE
)

select * from final
order by runtime_ts, row_id
