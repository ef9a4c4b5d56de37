-- AWS ip-ranges.json (https://ip-ranges.amazonaws.com/ip-ranges.json; structure documented in the
-- Amazon VPC user guide, "Syntax for AWS IP address range JSON"):
--   {"syncToken": "<publication time, Unix epoch>", "createDate": "YYYY-MM-DD-hh-mm-ss" (UTC),
--    "prefixes": [{"ip_prefix", "region", "network_border_group", "service"}],
--    "ipv6_prefixes": [{"ipv6_prefix", "region", "network_border_group", "service"}]}
-- Reads relation `src` (_efid, _ordinal, _line, _doc JSON). One record per prefix: row_id
-- <file>-<ordinal>-<i> (IPv4 prefixes first, then IPv6 ones, numbered on), record_path
-- /prefixes/<j> or /ipv6_prefixes/<j>. Reference data: never out of window.
-- Ends with _disposition: landed | reject.invalid_envelope (the value is not such a document) |
-- reject.unknown_shape (a prefix without a valid CIDR or service).

with

documents as (
    select
        _efid,
        _ordinal,
        _line,
        _doc,
        _doc ->> 'syncToken' as sync_token,
        _doc ->> 'createDate' as create_date,
        coalesce(json_array_length(_doc, '$.prefixes'), 0) as n4
    from src
    where json_type(_doc) = 'OBJECT' and json_type(_doc, '$.prefixes') = 'ARRAY'
),

bad_documents as (
    select
        pt_row_id(_efid, _ordinal) as row_id,
        _efid as evidence_file_id,
        _line as line,
        '' as record_path,
        'reject.invalid_envelope' as _disposition
    from src
    where not (json_type(_doc) = 'OBJECT' and json_type(_doc, '$.prefixes') = 'ARRAY')
),

v4 as (
    select _efid, _ordinal, sync_token, create_date, unnest(json_extract(_doc, '$.prefixes[*]')) as p, generate_subscripts(json_extract(_doc, '$.prefixes[*]'), 1) as idx,
        'ip_prefix' as key, '/prefixes/' as path, 0 as offset_
    from documents
),

v6 as (
    select _efid, _ordinal, sync_token, create_date, unnest(json_extract(_doc, '$.ipv6_prefixes[*]')) as p, generate_subscripts(json_extract(_doc, '$.ipv6_prefixes[*]'), 1) as idx,
        'ipv6_prefix' as key, '/ipv6_prefixes/' as path, n4 as offset_
    from documents
    where json_type(_doc, '$.ipv6_prefixes') = 'ARRAY'
),

prefixes as (
    select * from v4
    union all
    select * from v6
),

normalized as (
    select
        -- ids
        pt_row_id_el(_efid, _ordinal, offset_ + idx) as row_id,
        _efid as evidence_file_id,
        null::BIGINT as line,
        path || (idx - 1) as record_path,
        -- the publication
        sync_token,
        try_strptime(create_date, '%Y-%m-%d-%H-%M-%S')::TIMESTAMP as published_at,
        -- the prefix
        p ->> key as cidr,
        case when key = 'ip_prefix' then 4 else 6 end as family,
        p ->> 'region' as region,
        p ->> 'network_border_group' as network_border_group,
        p ->> 'service' as service
    from prefixes
),

final as (
    select
        *,
        case
            when cidr is null or not regexp_full_match(cidr, '[0-9A-Fa-f:.]+/[0-9]{1,3}') or service is null then 'reject.unknown_shape'
            else 'landed'
        end as _disposition
    from normalized
)

select * from final
