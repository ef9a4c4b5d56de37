import type { ColumnDoc, TableDoc } from './schema.js';

/**
 * Lake tables of CloudTrail's own integrity evidence (digest files, the S3 metadata of trail
 * objects, public keys) and the correlation table of digest validation. They land from files
 * `podtrail collect aws --trail` writes, or from the same files given to `podtrail ingest`.
 */
const c = (name: string, type: string, doc: string): ColumnDoc => ({ name, type, doc });

export function trailIntegrityTables(provenance: ColumnDoc[]): TableDoc[] {
  return [
    {
      name: 'cloudtrail_digests',
      kind: 'lake table',
      doc: 'CloudTrail digest files (CloudTrail-Digest/...json.gz): one row per digest, with the values CloudTrail signs kept exactly as written. Validated by podtrail correlate (cloudtrail_validation).',
      key: ['row_id'],
      columns: [
        ...provenance,
        c('account_id', 'VARCHAR', 'awsAccountId.'),
        c('digest_start_time', 'TIMESTAMP', 'digestStartTime: log files delivered from here ...'),
        c('digest_end_time', 'TIMESTAMP', 'digestEndTime: ... to here are listed (delivery times, not event times).'),
        c('digest_start_time_raw', 'VARCHAR', 'digestStartTime as written.'),
        c('digest_end_time_raw', 'VARCHAR', 'digestEndTime as written (first line of the string CloudTrail signs).'),
        c('newest_event_time', 'TIMESTAMP', 'newestEventTime over the listed logs (NULL in an empty digest).'),
        c('oldest_event_time', 'TIMESTAMP', 'oldestEventTime (may precede digest_start_time when delivery was late).'),
        c('digest_s3_bucket', 'VARCHAR', 'digestS3Bucket: where CloudTrail delivered this digest.'),
        c('digest_s3_object', 'VARCHAR', 'digestS3Object: its key.'),
        c('public_key_fingerprint', 'VARCHAR', 'digestPublicKeyFingerprint: the key that signed it (cloudtrail_public_keys).'),
        c('signature_algorithm', 'VARCHAR', 'digestSignatureAlgorithm (SHA256withRSA).'),
        c('previous_digest_s3_bucket', 'VARCHAR', 'previousDigestS3Bucket (NULL in a starting digest).'),
        c('previous_digest_s3_object', 'VARCHAR', 'previousDigestS3Object.'),
        c('previous_digest_hash_value', 'VARCHAR', 'previousDigestHashValue: SHA-256 of the previous digest, inflated.'),
        c('previous_digest_hash_algorithm', 'VARCHAR', 'previousDigestHashAlgorithm (SHA-256).'),
        c('previous_digest_signature', 'VARCHAR', 'previousDigestSignature: the previous digest\'s signature (hex).'),
        c('log_files', 'JSON', 'logFiles as written: s3Bucket, s3Object, hashValue (SHA-256 of the inflated log), hashAlgorithm, newestEventTime, oldestEventTime.'),
        c('log_file_count', 'INTEGER', 'Entries of logFiles (0: an hour without delivery).'),
        c('missing_keys', 'VARCHAR[]', 'Keys awscli requires that the document lacks (then it is INVALID: invalid format).'),
      ],
    },
    {
      name: 'cloudtrail_objects',
      kind: 'lake table',
      doc: 'Trail objects as fetched from S3 (podtrail.cloudtrail-objects/v1, the digest-metadata.json of `podtrail collect aws --trail`): the bucket and full key of each file\'s bytes, and a digest\'s signature from its S3 user metadata.',
      key: ['row_id'],
      columns: [
        ...provenance,
        c('collection_id', 'VARCHAR', 'The collection that fetched it.'),
        c('bucket', 'VARCHAR', 'S3 bucket.'),
        c('key', 'VARCHAR', 'Full S3 key (trail prefix included).'),
        c('kind', 'VARCHAR', 'digest | log.'),
        c('sha256', 'VARCHAR', 'SHA-256 of the bytes as stored (matches evidence_files.sha256 of the acquired copy).'),
        c('size_bytes', 'BIGINT', 'Object size.'),
        c('etag', 'VARCHAR', 'ETag.'),
        c('version_id', 'VARCHAR', 'x-amz-version-id, when the bucket is versioned.'),
        c('last_modified', 'TIMESTAMP', 'Last-Modified (second resolution).'),
        c('sse', 'VARCHAR', 'x-amz-server-side-encryption (AES256, aws:kms).'),
        c('signature', 'VARCHAR', 'Digests: x-amz-meta-signature (hex).'),
        c('signature_algorithm', 'VARCHAR', 'Digests: x-amz-meta-signature-algorithm.'),
        c('backfill_generation_timestamp', 'VARCHAR', 'Backfill digests: x-amz-meta-backfill-generation-timestamp.'),
        c('request_id', 'VARCHAR', 'x-amz-request-id of the GetObject that fetched it.'),
        c('captured_at', 'TIMESTAMP', 'Local clock when the response ended (UTC).'),
      ],
    },
    {
      name: 'cloudtrail_public_keys',
      kind: 'lake table',
      doc: 'CloudTrail public keys (ListPublicKeys) per region: digest validation looks a digest\'s key up by fingerprint in its own region.',
      key: ['row_id'],
      columns: [
        ...provenance,
        c('region', 'VARCHAR', 'Region the keys were listed in (from the file name public-keys/<region>.json).'),
        c('fingerprint', 'VARCHAR', 'Fingerprint (lowercase hex MD5 of the DER bytes).'),
        c('value', 'VARCHAR', 'Value: the DER public key, base64 (PKCS #1; SubjectPublicKeyInfo is accepted too).'),
        c('validity_start', 'TIMESTAMP', 'ValidityStartTime.'),
        c('validity_end', 'TIMESTAMP', 'ValidityEndTime.'),
      ],
    },
  ];
}

