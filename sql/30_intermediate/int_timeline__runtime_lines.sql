-- int_timeline__runtime_lines: every runtime event (runtime_events: Tetragon, Falco) as a timeline
-- line's columns, before its JSON (mart_timeline writes that). ts is the event's time on the
-- reference clock: its node time minus its node's clock offset (node_clock_offsets: measured or
-- declared; 0 when unknown); ts_src keeps the time as the sensor wrote it and offset_ns the offset
-- applied. An event from a sensor that gives no pod UID (Tetragon before v1.6, Falco without k8s
-- metadata) carries the UID correlation resolves, as int_runtime__connects_resolved does: by its
-- container id when one pod has it, else by namespace and name at that time when one pod matches;
-- pod_uid_from says which (sensor | container-id | namespace-name-time; null when unresolved).
create or replace view int_timeline__runtime_lines as

with

offsets as (
    select node_name, coalesce(offset_seconds, 0) as offset_seconds from node_clock_offsets
),

runtime as (
    select
        r.*,
        (coalesce(o.offset_seconds, 0) * 1e9)::BIGINT as offset_ns
    from runtime_events as r
    left join offsets as o on o.node_name = r.node_name
),

runtime_events_at as (
    select
        *,
        make_timestamp_ns(epoch_ns(ts::TIMESTAMP_NS) - offset_ns) as ts_ref
    from runtime
),

containers as (
    select * from int_pod__container_ids
),

by_container as (
    select r.row_id, min(m.pod_uid) as pod_uid, count(distinct m.pod_uid) as n
    from runtime_events_at as r
    inner join containers as m
        on (length(r.container_id) = 12 and r.container_id = m.short_id) or (length(r.container_id) > 12 and r.container_id = m.container_id)
    where r.pod_uid is null and r.container_id is not null
    group by r.row_id
),

by_name as (
    select r.row_id, min(l.pod_uid) as pod_uid, count(distinct l.pod_uid) as n
    from runtime_events_at as r
    inner join pod_lifecycle as l
        on l.namespace = r.pod_namespace and l.name = r.pod_name
        and r.ts_ref::TIMESTAMP >= l.valid_from - interval 5 seconds
        and (l.valid_to is null or r.ts_ref::TIMESTAMP <= l.valid_to + interval 5 seconds)
    where r.pod_uid is null and r.pod_name is not null
    group by r.row_id
),

runtime_resolved as (
    select
        r.* exclude (pod_uid),
        case
            when r.pod_uid is not null then r.pod_uid
            when bc.n = 1 then bc.pod_uid
            when bn.n = 1 then bn.pod_uid
        end as pod_uid,
        case
            when r.pod_uid is not null then 'sensor'
            when bc.n = 1 then 'container-id'
            when bn.n = 1 then 'namespace-name-time'
        end as pod_uid_from
    from runtime_events_at as r
    left join by_container as bc on bc.row_id = r.row_id
    left join by_name as bn on bn.row_id = r.row_id
),

final as (
    select
        -- ids
        row_id,
        source,
        -- timestamps (UTC)
        ts_ref as ts,
        ts::TIMESTAMP_NS as ts_src,
        offset_ns,
        -- dimensions
        kind,
        event_type,
        in_scope,
        node_name,
        pod_namespace,
        pod_name,
        pod_uid,
        pod_uid_from,
        container_id,
        pid,
        uid,
        exec_id,
        parent_exec_id,
        "binary",
        arguments,
        src_ip,
        src_port,
        dst_ip,
        dst_port,
        protocol,
        sensor_dropped
    from runtime_resolved
)

select * from final
