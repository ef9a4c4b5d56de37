-- Runtime enrichment: per node and sensor, how many of the exec and connect events of pods (host
-- processes excluded: they have no pod) arrive with what attribution needs:
--   pod UID          from the sensor, or resolvable: a container id that maps to one pod
--                    (int_pod__container_ids), else (namespace, name, time) that matches one
--                    pod_lifecycle interval;
--   service account  the resolved pod has one in pod_lifecycle (Falco's events never carry it);
--   image digest     in the event (Tetragon: the pod's container image id; Falco:
--                    container.image.digest, which the default rules' outputs do not print).
-- The pod UID and the service account are what the joins need: both shares at or above 0.95 is ok
-- (enrichment-complete), either below is a gap naming the node (enrichment-partial: attribution
-- through that node's runtime evidence reaches a pod less surely). The image digest share is
-- reported beside them, not judged: a pod's digests also come from the inventory. A node whose
-- events are all host processes gives no finding here (`podtrail sensor` says so when it verifies).
-- Works for any runtime events, collected by `podtrail sensor` or given to `podtrail ingest`.
create or replace view chk_runtime_enrichment as

with

range as (
    select * from chk__range
),

events as (
    select row_id, ts, source, node_name, pod_namespace, pod_name, pod_uid, container_id, image_digest
    from runtime_events
    where kind in ('exec', 'connect')
        and node_name is not null
        and (pod_name is not null or pod_uid is not null or container_id is not null)
),

host_events as (
    select node_name, source, count(*) as n
    from runtime_events
    where kind in ('exec', 'connect') and node_name is not null
        and pod_name is null and pod_uid is null and container_id is null
    group by node_name, source
),

containers as (
    select * from int_pod__container_ids
),

lifecycle as (
    select * from pod_lifecycle
),

by_container as (
    select e.row_id, min(m.pod_uid) as pod_uid, count(distinct m.pod_uid) as n
    from events as e
    inner join containers as m
        on e.container_id = m.container_id or (length(e.container_id) = 12 and e.container_id = m.short_id)
    where e.pod_uid is null and e.container_id is not null
    group by e.row_id
),

by_name as (
    select e.row_id, min(l.pod_uid) as pod_uid, count(distinct l.pod_uid) as n
    from events as e
    inner join lifecycle as l
        on l.namespace = e.pod_namespace and l.name = e.pod_name
        and e.ts::TIMESTAMP >= l.valid_from - interval 5 seconds
        and (l.valid_to is null or e.ts::TIMESTAMP <= l.valid_to + interval 5 seconds)
    where e.pod_uid is null and e.pod_name is not null
    group by e.row_id
),

resolved as (
    select
        e.*,
        coalesce(e.pod_uid, case when bc.n = 1 then bc.pod_uid end, case when bn.n = 1 then bn.pod_uid end) as resolved_uid
    from events as e
    left join by_container as bc on bc.row_id = e.row_id
    left join by_name as bn on bn.row_id = e.row_id
),

service_accounts as (
    select distinct pod_uid from lifecycle where service_account is not null
),

per_node as (
    select
        r.node_name,
        r.source,
        count(*) as events,
        count(*) filter (where r.pod_uid is not null) as with_sensor_uid,
        count(*) filter (where r.resolved_uid is not null) as with_pod_uid,
        count(*) filter (where r.image_digest is not null) as with_image_digest,
        count(*) filter (where s.pod_uid is not null) as with_service_account,
        min(r.ts)::TIMESTAMP as first_at,
        max(r.ts)::TIMESTAMP as last_at
    from resolved as r
    left join service_accounts as s on s.pod_uid = r.resolved_uid
    group by r.node_name, r.source
),

nodes as (
    select node_name, source from per_node
),

shares as (
    select
        n.node_name,
        n.source,
        coalesce(p.events, 0) as events,
        coalesce(h.n, 0) as host_events,
        p.with_sensor_uid,
        p.with_pod_uid,
        p.with_image_digest,
        p.with_service_account,
        p.with_pod_uid / p.events as share_pod_uid,
        p.with_image_digest / p.events as share_image_digest,
        p.with_service_account / p.events as share_service_account,
        p.first_at,
        p.last_at
    from nodes as n
    left join per_node as p on p.node_name = n.node_name and p.source = n.source
    left join host_events as h on h.node_name = n.node_name and h.source = n.source
),

final as (
    select
        'runtime-enrichment' as check_id,
        case
            when least(s.share_pod_uid, s.share_service_account) < 0.95 then 'enrichment-partial'
            else 'enrichment-complete'
        end as kind,
        'runtime-enrichment:' || s.source || ':' || s.node_name as finding_id,
        case
            when least(s.share_pod_uid, s.share_service_account) < 0.95 then 'gap'
            else 'ok'
        end as status,
        s.source,
        s.node_name,
        null::VARCHAR as region,
        coalesce(s.first_at, r.range_from) as interval_from,
        coalesce(s.last_at, r.range_to) as interval_to,
        epoch(coalesce(s.last_at, r.range_to)) - epoch(coalesce(s.first_at, r.range_from)) as seconds,
        least(s.share_pod_uid, s.share_service_account)::DOUBLE as value,
        to_json({
            'events': s.events,
            'host_events': s.host_events,
            'with_sensor_pod_uid': s.with_sensor_uid,
            'with_pod_uid': s.with_pod_uid,
            'with_image_digest': s.with_image_digest,
            'with_service_account': s.with_service_account,
            'share_pod_uid': round(s.share_pod_uid, 4),
            'share_image_digest': round(s.share_image_digest, 4),
            'share_service_account': round(s.share_service_account, 4)
        }) as detail,
        s.node_name || ' (' || s.source || '): of ' || s.events || ' exec and connect events of pods, '
            || round(100 * s.share_pod_uid, 1) || '% have a pod UID, '
            || round(100 * s.share_service_account, 1) || '% a known service account, '
            || round(100 * s.share_image_digest, 1) || '% an image digest'
            || case when least(s.share_pod_uid, s.share_service_account) < 0.95
                then ': events of this node reach a pod less surely' else '' end as message
    from shares as s
    cross join range as r
)

select * from final
