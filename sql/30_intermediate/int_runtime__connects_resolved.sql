-- Outbound connects (endpoint, IMDS, public) with their pod resolved and their time moved to the reference clock.
-- Pod: the sensor's UID, else the container id (inventory or runtime), else (namespace, name) at
-- that time in pod_lifecycle when one UID matches. A connect with no pod is a host process
-- (pod_uid 'host:<node>'). ref_ts = ts - the node's clock offset (node_clock_offsets; 0 when unknown).
create or replace view int_runtime__connects_resolved as

with

connects as (
    select * from int_runtime__endpoint_connects
),

offsets as (
    select node_name, coalesce(offset_seconds, 0) as offset_seconds from node_clock_offsets
),

containers as (
    select * from int_pod__container_ids
),

lifecycle as (
    select * from pod_lifecycle
),

corrected as (
    select
        c.*,
        coalesce(o.offset_seconds, 0) as offset_seconds,
        pt_add_seconds(c.ts, -coalesce(o.offset_seconds, 0)) as ref_ts
    from connects as c
    left join offsets as o on o.node_name = c.node_name
),

by_container as (
    select c.row_id, min(m.pod_uid) as pod_uid, count(distinct m.pod_uid) as n
    from corrected as c
    inner join containers as m
        on c.container_id = m.container_id or (length(c.container_id) = 12 and c.container_id = m.short_id)
    where c.pod_uid is null and c.container_id is not null
    group by c.row_id
),

by_name as (
    select c.row_id, min(l.pod_uid) as pod_uid, count(distinct l.pod_uid) as n
    from corrected as c
    inner join lifecycle as l
        on l.namespace = c.pod_namespace and l.name = c.pod_name
        and c.ref_ts::TIMESTAMP >= l.valid_from - interval 5 seconds
        and (l.valid_to is null or c.ref_ts::TIMESTAMP <= l.valid_to + interval 5 seconds)
    where c.pod_uid is null and c.pod_name is not null
    group by c.row_id
),

final as (
    select
        c.row_id,
        c.ts,
        c.ref_ts,
        c.offset_seconds,
        c.source,
        c.node_name,
        c.service,
        c.dest_kind,
        c.aws_service,
        c.src_ip,
        c.dst_ip,
        c.dst_port,
        case
            when c.pod_uid is not null then c.pod_uid
            when bc.n = 1 then bc.pod_uid
            when bn.n = 1 then bn.pod_uid
            when c.pod_name is null and c.container_id is null then 'host:' || c.node_name
        end as pod_uid,
        case
            when c.pod_uid is not null then 'sensor-uid'
            when bc.n = 1 then 'container-id'
            when bn.n = 1 then 'namespace-name-time'
            when c.pod_name is null and c.container_id is null then 'host-process'
            else 'unresolved'
        end as resolved_by,
        epoch(c.ref_ts)::BIGINT // 10 as bucket
    from corrected as c
    left join by_container as bc on bc.row_id = c.row_id
    left join by_name as bn on bn.row_id = c.row_id
)

select * from final
