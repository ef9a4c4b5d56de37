-- Pod lifecycle: one row per pod UID and validity interval (the logic behind pod_lifecycle).
-- Sources: inventory snapshots (attributes, creation and deletion timestamps, presence), audit
-- pod create/delete requests, runtime first/last sightings, and the pod watch of a live collection
-- (int_pod__watch_span: creationTimestamp, and the DELETED event's receive time for "gone"). A UID gets a new interval when the
-- set of image digests its snapshots show changes. Bounds take the earliest start and the best
-- end evidence; when the end is only known to lie between two snapshots the interval runs to the
-- first snapshot without the pod (a wider interval costs ambiguity, never a wrong answer). A pod
-- whose last snapshot shows it Succeeded or Failed ends at the first snapshot showing that (or at
-- its delete, when earlier): its containers had stopped by then.
create or replace view int_pod__lifecycle as

with

snapshots as (
    select
        *,
        list_sort(list_distinct(image_digests))::VARCHAR as digest_key
    from k8s_pods
    where uid is not null
),

snapshot_instants as (
    select distinct snapshot_at from k8s_pods
),

terminated as (
    -- pods whose last snapshot shows a terminal phase: the first snapshot of that phase bounds the end
    select
        uid as pod_uid,
        min(snapshot_at) filter (where phase in ('Succeeded', 'Failed')) as terminated_at,
        arg_min(row_id, snapshot_at) filter (where phase in ('Succeeded', 'Failed')) as terminated_row_id
    from k8s_pods
    where uid is not null
    group by uid
    having arg_max(phase, snapshot_at) in ('Succeeded', 'Failed')
),

audit_creates as (
    -- a controller's pod (generateName) is named by the response; its service account is the
    -- request's or the response's spec.serviceAccountName
    select namespace, name, object_uid, request_received_at as event_at, row_id, pod_service_account, pod_node_name
    from kube_audit_events
    where verb = 'create' and resource = 'pods' and subresource is null and is_final_stage
        and coalesce(response_code, 201) between 200 and 299
),

audit_bindings as (
    -- the scheduler's binding of a pod to its node (pods/binding), the first that succeeded
    select namespace, name, arg_min(pod_node_name, request_received_at) as node_name, arg_min(row_id, request_received_at) as row_id
    from kube_audit_events
    where verb = 'create' and resource = 'pods' and subresource = 'binding' and is_final_stage
        and coalesce(response_code, 201) between 200 and 299 and pod_node_name is not null
    group by namespace, name
),

audit_deletes as (
    select namespace, name, object_uid, request_received_at as event_at, row_id
    from kube_audit_events
    where verb = 'delete' and resource = 'pods' and subresource is null and is_final_stage
        and coalesce(response_code, 200) between 200 and 299
),

runtime_span as (
    select * from int_pod__runtime_span
),

-- the pod watch (podtrail collect k8s --watch): bounds for every pod it saw, attributes for pods
-- no snapshot holds (created and gone between two snapshots)
watch_span as (
    select * from int_pod__watch_span
),

runtime_attrs as (
    -- pods the runtime names with a UID: namespace and name from their events
    select
        pod_uid,
        any_value(pod_namespace order by ts) as namespace,
        any_value(pod_name order by ts) as name,
        list_sort(list_distinct(list(container_id) filter (where container_id is not null))) as container_ids
    from runtime_events
    where pod_uid is not null
    group by pod_uid
),

islands as (
    select
        *,
        sum(case when digest_key is distinct from prev_key then 1 else 0 end)
            over (partition by uid order by snapshot_at rows unbounded preceding) as interval_no
    from (
        select *, lag(digest_key) over (partition by uid order by snapshot_at) as prev_key
        from snapshots
    )
),

inventory_intervals as (
    select
        uid as pod_uid,
        interval_no::INTEGER as interval_no,
        arg_max(namespace, snapshot_at) as namespace,
        arg_max(name, snapshot_at) as name,
        arg_max(node_name, snapshot_at) as node_name,
        arg_max(service_account, snapshot_at) as service_account,
        list_sort(list_distinct(flatten(list(pod_ips)))) as pod_ips,
        bool_or(host_network) as host_network,
        list_sort(list_distinct(flatten(list(container_ids)))) as container_ids,
        list_sort(list_distinct(flatten(list(image_digests)))) as image_digests,
        arg_max(owner_kind, snapshot_at) as owner_kind,
        arg_max(owner_name, snapshot_at) as owner_name,
        min(created_at) as created_at,
        min(deleted_at) as deleted_at,
        min(snapshot_at) as first_snapshot_at,
        max(snapshot_at) as last_snapshot_at,
        arg_min(row_id, snapshot_at) as first_snapshot_row_id,
        arg_max(row_id, snapshot_at) as last_snapshot_row_id,
        max(interval_no) over (partition by uid) as last_interval_no
    from islands
    group by uid, interval_no
),

audit_only as (
    -- pods created (and maybe deleted) between snapshots: known from audit and runtime only
    select
        c.object_uid as pod_uid,
        1 as interval_no,
        c.namespace,
        c.name,
        coalesce(b.node_name, c.pod_node_name, r.node_name) as node_name,
        c.pod_service_account as service_account,
        coalesce(r.src_ips, []::VARCHAR[]) as pod_ips,
        null::BOOLEAN as host_network,
        coalesce(ra.container_ids, []::VARCHAR[]) as container_ids,
        coalesce(r.image_digests, []::VARCHAR[]) as image_digests,
        null::VARCHAR as owner_kind,
        null::VARCHAR as owner_name,
        null::TIMESTAMP as created_at,
        null::TIMESTAMP as deleted_at,
        null::TIMESTAMP as first_snapshot_at,
        null::TIMESTAMP as last_snapshot_at,
        null::VARCHAR as first_snapshot_row_id,
        null::VARCHAR as last_snapshot_row_id,
        1 as last_interval_no
    from audit_creates as c
    left join audit_bindings as b on b.namespace = c.namespace and b.name = c.name
    left join runtime_span as r on r.pod_uid = c.object_uid
    left join runtime_attrs as ra on ra.pod_uid = c.object_uid
    where c.object_uid is not null
        and c.object_uid not in (select uid from snapshots)
),

watch_only as (
    select
        w.pod_uid,
        1 as interval_no,
        w.namespace,
        w.name,
        w.node_name,
        w.service_account,
        w.pod_ips,
        w.host_network,
        w.container_ids,
        w.image_digests,
        w.owner_kind,
        w.owner_name,
        null::TIMESTAMP as created_at,
        null::TIMESTAMP as deleted_at,
        null::TIMESTAMP as first_snapshot_at,
        null::TIMESTAMP as last_snapshot_at,
        null::VARCHAR as first_snapshot_row_id,
        null::VARCHAR as last_snapshot_row_id,
        1 as last_interval_no
    from watch_span as w
    where w.pod_uid not in (select uid from snapshots)
        and w.pod_uid not in (select object_uid from audit_creates where object_uid is not null)
),

runtime_only as (
    select
        ra.pod_uid,
        1 as interval_no,
        ra.namespace,
        ra.name,
        r.node_name,
        null::VARCHAR as service_account,
        coalesce(r.src_ips, []::VARCHAR[]) as pod_ips,
        null::BOOLEAN as host_network,
        ra.container_ids,
        coalesce(r.image_digests, []::VARCHAR[]) as image_digests,
        null::VARCHAR as owner_kind,
        null::VARCHAR as owner_name,
        null::TIMESTAMP as created_at,
        null::TIMESTAMP as deleted_at,
        null::TIMESTAMP as first_snapshot_at,
        null::TIMESTAMP as last_snapshot_at,
        null::VARCHAR as first_snapshot_row_id,
        null::VARCHAR as last_snapshot_row_id,
        1 as last_interval_no
    from runtime_attrs as ra
    left join runtime_span as r on r.pod_uid = ra.pod_uid
    where ra.pod_uid not in (select uid from snapshots)
        and ra.pod_uid not in (select object_uid from audit_creates where object_uid is not null)
        and ra.pod_uid not in (select pod_uid from watch_span)
),

all_intervals as (
    select * from inventory_intervals
    union all by name
    select * from audit_only
    union all by name
    select * from watch_only
    union all by name
    select * from runtime_only
),

first_sightings as (
    select
        i.pod_uid,
        i.interval_no,
        coalesce(i.first_snapshot_at, rs.first_seen_at::TIMESTAMP) as first_known_at,
        coalesce(i.last_snapshot_at, i.created_at, rs.first_seen_at::TIMESTAMP) as last_known_at
    from all_intervals as i
    left join runtime_span as rs on rs.pod_uid = i.pod_uid
),

create_match as (
    -- the create request of the pod: by UID, else the last create of its namespace/name before it was first seen
    select pod_uid, event_at, row_id
    from (
        select
            i.pod_uid,
            c.event_at,
            c.row_id,
            row_number() over (
                partition by i.pod_uid
                order by (c.object_uid is not distinct from i.pod_uid) desc, c.event_at desc, c.row_id
            ) as rn
        from all_intervals as i
        inner join first_sightings as f on f.pod_uid = i.pod_uid and f.interval_no = i.interval_no
        inner join audit_creates as c
            on c.object_uid = i.pod_uid
            or (c.object_uid is null and c.namespace = i.namespace and c.name = i.name and c.event_at <= f.first_known_at)
        where i.interval_no = 1
    )
    where rn = 1
),

delete_match as (
    -- the first delete request of the pod after it was last known to exist
    select pod_uid, event_at, row_id
    from (
        select
            i.pod_uid,
            d.event_at,
            d.row_id,
            row_number() over (partition by i.pod_uid order by d.event_at, d.row_id) as rn
        from all_intervals as i
        inner join first_sightings as f on f.pod_uid = i.pod_uid and f.interval_no = i.interval_no
        inner join audit_deletes as d
            on (d.object_uid = i.pod_uid or (d.object_uid is null and d.namespace = i.namespace and d.name = i.name))
            and d.event_at >= f.last_known_at
        where i.interval_no = i.last_interval_no
    )
    where rn = 1
),

bounded as (
    select
        i.*,
        ac.event_at as audit_created_at,
        ac.row_id as audit_create_row_id,
        rs.first_seen_at::TIMESTAMP as runtime_first_at,
        rs.first_row_id as runtime_first_row_id,
        rs.last_seen_at::TIMESTAMP as runtime_last_at,
        rs.last_row_id as runtime_last_row_id,
        ad.event_at as audit_deleted_at,
        ad.row_id as audit_delete_row_id,
        (select min(s.snapshot_at) from snapshot_instants as s where s.snapshot_at > i.last_snapshot_at) as first_absent_at,
        lead(i.first_snapshot_at) over (partition by i.pod_uid order by i.interval_no) as next_interval_from,
        lead(i.first_snapshot_row_id) over (partition by i.pod_uid order by i.interval_no) as next_interval_row_id,
        case when i.interval_no = 1 then ws.created_at end as watch_created_at,
        ws.created_row_id as watch_created_row_id,
        case when i.interval_no = i.last_interval_no then ws.deleted_at end as watch_deleted_at,
        ws.deleted_row_id as watch_deleted_row_id,
        tm.terminated_at,
        tm.terminated_row_id
    from all_intervals as i
    left join terminated as tm on tm.pod_uid = i.pod_uid and i.interval_no = i.last_interval_no
    left join runtime_span as rs on rs.pod_uid = i.pod_uid
    left join watch_span as ws on ws.pod_uid = i.pod_uid
    left join create_match as ac on ac.pod_uid = i.pod_uid and i.interval_no = 1
    left join delete_match as ad on ad.pod_uid = i.pod_uid and i.interval_no = i.last_interval_no
),

final as (
    select
        pod_uid,
        interval_no,
        namespace,
        name,
        node_name,
        service_account,
        pod_ips,
        host_network,
        container_ids,
        image_digests,
        owner_kind,
        owner_name,
        case
            when interval_no > 1 then first_snapshot_at
            else least(created_at, audit_created_at, runtime_first_at, first_snapshot_at, watch_created_at)
        end as valid_from,
        case
            when interval_no < last_interval_no then next_interval_from
            -- terminated before any delete: runtime sightings up to 120 s later still extend it
            when terminated_at is not null and terminated_at <= coalesce(watch_deleted_at, audit_deleted_at, deleted_at, terminated_at) then
                case
                    when runtime_last_at is null then terminated_at
                    else greatest(terminated_at, least(runtime_last_at, terminated_at + interval 120 seconds))
                end
            -- gone: the watch's DELETED event (runtime sightings up to 120 s later still extend it)
            when watch_deleted_at is not null then
                case
                    when runtime_last_at is null then watch_deleted_at
                    else greatest(watch_deleted_at, least(runtime_last_at, watch_deleted_at + interval 120 seconds))
                end
            -- deleted: the pod runs on through its grace period; runtime sightings up to 120 s after
            -- the delete extend it (DuckDB's least() ignores a NULL, hence the explicit case)
            when audit_deleted_at is not null or deleted_at is not null then
                case
                    when runtime_last_at is null then coalesce(audit_deleted_at, deleted_at)
                    else greatest(
                        coalesce(audit_deleted_at, deleted_at),
                        least(runtime_last_at, coalesce(audit_deleted_at, deleted_at) + interval 120 seconds)
                    )
                end
            when first_absent_at is not null then first_absent_at
            when last_snapshot_at is null and runtime_last_at is not null then runtime_last_at
        end as valid_to,
        case
            when interval_no > 1 then 'image-change'
            when created_at is not null and created_at <= least(coalesce(audit_created_at, created_at), coalesce(runtime_first_at, created_at)) then 'inventory-created'
            when watch_created_at is not null and watch_created_at <= least(coalesce(audit_created_at, watch_created_at), coalesce(runtime_first_at, watch_created_at)) then 'watch-created'
            when audit_created_at is not null and audit_created_at <= coalesce(runtime_first_at, audit_created_at) then 'audit-create'
            when runtime_first_at is not null and runtime_first_at <= coalesce(first_snapshot_at, runtime_first_at) then 'runtime-first-seen'
            else 'inventory-first-seen'
        end as from_evidence,
        case
            when interval_no < last_interval_no then 'image-change'
            when terminated_at is not null and terminated_at <= coalesce(watch_deleted_at, audit_deleted_at, deleted_at, terminated_at) then
                case when runtime_last_at > terminated_at then 'runtime-last-seen' else 'inventory-terminated' end
            when watch_deleted_at is not null then
                case when runtime_last_at > watch_deleted_at then 'runtime-last-seen' else 'watch-deleted' end
            when audit_deleted_at is not null then
                case when runtime_last_at > audit_deleted_at then 'runtime-last-seen' else 'audit-delete' end
            when deleted_at is not null then 'inventory-deleted'
            when first_absent_at is not null then 'inventory-absent'
            when last_snapshot_at is null and runtime_last_at is not null then 'runtime-last-seen'
            else 'open'
        end as to_evidence,
        case
            when interval_no > 1 then first_snapshot_row_id
            when created_at is not null and created_at <= least(coalesce(audit_created_at, created_at), coalesce(runtime_first_at, created_at)) then first_snapshot_row_id
            when watch_created_at is not null and watch_created_at <= least(coalesce(audit_created_at, watch_created_at), coalesce(runtime_first_at, watch_created_at)) then watch_created_row_id
            when audit_created_at is not null and audit_created_at <= coalesce(runtime_first_at, audit_created_at) then audit_create_row_id
            when runtime_first_at is not null and runtime_first_at <= coalesce(first_snapshot_at, runtime_first_at) then runtime_first_row_id
            else first_snapshot_row_id
        end as from_row_id,
        case
            when interval_no < last_interval_no then next_interval_row_id
            when terminated_at is not null and terminated_at <= coalesce(watch_deleted_at, audit_deleted_at, deleted_at, terminated_at) then
                case when runtime_last_at > terminated_at then runtime_last_row_id else terminated_row_id end
            when watch_deleted_at is not null then
                case when runtime_last_at > watch_deleted_at then runtime_last_row_id else watch_deleted_row_id end
            when audit_deleted_at is not null then
                case when runtime_last_at > audit_deleted_at then runtime_last_row_id else audit_delete_row_id end
            when deleted_at is not null then last_snapshot_row_id
            when first_absent_at is not null then last_snapshot_row_id
            when last_snapshot_at is null and runtime_last_at is not null then runtime_last_row_id
        end as to_row_id
    from bounded
)

select * from final
