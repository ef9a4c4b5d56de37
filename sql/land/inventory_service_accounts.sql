-- kubectl get serviceaccounts -o json -> k8s_service_accounts (one row per ServiceAccount per snapshot).
--
-- Reads relation `src` (_ordinal, _line, _path, _doc JSON). Params: $snapshot_at.
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

source_values as materialized (
    select
        _efid,
        _ordinal,
        _line,
        _doc,
        json_type(_doc) as doc_type,
        pt_inventory_is_list(_doc) as is_list,
        _doc ->> 'kind' as doc_kind,
        json_type(_doc, '$.items') as items_type
    from src
),

-- items are unnested in the projection (generate_subscripts gives the index): a lateral
-- `from src, unnest(...)` join runs out of memory on a large List
list_elements as (
    select
        _efid,
        _ordinal,
        _line,
        doc_kind,
        unnest(elements) as item,
        generate_subscripts(elements, 1) as idx
    from (
        select
            _efid,
            _ordinal,
            _line,
            doc_kind,
            json_extract(_doc, '$.items[*]') as elements
        from source_values
        where doc_type = 'OBJECT'
            and is_list
            and items_type = 'ARRAY'
    )
),

-- materialized: DuckDB also ran out of memory when the unnest fed a union directly
list_items as materialized (
    select
        pt_row_id_el(_efid, _ordinal, idx) as row_id,
        _line as line,
        '/items/' || (idx - 1) as record_path,
        item,
        json_type(item) as item_type,
        pt_inventory_item_kind(item ->> 'kind', doc_kind) as kind
    from list_elements
),

single_objects as (
    select
        pt_row_id(_efid, _ordinal) as row_id,
        _line as line,
        '' as record_path,
        _doc as item,
        doc_type as item_type,
        doc_kind as kind
    from source_values
    where doc_type = 'OBJECT'
        and not is_list
),

items as (
    select * from list_items
    union all
    select * from single_objects
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
