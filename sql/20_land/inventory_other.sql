-- kubectl get ... -o json: every inventory record that is not a Node, Pod or ServiceAccount.
-- Output goes to the pseudo-table "_rejects" (src/ingest/land-file.ts): only the provenance columns
-- row_id, evidence_file_id, line, record_path and _disposition; nothing here ever lands.
--
-- Reads the temp table inventory_items (the records of the file: inventory_items.sql).
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
-- Dispositions (one per record, none of them Node, Pod or ServiceAccount):
--   reject.unsupported_kind  an object item or single object of another kind (ConfigMap, Secret,
--                            Deployment, ...) or with no kind at all (nor a typed List to infer it from);
--   reject.invalid_envelope  a List whose "items" is not an array (one reject for the value,
--                            record_path /items), or an item that is not an object;
--   reject.not_an_object     a value that is not a JSON object;
--   reject.duplicate_key     an item (or the value holding it) with a key twice in one object.

with

items as (
    select * from inventory_items where value_reject is null
),

value_rejects as (
    select row_id, line, record_path, value_reject as _disposition
    from inventory_items
    where value_reject is not null
),

item_rejects as (
    select
        row_id,
        line,
        record_path,
        case
            when item_type is distinct from 'OBJECT' then 'reject.invalid_envelope'
            else 'reject.unsupported_kind'
        end as _disposition
    from items
    where item_type is distinct from 'OBJECT'
        or kind is null
        or kind not in ('Node', 'Pod', 'ServiceAccount')
),

rejects as (
    select * from value_rejects
    union all
    select * from item_rejects
),

final as (
    select
        -- ids
        row_id,
        split_part(row_id, '-', 1) as evidence_file_id,
        line,
        record_path,
        _disposition
    from rejects
)

select * from final
