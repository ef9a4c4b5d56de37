import type { Store } from '../store/store.js';
import type { TrailPublicKey } from './public-key.js';
import type { AcquiredTrailFile, DigestFile, DigestLogEntry, DigestSignature, ObjectLocation, TrailInput } from './trail-input.js';

/** A trail file of the catalog, with its framing reject and its S3 place. */
interface TrailFileRow {
  evidence_file_id: string;
  origin: string;
  inflated_sha256: string;
  gzip_members: number | null;
  framing_code: string | null;
  framing_message: string | null;
  bucket: string | null;
  exact_key: string | null;
  kind: 'digest' | 'log';
}

/** The fields of a landed digest (cloudtrail_digests), instants as text. */
interface DigestRow {
  evidence_file_id: string;
  account_id: string | null;
  digest_start_time_raw: string | null;
  digest_end_time_raw: string | null;
  digest_s3_bucket: string | null;
  digest_s3_object: string | null;
  public_key_fingerprint: string | null;
  signature_algorithm: string | null;
  newest_event_time: string | null;
  oldest_event_time: string | null;
  previous_digest_s3_bucket: string | null;
  previous_digest_s3_object: string | null;
  previous_digest_hash_value: string | null;
  previous_digest_hash_algorithm: string | null;
  previous_digest_signature: string | null;
  missing_keys: string[] | null;
}

/** One element of a digest's logFiles. */
interface LogEntryRow {
  evidence_file_id: string;
  s3_bucket: string | null;
  s3_object: string | null;
  hash_value: string | null;
  hash_algorithm: string | null;
  newest: string | null;
  oldest: string | null;
}

/** The signature a digest object's metadata carried (cloudtrail_objects). */
interface SignatureRow {
  bucket: string | null;
  key: string;
  signature: string | null;
  signature_algorithm: string | null;
  backfill_generation_timestamp: string | null;
}

/** A saved public key (cloudtrail_public_keys), validity as ISO text. */
interface PublicKeyRow {
  region: string;
  fingerprint: string;
  value: string;
  validity_start: string | null;
  validity_end: string | null;
}

/**
 * The trail files of a case, from its catalog and lake: each digest and log file with the SHA-256
 * of its inflated bytes and its gzip framing as acquisition recorded them, its S3 location from the
 * collector's object records (matched by the SHA-256 of the bytes) or else its recorded origin, the
 * digests' fields as landed, the captured signatures and the saved public keys.
 */
export async function trailInputFromCase(store: Store): Promise<TrailInput> {
  const files = await store.rows<TrailFileRow>(`
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
  const digestRows = new Map<string, DigestRow>();
  for (const r of await store.rows<DigestRow>(`
    select
        evidence_file_id, account_id, digest_start_time_raw, digest_end_time_raw,
        digest_s3_bucket, digest_s3_object, public_key_fingerprint, signature_algorithm,
        newest_event_time::VARCHAR as newest_event_time, oldest_event_time::VARCHAR as oldest_event_time,
        previous_digest_s3_bucket, previous_digest_s3_object, previous_digest_hash_value,
        previous_digest_hash_algorithm, previous_digest_signature, missing_keys
    from cloudtrail_digests order by evidence_file_id, row_id`)) {
    if (!digestRows.has(r.evidence_file_id)) digestRows.set(r.evidence_file_id, r);
  }
  const entries = new Map<string, DigestLogEntry[]>();
  for (const r of await store.rows<LogEntryRow>(`
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
    const id = r.evidence_file_id;
    entries.set(id, [
      ...(entries.get(id) ?? []),
      { s3Bucket: r.s3_bucket, s3Object: r.s3_object, hashValue: r.hash_value, hashAlgorithm: r.hash_algorithm, newestEventTime: r.newest, oldestEventTime: r.oldest },
    ]);
  }

  const digests: DigestFile[] = [];
  const logs: AcquiredTrailFile[] = [];
  for (const r of files) {
    const id = r.evidence_file_id;
    const location: ObjectLocation = r.exact_key ? { bucket: r.bucket, key: r.exact_key, exact: true } : { bucket: null, key: r.origin, exact: false };
    const members = r.gzip_members ?? 1;
    const framing = r.framing_code
      ? { code: r.framing_code, message: String(r.framing_message) }
      : members > 1
        ? { code: 'gzip_trailing_data', message: `${members} gzip members: data after the end of the first` }
        : null;
    const base: AcquiredTrailFile = { evidenceFileId: id, location, inflatedSha256: r.inflated_sha256, framing };
    if (r.kind === 'log') {
      logs.push(base);
      continue;
    }
    const d = digestRows.get(id);
    digests.push({
      ...base,
      fields: d
        ? {
            awsAccountId: d.account_id,
            digestStartTime: d.digest_start_time_raw,
            digestEndTime: d.digest_end_time_raw,
            digestS3Bucket: d.digest_s3_bucket,
            digestS3Object: d.digest_s3_object,
            digestPublicKeyFingerprint: d.public_key_fingerprint,
            digestSignatureAlgorithm: d.signature_algorithm,
            newestEventTime: d.newest_event_time,
            oldestEventTime: d.oldest_event_time,
            previousDigestS3Bucket: d.previous_digest_s3_bucket,
            previousDigestS3Object: d.previous_digest_s3_object,
            previousDigestHashValue: d.previous_digest_hash_value,
            previousDigestHashAlgorithm: d.previous_digest_hash_algorithm,
            previousDigestSignature: d.previous_digest_signature,
          }
        : null,
      missingKeys: d?.missing_keys ?? [],
      logFiles: entries.get(id) ?? [],
    });
  }

  const signatures: DigestSignature[] = (
    await store.rows<SignatureRow>(`select distinct bucket, key, signature, signature_algorithm, backfill_generation_timestamp from cloudtrail_objects where kind = 'digest' order by key, bucket`)
  ).map((r) => ({ bucket: r.bucket, key: r.key, signature: r.signature, algorithm: r.signature_algorithm, backfillGenerationTimestamp: r.backfill_generation_timestamp }));
  const keys: TrailPublicKey[] = (
    await store.rows<PublicKeyRow>(`
      select distinct region, fingerprint, value,
          strftime(validity_start, '%Y-%m-%dT%H:%M:%SZ') as validity_start,
          strftime(validity_end, '%Y-%m-%dT%H:%M:%SZ') as validity_end
      from cloudtrail_public_keys order by region, fingerprint, value`)
  ).map((r) => ({ region: r.region, fingerprint: r.fingerprint, value: r.value, validityStart: r.validity_start, validityEnd: r.validity_end }));
  return { digests, logs, signatures, keys };
}
