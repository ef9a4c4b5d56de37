-- kubectl get ... -o json: the records of an inventory file, read once for the four inventory
-- targets (inventory_nodes.sql, inventory_pods.sql, inventory_service_accounts.sql,
-- inventory_other.sql), which the land step runs over the temp table it fills (inventory_items).
--
-- Reads relation `src` (_efid, _ordinal, _line, _path, _doc JSON). Params: $snapshot_at,
-- $duplicate_keys.
-- One row per record, with the frame every target emits first: row_id, evidence_file_id, line,
-- record_path, snapshot_at; then item (JSON), item_type, kind, value_reject (NULL, or the
-- disposition of a value that holds no record: reject.not_an_object, reject.invalid_envelope; or
-- reject.duplicate_key for an item with a key twice in one object, from $duplicate_keys) and
-- lands_as: 'Node', 'Pod' or 'ServiceAccount' for a record inventory_nodes.sql,
-- inventory_pods.sql or inventory_service_accounts.sql lands, NULL for every other record, which
-- inventory_other.sql rejects: each record is counted exactly once across the four targets.
--
-- Accepted shapes, per value (a document, or a line of a JSON-lines file):
--   a List   {"kind": "List" | "PodList" | "NodeList" | "ServiceAccountList" | ..., "items": [...]}:
--            one record per item, row_id <file>-<ordinal>-<i>, record_path /items/<i-1>; an item's
--            kind is its own "kind", else the List's kind without "List" (PodList items often
--            carry none): pt_inventory_item_kind.
--   an object {"kind": "Pod", "metadata": {...}, ...} (`kubectl get pod NAME -o json`): the value is
--            the record, row_id <file>-<ordinal>, record_path ''.
-- snapshot_at is $snapshot_at (from --snapshot-at or the file name; always given for inventory).
-- Inventory is never out_of_window: a snapshot states what existed at snapshot_at, and an object
-- created before the window (a node, a long-running pod, a service account) is still there during
-- it; correlation decides which snapshots matter, not the landing.

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
        _efid,
        _ordinal,
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
        _efid,
        _ordinal,
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

-- a key twice in one object of an item (or of the List holding it): the item is rejected
items as (
    select * exclude (_ordinal),
        case when pt_has_duplicate_key($duplicate_keys, _efid, _ordinal, record_path) then 'reject.duplicate_key' end as value_reject
    from list_items
    union all
    select * exclude (_ordinal),
        case when pt_has_duplicate_key($duplicate_keys, _efid, _ordinal, record_path) then 'reject.duplicate_key' end as value_reject
    from single_objects
),

value_rejects as (
    select
        _efid,
        pt_row_id(_efid, _ordinal) as row_id,
        _line as line,
        case when doc_type = 'OBJECT' then '/items' else '' end as record_path,
        null::JSON as item,
        null::VARCHAR as item_type,
        null::VARCHAR as kind,
        case
            when doc_type is distinct from 'OBJECT' then 'reject.not_an_object'
            else 'reject.invalid_envelope'
        end as value_reject
    from source_values
    where doc_type is distinct from 'OBJECT'
        or (is_list and items_type is distinct from 'ARRAY')
),

records as (
    select _efid, row_id, line, record_path, item, item_type, kind, value_reject from items
    union all
    select _efid, row_id, line, record_path, item, item_type, kind, value_reject from value_rejects
),

final as (
    select
        -- ids, snapshot_at (UTC): the frame of every target
        row_id,
        _efid as evidence_file_id,
        line,
        record_path,
        pt_ts($snapshot_at) as snapshot_at,
        -- the record
        item,
        item_type,
        kind,
        value_reject,
        case
            when value_reject is null and item_type = 'OBJECT' and kind in ('Node', 'Pod', 'ServiceAccount') then kind
        end as lands_as
    from records
)

select * from final
