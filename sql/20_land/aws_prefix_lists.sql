-- `aws ec2 describe-prefix-lists` -> aws_prefix_lists: one row per AWS-managed prefix list per
-- snapshot (com.amazonaws.<region>.s3 and .dynamodb: the addresses a gateway endpoint serves).
-- Reads relation `src` through pt_snapshot_records (sql/00_macros/pt_snapshot.sql). Params: $snapshot_at,
-- $origin_region (see aws_network_interfaces.sql).
-- Shape: {"PrefixLists":[{PrefixListId, PrefixListName, Cidrs[]}]}. Record = one list: row_id
-- <file>-<ordinal>-<i>, record_path /PrefixLists/<i-1>. Dispositions: not an object ->
-- reject.invalid_envelope; no PrefixListId -> reject.unknown_shape.

with

records as (
    select * from pt_snapshot_records('src', 'PrefixLists', $snapshot_at, $origin_region)
),

final as (
    select
        -- ids, when and where it was seen
        * exclude (e),
        -- the list
        e ->> 'PrefixListId' as prefix_list_id,
        e ->> 'PrefixListName' as prefix_list_name,
        pt_vpce_event_source(e ->> 'PrefixListName') as event_source,
        coalesce(json_extract_string(e, '$.Cidrs[*]'), []) as cidrs,
        pt_snapshot_disposition(e, 'PrefixListId') as _disposition
    from records
)

select * from final
