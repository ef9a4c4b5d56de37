-- kubectl get serviceaccounts -o json -> k8s_service_accounts (one row per ServiceAccount per snapshot).
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
-- Field choices: the cloud identity bindings are read from metadata.annotations:
-- eks.amazonaws.com/role-arn (IRSA), azure.workload.identity/client-id (Azure workload identity),
-- iam.gke.io/gcp-service-account (GKE workload identity); annotations keeps them all as JSON.

with

items as (
    select * from inventory_items where value_reject is null
),

service_accounts as materialized (
    select
        *,
        pt_inventory_service_account(item) as sa
    from items
    where item_type = 'OBJECT'
        and kind = 'ServiceAccount'
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
        sa.metadata.namespace as namespace,
        sa.metadata.name as name,
        nullif(sa.metadata.uid, '') as uid,
        nullif(sa.metadata.annotations ->> 'eks.amazonaws.com/role-arn', '') as irsa_role_arn,
        nullif(sa.metadata.annotations ->> 'azure.workload.identity/client-id', '') as azure_client_id,
        nullif(sa.metadata.annotations ->> 'iam.gke.io/gcp-service-account', '') as gcp_service_account,
        -- timestamps (UTC)
        pt_ts(sa.metadata.creationTimestamp) as created_at,
        -- documents
        sa.metadata.annotations as annotations
    from service_accounts
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
