-- kubectl get nodes -o json -> k8s_nodes (one row per Node per snapshot).
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
-- Field choices: instance_id is the i-... at the end of an AWS providerID (aws:///us-east-1a/i-0abc
-- -> i-0abc; NULL for other clouds, whose ids are no CloudTrail session name); zone is the
-- topology.kubernetes.io/zone label, else the legacy failure-domain.beta.kubernetes.io/zone label,
-- else the zone in an aws:/// or gce:// providerID; internal_ips/external_ips keep the order of
-- status.addresses ([] when there is none of that type).

with

items as (
    select * from inventory_items where value_reject is null
),

nodes as materialized (
    select
        *,
        pt_inventory_node(item) as n
    from items
    where item_type = 'OBJECT'
        and kind = 'Node'
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
        n.metadata.name as name,
        nullif(n.metadata.uid, '') as uid,
        n.spec.providerID as provider_id,
        nullif(regexp_extract(n.spec.providerID, '^aws://[^/]*/[^/]*/(i-[0-9a-zA-Z]+)$', 1), '') as instance_id,
        coalesce(
            nullif(n.metadata.labels ->> 'topology.kubernetes.io/zone', ''),
            nullif(n.metadata.labels ->> 'failure-domain.beta.kubernetes.io/zone', ''),
            nullif(regexp_extract(n.spec.providerID, '^aws://[^/]*/([^/]+)/', 1), ''),
            nullif(regexp_extract(n.spec.providerID, '^gce://[^/]+/([^/]+)/', 1), '')
        ) as zone,
        coalesce(
            list_transform(list_filter(n.status.addresses, a -> a.type = 'InternalIP' and a.address is not null), a -> pt_ip_norm(a.address)),
            []::VARCHAR[]
        ) as internal_ips,
        coalesce(
            list_transform(list_filter(n.status.addresses, a -> a.type = 'ExternalIP' and a.address is not null), a -> pt_ip_norm(a.address)),
            []::VARCHAR[]
        ) as external_ips,
        -- timestamps (UTC)
        pt_ts(n.metadata.creationTimestamp) as created_at,
        -- documents
        n.metadata.labels as labels
    from nodes
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
