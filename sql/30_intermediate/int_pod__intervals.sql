-- int_pod__intervals: every pod interval before its bounds: those inventory snapshots show, then
-- (one interval each) pods known from audit creates, from the pod watch, or from runtime events
-- alone, each only when no earlier source holds the UID.
create or replace view int_pod__intervals as

with

snapshots as (
    select
        *,
        list_sort(list_distinct(image_digests))::VARCHAR as digest_key
    from k8s_pods
    where uid is not null
),

audit_creates as (
    select * from int_pod__audit_creates
),

audit_bindings as (
    select * from int_pod__audit_bindings
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
    select * from int_pod__runtime_attrs
),

inventory_intervals as (
    select * from int_pod__inventory_intervals
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

final as (
    select * from inventory_intervals
    union all by name
    select * from audit_only
    union all by name
    select * from watch_only
    union all by name
    select * from runtime_only
)

select * from final
