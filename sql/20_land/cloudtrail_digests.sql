-- CloudTrail digest files -> cloudtrail_digests.
-- Reads relation `src` (doc mode: _efid, _ordinal, _line, _path, _doc JSON: one value per file).
-- Ends with _disposition: landed | reject.<reason>.
--
-- A digest (CloudTrail user guide, "CloudTrail digest file structure") is one JSON object:
-- awsAccountId, digestStartTime, digestEndTime, digestS3Bucket, digestS3Object,
-- digestPublicKeyFingerprint, digestSignatureAlgorithm, newestEventTime, oldestEventTime, the five
-- previousDigest* fields (all null in a starting digest) and logFiles[] (s3Bucket, s3Object,
-- hashValue, hashAlgorithm, newestEventTime, oldestEventTime). Its signature is not in the file but
-- in the object's S3 metadata (cloudtrail_objects). One row per digest; the values used in the
-- string CloudTrail signs are kept exactly as written (*_raw, digest_s3_bucket, digest_s3_object,
-- previous_digest_signature): the document is never re-serialized.
-- A digest is integrity evidence, not an event: never out of window. missing_keys lists the keys
-- awscli requires that are absent (present with a null value is present): digest validation
-- reports such a digest as INVALID (invalid format), so it still lands.
-- Dispositions: not an object -> reject.not_an_object.

with

docs as (
    select _efid, _ordinal, _line, _doc, json_type(_doc) as doc_type
    from src
),

fields as (
    select
        *,
        _doc ->> 'digestStartTime' as start_raw,
        _doc ->> 'digestEndTime' as end_raw,
        list_filter(
            ['digestPublicKeyFingerprint', 'digestS3Bucket', 'digestS3Object', 'previousDigestSignature', 'digestEndTime', 'digestStartTime'],
            k -> doc_type is distinct from 'OBJECT' or not json_exists(_doc, '$."' || k || '"')
        ) as missing_keys
    from docs
),

final as (
    select
        -- ids
        pt_row_id(_efid, _ordinal) as row_id,
        _efid as evidence_file_id,
        _line as line,
        '' as record_path,
        _doc ->> 'awsAccountId' as account_id,
        -- timestamps (UTC)
        pt_ts(start_raw) as digest_start_time,
        pt_ts(end_raw) as digest_end_time,
        start_raw as digest_start_time_raw,
        end_raw as digest_end_time_raw,
        pt_ts(_doc ->> 'newestEventTime') as newest_event_time,
        pt_ts(_doc ->> 'oldestEventTime') as oldest_event_time,
        -- this digest
        _doc ->> 'digestS3Bucket' as digest_s3_bucket,
        _doc ->> 'digestS3Object' as digest_s3_object,
        _doc ->> 'digestPublicKeyFingerprint' as public_key_fingerprint,
        _doc ->> 'digestSignatureAlgorithm' as signature_algorithm,
        -- the previous digest
        _doc ->> 'previousDigestS3Bucket' as previous_digest_s3_bucket,
        _doc ->> 'previousDigestS3Object' as previous_digest_s3_object,
        _doc ->> 'previousDigestHashValue' as previous_digest_hash_value,
        _doc ->> 'previousDigestHashAlgorithm' as previous_digest_hash_algorithm,
        _doc ->> 'previousDigestSignature' as previous_digest_signature,
        -- the log files it vouches for
        case when json_type(_doc -> 'logFiles') = 'ARRAY' then _doc -> 'logFiles' end as log_files,
        coalesce(json_array_length(case when json_type(_doc -> 'logFiles') = 'ARRAY' then _doc -> 'logFiles' end), 0)::INTEGER as log_file_count,
        missing_keys,
        case when doc_type is distinct from 'OBJECT' then 'reject.not_an_object' else 'landed' end as _disposition
    from fields
)

select * from final
