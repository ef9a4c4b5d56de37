-- kubectl get pods -o json -> k8s_pods (one row per Pod per snapshot).
--
-- Reads the temp table inventory_items (the records of the file: inventory_items.sql). Params: $snapshot_at.
-- Ends with _disposition: landed | reject.missing_id (no metadata.uid).
--
-- Accepted shapes, per value (a document, or a line of a JSON-lines file):
--   a List   {"kind": "List" | "PodList" | "NodeList" | "ServiceAccountList" | ..., "items": [...]}:
--            one record per item, row_id <file>-<ordinal>-<i>, record_path /items/<i-1>; an item's
--            kind is its own "kind", else the List's kind without "List" (PodList items often
--            carry none): pt_inventory_item_kind.
--   an object {"kind": "Pod", "metadata": {...}, ...} (`kubectl get pod NAME -o json`): the value is
--            the record, row_id <file>-<ordinal>, record_path ''.
-- Each of inventory_nodes.sql, inventory_pods.sql and inventory_service_accounts.sql emits only the
-- records of its own kind; inventory_other.sql emits every other record (rejected), so each record
-- is counted exactly once across the four files.
-- snapshot_at is $snapshot_at (from --snapshot-at or the file name; always given for inventory).
-- Inventory is never out_of_window: a snapshot states what existed at snapshot_at, and an object
-- created before the window (a node, a long-running pod, a service account) is still there during
-- it; correlation decides which snapshots matter, not the landing.
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

items as (
    select * from inventory_items where value_reject is null
),

pods as materialized (
    select
        *,
        pt_inventory_pod(item) as p
    from items
    where item_type = 'OBJECT'
        and kind = 'Pod'
),

statuses as (
    select
        *,
        pt_pod_container_statuses(p) as container_statuses
    from pods
),

normalized as (
    select
        -- ids
        row_id,
        split_part(row_id, '-', 1) as evidence_file_id,
        line,
        record_path,
        -- timestamps (UTC)
        pt_ts($snapshot_at) as snapshot_at,
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
        p.metadata.labels as labels
    from statuses
),

final as (
    select
        *,
        case
            when uid is null then 'reject.missing_id'
            else 'landed'
        end as _disposition
    from normalized
)

select * from final