/** The correlation table of digest validation (materialized by podtrail correlate). */
export const TRAIL_VALIDATION_TABLE: TableDoc = {
  name: 'cloudtrail_validation',
  kind: 'correlation table',
  doc: 'CloudTrail digest validation: one verdict per digest file, per log file and per gap in a digest chain (valid, UNVERIFIABLE, INVALID with the reason, GAP, UNREFERENCED), from the acquired digests, logs, S3 metadata and public keys. Materialized by podtrail correlate. Key: verdict_id.',
  key: ['verdict_id'],
  columns: [
    c('verdict_id', 'VARCHAR', 'Unique id of the verdict: kind|chain|S3 key|evidence_file_id (missing when the file is not there)|end of a gap.'),
    c('object_kind', 'VARCHAR', 'digest | log | gap.'),
    c('evidence_file_id', 'VARCHAR', 'The acquired file (NULL for a file that is missing, and for gaps).'),
    c('chain', 'VARCHAR', 'account/region/trail/home-region of the digest chain (":backfill" for backfill digests).'),
    c('account_id', 'VARCHAR', 'Account.'),
    c('region', 'VARCHAR', 'Region the files were delivered for.'),
    c('s3_bucket', 'VARCHAR', 'Bucket (NULL when not recorded: files given to ingest without digest-metadata.json).'),
    c('s3_key', 'VARCHAR', 'S3 key.'),
    c('status', 'VARCHAR', 'valid | UNVERIFIABLE | INVALID | GAP | UNREFERENCED.'),
    c('reason', 'VARCHAR', 'Why it is not valid, in awscli\'s words where it has them (not found, hash value doesn\'t match, signature verification failed, has been moved from its original location, invalid format, public key not found ...).'),
    c('interval_from', 'TIMESTAMP', 'Digest: digestStartTime; log: its oldest event; gap: start of the span no digest covers (NULL: before the input).'),
    c('interval_to', 'TIMESTAMP', 'Digest: digestEndTime; log: its newest event; gap: end of that span.'),
    c('delivered_at', 'TIMESTAMP', 'Log: delivery time from its name; digest: digestEndTime.'),
    c('digest_key', 'VARCHAR', 'Log: the digest that lists it; missing digest: the digest pointing at it; gap: the digest that starts the chain again.'),
    c('signature_source', 'VARCHAR', 'Digest: metadata (S3 user metadata) | next-digest (previousDigestSignature of the next digest).'),
    c('key_fingerprint', 'VARCHAR', 'Digest: the public key fingerprint it names.'),
    c('message', 'VARCHAR', 'The verdict as one line in awscli validate-logs\' format.'),
  ],
};
