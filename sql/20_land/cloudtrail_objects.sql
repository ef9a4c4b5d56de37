-- Trail object records (podtrail.cloudtrail-objects/v1: the digest-metadata.json files of
-- `podtrail collect aws --trail`) -> cloudtrail_objects.
-- Reads relation `src` (doc mode: _efid, _ordinal, _line, _path, _doc JSON: one value per file).
-- Ends with _disposition: landed | reject.<reason>.
--
-- Shape: {"format":"podtrail.cloudtrail-objects/v1","collection_id":...,"objects":[{bucket, key,
-- kind (digest | log), sha256 (of the bytes as stored), size, etag, version_id, last_modified, sse,
-- signature, signature_algorithm, backfill_generation_timestamp (the x-amz-meta-* values S3 returns
-- with GetObject), request_id, captured_at}]}. One row per object, record_path /objects/<i-1>.
-- Each row says where a file's bytes came from (bucket and full key, matched by sha256) and, for a
-- digest, the signature S3 kept beside it: digest validation reads both. Never out of window.
-- Dispositions: an element that is not an object -> reject.invalid_envelope; no bucket or key ->
-- reject.unknown_shape.

with

elements as (
    select
        _efid,
        _ordinal,
        _line,
        _doc ->> 'collection_id' as collection_id,
        unnest(range(1, json_array_length(_doc -> 'objects')::BIGINT + 1)) as idx,
        unnest(json_extract(_doc, '$.objects[*]')) as o
    from src
    where json_type(_doc -> 'objects') = 'ARRAY'
),

final as (
    select
        -- ids
        pt_row_id_el(_efid, _ordinal, idx) as row_id,
        _efid as evidence_file_id,
        _line as line,
        '/objects/' || (idx - 1) as record_path,
        collection_id,
        -- the object
        o ->> 'bucket' as bucket,
        o ->> 'key' as key,
        o ->> 'kind' as kind,
        lower(o ->> 'sha256') as sha256,
        try_cast(o ->> 'size' as BIGINT) as size_bytes,
        o ->> 'etag' as etag,
        o ->> 'version_id' as version_id,
        pt_ts(o ->> 'last_modified') as last_modified,
        o ->> 'sse' as sse,
        -- the digest's signature metadata
        o ->> 'signature' as signature,
        o ->> 'signature_algorithm' as signature_algorithm,
        o ->> 'backfill_generation_timestamp' as backfill_generation_timestamp,
        -- the request
        o ->> 'request_id' as request_id,
        pt_ts(o ->> 'captured_at') as captured_at,
        case
            when json_type(o) is distinct from 'OBJECT' then 'reject.invalid_envelope'
            when (o ->> 'bucket') is null or (o ->> 'key') is null then 'reject.unknown_shape'
            else 'landed'
        end as _disposition
    from elements
)

select * from final
