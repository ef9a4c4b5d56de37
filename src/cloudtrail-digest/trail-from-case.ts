import type { Store, Row } from '../store/store.js';
import type { TrailPublicKey } from './public-key.js';
import type { AcquiredTrailFile, DigestFile, DigestLogEntry, DigestSignature, ObjectLocation, TrailInput } from './trail-input.js';

const s = (v: unknown): string | null => (v === null || v === undefined ? null : String(v));

/**
 * The trail files of a case, from its catalog and lake: each digest and log file with the SHA-256
 * of its inflated bytes and its gzip framing as acquisition recorded them, its S3 location from the
 * collector's object records (matched by the SHA-256 of the bytes) or else its recorded origin, the
 * digests' fields as landed, the captured signatures and the saved public keys.
 */
export async function trailInputFromCase(store: Store): Promise<TrailInput> {
  const files = await store.rows(`
    with
    framing as (
        select evidence_file_id, min(reason) as code, arg_min(message, reason) as message
        from ingest_rejects where reason like 'gzip_%' group by evidence_file_id
    ),
    located as (
        select sha256, min(bucket) as bucket, min(key) as key, count(distinct bucket || '/' || key) as places
        from cloudtrail_objects group by sha256
    )
    select
        e.evidence_file_id,
        e.origin,
        coalesce(e.inflated_sha256, e.sha256) as inflated_sha256,
        e.gzip_members,
        f.code as framing_code,
        f.message as framing_message,
        l.bucket,
        case when l.places = 1 then l.key end as exact_key,
        case
            when e.source_type = 'cloudtrail-digest' or regexp_matches(e.origin, '(^|/)AWSLogs/.*/CloudTrail-Digest/') then 'digest'
            else 'log'
        end as kind
    from evidence_files as e
    left join framing as f on f.evidence_file_id = e.evidence_file_id
    left join located as l on l.sha256 = e.sha256
    where (e.source_type in ('cloudtrail', 'cloudtrail-digest') or e.source_type is null)
        and (regexp_matches(e.origin, '(^|/)AWSLogs/.*/CloudTrail(-Digest)?/') or e.source_type = 'cloudtrail-digest')
    order by e.evidence_file_id`);
  const digestRows = new Map<string, Row>();
  for (const r of await store.rows(`
    select
        evidence_file_id, account_id, digest_start_time_raw, digest_end_time_raw,
        digest_s3_bucket, digest_s3_object, public_key_fingerprint, signature_algorithm,
        newest_event_time::VARCHAR as newest_event_time, oldest_event_time::VARCHAR as oldest_event_time,
        previous_digest_s3_bucket, previous_digest_s3_object, previous_digest_hash_value,
        previous_digest_hash_algorithm, previous_digest_signature, missing_keys
    from cloudtrail_digests order by evidence_file_id, row_id`)) {
    if (!digestRows.has(String(r['evidence_file_id']))) digestRows.set(String(r['evidence_file_id']), r);
  }
  const entries = new Map<string, DigestLogEntry[]>();
  for (const r of await store.rows(`
    with e as (
        select evidence_file_id, row_id, unnest(range(json_array_length(log_files)::BIGINT)) as i, log_files
        from cloudtrail_digests where log_files is not null
    )
    select
        evidence_file_id,
        log_files -> i ->> 's3Bucket' as s3_bucket,
        log_files -> i ->> 's3Object' as s3_object,
        log_files -> i ->> 'hashValue' as hash_value,
        log_files -> i ->> 'hashAlgorithm' as hash_algorithm,
        log_files -> i ->> 'newestEventTime' as newest,
        log_files -> i ->> 'oldestEventTime' as oldest
    from e order by evidence_file_id, row_id, i`)) {
    const id = String(r['evidence_file_id']);
    entries.set(id, [
      ...(entries.get(id) ?? []),
      { s3Bucket: s(r['s3_bucket']), s3Object: s(r['s3_object']), hashValue: s(r['hash_value']), hashAlgorithm: s(r['hash_algorithm']), newestEventTime: s(r['newest']), oldestEventTime: s(r['oldest']) },
    ]);
  }

  const digests: DigestFile[] = [];
  const logs: AcquiredTrailFile[] = [];
  for (const r of files) {
    const id = String(r['evidence_file_id']);
    const location: ObjectLocation = r['exact_key'] ? { bucket: s(r['bucket']), key: String(r['exact_key']), exact: true } : { bucket: null, key: String(r['origin']), exact: false };
    const members = r['gzip_members'] === null ? 1 : Number(r['gzip_members']);
    const framing = r['framing_code']
      ? { code: String(r['framing_code']), message: String(r['framing_message']) }
      : members > 1
        ? { code: 'gzip_trailing_data', message: `${members} gzip members: data after the end of the first` }
        : null;
    const base: AcquiredTrailFile = { evidenceFileId: id, location, inflatedSha256: String(r['inflated_sha256']), framing };
    if (r['kind'] === 'log') {
      logs.push(base);
      continue;
    }
    const d = digestRows.get(id);
    digests.push({
      ...base,
      fields: d
        ? {
            awsAccountId: s(d['account_id']),
            digestStartTime: s(d['digest_start_time_raw']),
            digestEndTime: s(d['digest_end_time_raw']),
            digestS3Bucket: s(d['digest_s3_bucket']),
            digestS3Object: s(d['digest_s3_object']),
            digestPublicKeyFingerprint: s(d['public_key_fingerprint']),
            digestSignatureAlgorithm: s(d['signature_algorithm']),
            newestEventTime: s(d['newest_event_time']),
            oldestEventTime: s(d['oldest_event_time']),
            previousDigestS3Bucket: s(d['previous_digest_s3_bucket']),
            previousDigestS3Object: s(d['previous_digest_s3_object']),
            previousDigestHashValue: s(d['previous_digest_hash_value']),
            previousDigestHashAlgorithm: s(d['previous_digest_hash_algorithm']),
            previousDigestSignature: s(d['previous_digest_signature']),
          }
        : null,
      missingKeys: d ? ((d['missing_keys'] as string[] | null) ?? []) : [],
      logFiles: entries.get(id) ?? [],
    });
  }

  const signatures: DigestSignature[] = (
    await store.rows(`select distinct bucket, key, signature, signature_algorithm, backfill_generation_timestamp from cloudtrail_objects where kind = 'digest' order by key, bucket`)
  ).map((r) => ({ bucket: s(r['bucket']), key: String(r['key']), signature: s(r['signature']), algorithm: s(r['signature_algorithm']), backfillGenerationTimestamp: s(r['backfill_generation_timestamp']) }));
  const keys: TrailPublicKey[] = (
    await store.rows(`
      select distinct region, fingerprint, value,
          strftime(validity_start, '%Y-%m-%dT%H:%M:%SZ') as validity_start,
          strftime(validity_end, '%Y-%m-%dT%H:%M:%SZ') as validity_end
      from cloudtrail_public_keys order by region, fingerprint, value`)
  ).map((r) => ({ region: String(r['region']), fingerprint: String(r['fingerprint']), value: String(r['value']), validityStart: s(r['validity_start']), validityEnd: s(r['validity_end']) }));
  return { digests, logs, signatures, keys };
}
