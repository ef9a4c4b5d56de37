import type { TrailPublicKey } from './public-key.js';

/**
 * What digest validation works from: every digest and log file of the case as acquired (its
 * original S3 location, the SHA-256 of its inflated bytes, its gzip framing), the digests' parsed
 * fields, the S3 metadata captured with them, and the saved public keys. Nothing here is read from
 * a local path: the location is the one recorded at acquisition.
 */

/** Where an acquired file came from: the collector's record of the object, else its recorded origin. */
export interface ObjectLocation {
  /** The bucket, when recorded (a collected object); null for files given to ingest. */
  bucket: string | null;
  /** The full S3 key when recorded; else the recorded origin path (which ends with the key). */
  key: string;
  /** True when `key` is the exact S3 key (recorded by the collector), false for an origin path. */
  exact: boolean;
}

export interface AcquiredTrailFile {
  evidenceFileId: string;
  location: ObjectLocation;
  /** SHA-256 (hex) of the inflated content: what CloudTrail hashes and signs. */
  inflatedSha256: string;
  /** A gzip framing problem (truncated, corrupt, CRC, data after the stream), or null when clean. */
  framing: { code: string; message: string } | null;
}

export interface DigestFields {
  awsAccountId: string | null;
  digestStartTime: string | null;
  digestEndTime: string | null;
  digestS3Bucket: string | null;
  digestS3Object: string | null;
  digestPublicKeyFingerprint: string | null;
  digestSignatureAlgorithm: string | null;
  newestEventTime: string | null;
  oldestEventTime: string | null;
  previousDigestS3Bucket: string | null;
  previousDigestS3Object: string | null;
  previousDigestHashValue: string | null;
  previousDigestHashAlgorithm: string | null;
  previousDigestSignature: string | null;
}

export interface DigestLogEntry {
  s3Bucket: string | null;
  s3Object: string | null;
  hashValue: string | null;
  hashAlgorithm: string | null;
  newestEventTime: string | null;
  oldestEventTime: string | null;
}

export interface DigestFile extends AcquiredTrailFile {
  /** Null when the content is not a digest document (not JSON, not an object). */
  fields: DigestFields | null;
  /** Required keys absent from the document (a key present with a null value is present). */
  missingKeys: string[];
  logFiles: DigestLogEntry[];
}

/** The S3 user metadata of a digest object, captured with GetObject or HeadObject. */
export interface DigestSignature {
  bucket: string | null;
  key: string;
  signature: string | null;
  algorithm: string | null;
  backfillGenerationTimestamp: string | null;
}

export interface TrailInput {
  digests: DigestFile[];
  logs: AcquiredTrailFile[];
  signatures: DigestSignature[];
  keys: TrailPublicKey[];
}

/** Status vocabulary (docs/collect.md): awscli's messages, plus podtrail's offline states. */
export type TrailStatus = 'valid' | 'UNVERIFIABLE' | 'INVALID' | 'GAP' | 'UNREFERENCED';

/** One verdict: a digest, a log file, or a gap in a digest chain. */
export interface TrailVerdict {
  /** Unique: kind, S3 key, and the acquired file (or "missing"); a gap adds where it ends. */
  verdict_id: string;
  object_kind: 'digest' | 'log' | 'gap';
  evidence_file_id: string | null;
  /** account/region/trail/home-region, with ":backfill" for the backfill chain. */
  chain: string | null;
  account_id: string | null;
  region: string | null;
  s3_bucket: string | null;
  s3_key: string | null;
  status: TrailStatus;
  /** Why it is not valid (awscli's wording where it has one), null when valid. */
  reason: string | null;
  /** Digest: digestStartTime..digestEndTime; log: its oldest..newest event; gap: the uncovered span. */
  interval_from: string | null;
  interval_to: string | null;
  /** Log: delivery time from its name; digest: digestEndTime. */
  delivered_at: string | null;
  /** Log: the digest that lists it. Digest: the digest whose link checked it. */
  digest_key: string | null;
  /** Digest: metadata | next-digest | null. */
  signature_source: string | null;
  key_fingerprint: string | null;
  /** One line in awscli's format, e.g. "Digest file\ts3://b/k\tINVALID: not found". */
  message: string;
}
