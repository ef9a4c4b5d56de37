-- kubectl get ... -o json: every inventory record that is not a Node, Pod or ServiceAccount.
-- Output goes to the pseudo-table "_rejects" (src/ingest/land-file.ts): only the provenance columns
-- row_id, evidence_file_id, line, record_path and _disposition; nothing here ever lands.
--
-- Reads relation `src` (_ordinal, _line, _path, _doc JSON). Column _efid (the evidence file id).
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
--   reject.not_an_object     a value that is not a JSON object.

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

value_rejects as (
    select
        pt_row_id(_efid, _ordinal) as row_id,
        _line as line,
        case when doc_type = 'OBJECT' then '/items' else '' end as record_path,
        case
            when doc_type is distinct from 'OBJECT' then 'reject.not_an_object'
            else 'reject.invalid_envelope'
        end as _disposition
    from source_values
    where doc_type is distinct from 'OBJECT'
        or (is_list and items_type is distinct from 'ARRAY')
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
