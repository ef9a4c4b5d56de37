-- kubectl get ... -o json: every inventory record that is not a Node, Pod or ServiceAccount.
-- Output goes to the pseudo-table "_rejects" (src/ingest/land-targets.ts): only the provenance columns
-- row_id, evidence_file_id, line, record_path and _disposition; nothing here ever lands.
--
-- Reads the temp table inventory_items (inventory_items.sql: the records of the file, each with
-- its ids) where lands_as is NULL: the records none of inventory_nodes.sql, inventory_pods.sql and
-- inventory_service_accounts.sql takes.
--
-- Dispositions (one per record, none of them Node, Pod or ServiceAccount):
--   reject.unsupported_kind  an object item or single object of another kind (ConfigMap, Secret,
--                            Deployment, ...) or with no kind at all (nor a typed List to infer it from);
--   reject.invalid_envelope  a List whose "items" is not an array (one reject for the value,
--                            record_path /items), or an item that is not an object;
--   reject.not_an_object     a value that is not a JSON object;
--   reject.duplicate_key     an item (or the value holding it) with a key twice in one object.

with

final as (
    select
        -- ids
        row_id,
        evidence_file_id,
        line,
        record_path,
        case
            when value_reject is not null then value_reject
            when item_type is distinct from 'OBJECT' then 'reject.invalid_envelope'
            else 'reject.unsupported_kind'
        end as _disposition
    from inventory_items
    where lands_as is null
)

select * from final
