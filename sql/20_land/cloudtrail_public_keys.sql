-- CloudTrail public keys (ListPublicKeys: the response body as the API sends it, or the output of
-- `aws cloudtrail list-public-keys`) -> cloudtrail_public_keys.
-- Reads relation `src` (doc mode: _efid, _ordinal, _line, _path, _doc JSON: one value per file).
-- Params: $origin_region, the region in the file's name (public-keys/<region>.json): keys are per
-- region and the response does not say which.
-- Ends with _disposition: landed | reject.<reason>.
--
-- Shape: {"PublicKeyList":[{Value (base64 DER), ValidityStartTime, ValidityEndTime, Fingerprint}],
-- "NextToken":...}. The API sends times as epoch seconds, the CLI as ISO text, and an old
-- documentation sample spells the list publicKeyList: all three are read. One row per key,
-- record_path /PublicKeyList/<i-1>. Never out of window.
-- Dispositions: an element that is not an object -> reject.invalid_envelope; no Value or
-- Fingerprint -> reject.unknown_shape; no region in the file name -> reject.unknown_shape.

with

docs as (
    select _efid, _ordinal, _line, coalesce(_doc -> 'PublicKeyList', _doc -> 'publicKeyList') as list
    from src
),

elements as (
    select
        _efid,
        _ordinal,
        _line,
        unnest(range(1, json_array_length(list)::BIGINT + 1)) as idx,
        unnest(json_extract(list, '$[*]')) as k
    from docs
    where json_type(list) = 'ARRAY'
),

times as (
    select
        *,
        k ->> 'ValidityStartTime' as start_text,
        k ->> 'ValidityEndTime' as end_text
    from elements
),

final as (
    select
        -- ids
        pt_row_id_el(_efid, _ordinal, idx) as row_id,
        _efid as evidence_file_id,
        _line as line,
        '/PublicKeyList/' || (idx - 1) as record_path,
        $origin_region::VARCHAR as region,
        lower(k ->> 'Fingerprint') as fingerprint,
        k ->> 'Value' as value,
        coalesce(pt_ts(start_text), to_timestamp(try_cast(start_text as DOUBLE))::TIMESTAMP) as validity_start,
        coalesce(pt_ts(end_text), to_timestamp(try_cast(end_text as DOUBLE))::TIMESTAMP) as validity_end,
        case
            when json_type(k) is distinct from 'OBJECT' then 'reject.invalid_envelope'
            when (k ->> 'Value') is null or (k ->> 'Fingerprint') is null or $origin_region is null then 'reject.unknown_shape'
            else 'landed'
        end as _disposition
    from times
)

select * from final
