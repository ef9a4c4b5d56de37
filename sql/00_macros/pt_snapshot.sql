-- The envelope of AWS inventory answers (`aws ec2 describe-*`: {"<List>": [element, ...]}), shared by
-- the land SQL of the tables that take one row per element. Applied after pt_common.sql and
-- pt_net_aws.sql (lexical order), so it may use their macros.

-- The records of the answers in relation `source` (the land SQL's `src`: a table macro binds its
-- tables when it is created, so the name comes as an argument): one row per element of the list at
-- `list_key`, with the columns every snapshot table starts with (row_id <file>-<ordinal>-<i>,
-- record_path /<list_key>/<i-1>, the instant and the region it was seen) and the element, `e`.
-- A document without that list holds none of these records.
create or replace macro pt_snapshot_records(source, list_key, seen_at, seen_region) as table
    with

    docs as (
        select _efid, _ordinal, _line, pt_json_list(_doc, list_key) as list
        from query_table(source)
        where json_type(_doc, '$.' || list_key) = 'ARRAY'
    ),

    elements as (
        select _efid, _ordinal, _line, unnest(range(1, len(list) + 1)) as idx, unnest(list) as e
        from docs
    ),

    final as (
        select
            pt_row_id_el(_efid, _ordinal, idx) as row_id,
            _efid as evidence_file_id,
            _line as line,
            '/' || list_key || '/' || (idx - 1) as record_path,
            pt_ts(seen_at) as snapshot_at,
            seen_region::VARCHAR as region,
            e
        from elements
    )

    select * from final;

-- The disposition of an element: not an object -> reject.invalid_envelope; without the member that
-- identifies it (`id_key`) -> reject.unknown_shape; else landed.
create or replace macro pt_snapshot_disposition(e, id_key) as
    case
        when json_type(e) is distinct from 'OBJECT' then 'reject.invalid_envelope'
        when (e ->> id_key) is null then 'reject.unknown_shape'
        else 'landed'
    end;
