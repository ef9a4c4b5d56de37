-- kubectl get pods -o json -> k8s_pods (one row per Pod per snapshot).
--
-- Reads the temp table inventory_items (inventory_items.sql: the records of the file, each with
-- its ids and snapshot_at) where lands_as = 'Pod'.
-- Ends with _disposition: landed | reject.missing_id (no metadata.uid): pt_inventory_disposition.
--
-- Field choices:
--   containers     status.containerStatuses, then initContainerStatuses, then ephemeralContainerStatuses
--                  (kubectl debug containers matter in an incident), in the order written; a container
--                  not started yet has no containerID (NULL in containers, absent from container_ids).
--                  Each: {name, container_id (runtime prefix stripped), image, image_id, image_digest,
--                  started_at (state.running, else state.terminated startedAt, ISO UTC)}. Containers
--                  with no status at all (a pod not scheduled yet) are not listed.
--   container_ids  the container ids of containers, NULLs dropped; image_digests the sha256 digests
--                  of their imageID (else of image), repeats and NULLs dropped, first order kept.
--   pod_ips        status.podIPs[].ip, else [status.podIP], else [] (a pending pod has none).
--   host_network   spec.hostNetwork, false when absent. A hostNetwork pod's IP is its node's.
--   service_account spec.serviceAccountName, else the deprecated spec.serviceAccount, else 'default'.
--   owner_kind/owner_name metadata.ownerReferences[0].

with

pods as materialized (
    select
        *,
        pt_inventory_pod(item) as p
    from inventory_items
    where lands_as = 'Pod'
),

statuses as (
    select
        *,
        pt_pod_container_statuses(p) as container_statuses
    from pods
),

final as (
    select
        -- ids, snapshot_at (UTC): the frame inventory_items gives every record
        row_id, evidence_file_id, line, record_path, snapshot_at,
        -- dimensions
        nullif(p.metadata.uid, '') as uid,
        p.metadata.namespace as namespace,
        p.metadata.name as name,
        p.spec.nodeName as node_name,
        coalesce(nullif(p.spec.serviceAccountName, ''), nullif(p.spec.serviceAccount, ''), 'default') as service_account,
        pt_pod_ips(p) as pod_ips,
        pt_ip_norm(p.status.hostIP) as host_ip,
        coalesce(try_cast(p.spec.hostNetwork as BOOLEAN), false) as host_network,
        p.status.phase as phase,
        pt_pod_container_ids(container_statuses) as container_ids,
        pt_pod_image_digests(container_statuses) as image_digests,
        pt_pod_containers(container_statuses) as containers,
        p.metadata.ownerReferences[1].kind as owner_kind,
        p.metadata.ownerReferences[1].name as owner_name,
        -- timestamps (UTC)
        pt_ts(p.metadata.creationTimestamp) as created_at,
        pt_ts(p.status.startTime) as started_at,
        pt_ts(p.metadata.deletionTimestamp) as deleted_at,
        -- documents
        p.metadata.labels as labels,
        pt_inventory_disposition(p.metadata.uid) as _disposition
    from statuses
)

select * from final
