-- `aws ec2 describe-prefix-lists` -> aws_prefix_lists: one row per AWS-managed prefix list per
-- snapshot (com.amazonaws.<region>.s3 and .dynamodb: the addresses a gateway endpoint serves).
-- Reads relation `src` (doc mode). Params: $snapshot_at, $origin_region (see aws_network_interfaces.sql).
-- Shape: {"PrefixLists":[{PrefixListId, PrefixListName, Cidrs[]}]}. Record = one list: row_id
-- <file>-<ordinal>-<i>, record_path /PrefixLists/<i-1>. Dispositions: not an object ->
-- reject.invalid_envelope; no PrefixListId -> reject.unknown_shape.

with

docs as (
    select _efid, _ordinal, _line, pt_json_list(_doc, 'PrefixLists') as list
    from src
    where json_type(_doc, '$.PrefixLists') = 'ARRAY'
),

elements as (
    select _efid, _ordinal, _line, unnest(range(1, len(list) + 1)) as idx, unnest(list) as e
    from docs
),

final as (
    select
        -- ids
        pt_row_id_el(_efid, _ordinal, idx) as row_id,
        _efid as evidence_file_id,
        _line as line,
        '/PrefixLists/' || (idx - 1) as record_path,
        -- when and where it was seen
        pt_ts($snapshot_at) as snapshot_at,
        $origin_region::VARCHAR as region,
        -- the list
        e ->> 'PrefixListId' as prefix_list_id,
        e ->> 'PrefixListName' as prefix_list_name,
        pt_vpce_event_source(e ->> 'PrefixListName') as event_source,
        coalesce(json_extract_string(e, '$.Cidrs[*]'), []) as cidrs,
        case
            when json_type(e) is distinct from 'OBJECT' then 'reject.invalid_envelope'
            when (e ->> 'PrefixListId') is null then 'reject.unknown_shape'
            else 'landed'
        end as _disposition
    from elements
)

select * from final
