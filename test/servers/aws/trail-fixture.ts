/**
 * A synthetic CloudTrail trail signed with an RSA key made for the test: log files and hourly digest
 * files per region, laid out as CloudTrail lays them out in S3, each digest signed as CloudTrail
 * signs it (RSA PKCS#1 v1.5, SHA-256 over the string to sign) with the signature in its S3 user
 * metadata, the digests chained by previousDigest*, and the public key as ListPublicKeys returns it.
 * Deterministic for a given seed except the RSA key (made once per process).
 */
import { createHash, generateKeyPairSync, sign, type KeyObject } from 'node:crypto';
import { gzipSync } from 'node:zlib';

export interface TrailObject {
  key: string;
  body: Buffer;
  /** x-amz-meta-* user metadata (without the prefix). */
  metadata: Record<string, string>;
  /** SSE: AES256 or aws:kms. */
  sse?: string;
}

export interface TrailKey {
  fingerprint: string;
  /** base64 of the PKCS#1 DER. */
  value: string;
  validityStart: Date;
  validityEnd: Date;
  privateKey: KeyObject;
}

export interface TrailFixture {
  bucket: string;
  account: string;
  trail: string;
  homeRegion: string;
  regions: string[];
  objects: Map<string, TrailObject>;
  key: TrailKey;
  /** Every event (the CloudTrail record), by region. */
  events: Map<string, Record<string, unknown>[]>;
  prefix: string | null;
}

let cachedKey: TrailKey | null = null;

/** One RSA key per test process (key generation takes a while on a busy machine). */
export function trailKey(): TrailKey {
  if (!cachedKey) {
    const { publicKey, privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const der = publicKey.export({ type: 'pkcs1', format: 'der' });
    cachedKey = {
      fingerprint: createHash('md5').update(der).digest('hex'),
      value: der.toString('base64'),
      validityStart: new Date('2026-01-01T00:00:00Z'),
      validityEnd: new Date('2027-01-01T00:00:00Z'),
      privateKey,
    };
  }
  return cachedKey;
}

const pad = (n: number, w = 2): string => String(n).padStart(w, '0');
const ymd = (d: Date): string => `${d.getUTCFullYear()}/${pad(d.getUTCMonth() + 1)}/${pad(d.getUTCDate())}`;
const stampMin = (d: Date): string => `${d.getUTCFullYear()}${pad(d.getUTCMonth() + 1)}${pad(d.getUTCDate())}T${pad(d.getUTCHours())}${pad(d.getUTCMinutes())}Z`;
const stampSec = (d: Date): string => `${stampMin(d).slice(0, -1)}${pad(d.getUTCSeconds())}Z`;
const isoSec = (d: Date): string => d.toISOString().replace(/\.\d{3}Z$/, 'Z');

/** CloudTrail writes compact JSON with "/" escaped as "\/" (see the public digest samples). */
export function cloudTrailJson(v: unknown): Buffer {
  return Buffer.from(JSON.stringify(v).replaceAll('/', '\\/'), 'utf8');
}

export function gz(b: Buffer): Buffer {
  const out = gzipSync(b);
  out.writeUInt32LE(0, 4); // mtime 0: the same bytes on every run
  return out;
}

export function stringToSignOf(d: Record<string, unknown>, inflated: Buffer): string {
  return `${d['digestEndTime'] as string}\n${d['digestS3Bucket'] as string}/${d['digestS3Object'] as string}\n${createHash('sha256').update(inflated).digest('hex')}\n${(d['previousDigestSignature'] as string | null) ?? 'null'}`;
}

export function signDigest(d: Record<string, unknown>, inflated: Buffer, key: KeyObject): string {
  return sign('sha256', Buffer.from(stringToSignOf(d, inflated), 'utf8'), key).toString('hex');
}

export interface TrailOptions {
  bucket?: string;
  account?: string;
  trail?: string;
  homeRegion?: string;
  regions?: string[];
  /** First digest period start (a digest covers one hour from here). */
  start?: string;
  hours?: number;
  /** Log files per region and hour. */
  logsPerHour?: number;
  eventsPerLog?: number;
  prefix?: string | null;
  orgId?: string | null;
  eventSource?: string;
  /** Hours (0-based) whose digest starts the chain again (previous* null), as after validation was re-enabled. */
  restartAt?: number[];
}

/** Builds the trail: per region, `hours` digests (the first a starting digest) and their log files. */
export function makeTrail(o: TrailOptions = {}): TrailFixture {
  const key = trailKey();
  const bucket = o.bucket ?? 'podtrail-test-trail';
  const account = o.account ?? '111122223333';
  const trail = o.trail ?? 'org-trail';
  const homeRegion = o.homeRegion ?? 'us-east-1';
  const regions = o.regions ?? ['us-east-1', 'us-west-2'];
  const hours = o.hours ?? 3;
  const logsPerHour = o.logsPerHour ?? 2;
  const eventsPerLog = o.eventsPerLog ?? 3;
  const start = new Date(o.start ?? '2026-10-20T07:01:31Z');
  const base = `${o.prefix ? `${o.prefix}/` : ''}AWSLogs/${o.orgId ? `${o.orgId}/` : ''}${account}`;
  const objects = new Map<string, TrailObject>();
  const events = new Map<string, Record<string, unknown>[]>();
  let n = 0;
  for (const region of regions) {
    const regionEvents: Record<string, unknown>[] = [];
    let prev: { key: string; inflated: Buffer; signature: string } | null = null;
    for (let h = 0; h < hours; h++) {
      if (o.restartAt?.includes(h)) prev = null;
      const from = new Date(start.getTime() + h * 3600_000);
      const to = new Date(from.getTime() + 3600_000);
      const logFiles: Record<string, unknown>[] = [];
      for (let l = 0; l < logsPerHour; l++) {
        const delivered = new Date(from.getTime() + ((l + 1) * 3600_000) / (logsPerHour + 1));
        const records: Record<string, unknown>[] = [];
        for (let e = 0; e < eventsPerLog; e++) {
          n++;
          const at = new Date(delivered.getTime() - (eventsPerLog - e) * 60_000);
          records.push({
            eventVersion: '1.09',
            userIdentity: { type: 'AssumedRole', principalId: `AROAEXAMPLE:${n}`, arn: `arn:aws:sts::${account}:assumed-role/app/${n}`, accountId: account, accessKeyId: `ASIAEXAMPLE${pad(n, 8)}` },
            eventTime: isoSec(at),
            eventSource: o.eventSource ?? 's3.amazonaws.com',
            eventName: e % 2 === 0 ? 'ListBuckets' : 'GetCallerIdentity',
            awsRegion: region,
            sourceIPAddress: `10.0.${n % 250}.${(n * 7) % 250}`,
            userAgent: 'aws-cli/2.15.0',
            requestParameters: null,
            responseElements: null,
            requestID: `req-${pad(n, 6)}`,
            eventID: `00000000-0000-4000-8000-${pad(n, 12)}`,
            readOnly: true,
            eventType: 'AwsApiCall',
            managementEvent: true,
            recipientAccountId: account,
            eventCategory: 'Management',
          });
        }
        regionEvents.push(...records);
        const inflated = cloudTrailJson({ Records: records });
        const logKey = `${base}/CloudTrail/${region}/${ymd(delivered)}/${account}_CloudTrail_${region}_${stampMin(delivered)}_${createHash('sha1').update(`${region}${h}${l}`).digest('hex').slice(0, 16)}.json.gz`;
        objects.set(logKey, { key: logKey, body: gz(inflated), metadata: {} });
        logFiles.push({
          s3Bucket: bucket,
          s3Object: logKey,
          hashValue: createHash('sha256').update(inflated).digest('hex'),
          hashAlgorithm: 'SHA-256',
          newestEventTime: records[records.length - 1]!['eventTime'],
          oldestEventTime: records[0]!['eventTime'],
        });
      }
      const digestKey = `${base}/CloudTrail-Digest/${region}/${ymd(to)}/${account}_CloudTrail-Digest_${region}_${trail}_${homeRegion}_${stampSec(to)}.json.gz`;
      const digest: Record<string, unknown> = {
        awsAccountId: account,
        digestStartTime: isoSec(from),
        digestEndTime: isoSec(to),
        digestS3Bucket: bucket,
        digestS3Object: digestKey,
        digestPublicKeyFingerprint: key.fingerprint,
        digestSignatureAlgorithm: 'SHA256withRSA',
        newestEventTime: logFiles.length ? logFiles[logFiles.length - 1]!['newestEventTime'] : null,
        oldestEventTime: logFiles.length ? logFiles[0]!['oldestEventTime'] : null,
        previousDigestS3Bucket: prev ? bucket : null,
        previousDigestS3Object: prev?.key ?? null,
        previousDigestHashValue: prev ? createHash('sha256').update(prev.inflated).digest('hex') : null,
        previousDigestHashAlgorithm: prev ? 'SHA-256' : null,
        previousDigestSignature: prev?.signature ?? null,
        logFiles,
      };
      const inflated = cloudTrailJson(digest);
      const signature = signDigest(digest, inflated, key.privateKey);
      objects.set(digestKey, { key: digestKey, body: gz(inflated), metadata: { signature, 'signature-algorithm': 'SHA256withRSA' } });
      prev = { key: digestKey, inflated, signature };
    }
    events.set(region, regionEvents);
  }
  return { bucket, account, trail, homeRegion, regions, objects, key, events, prefix: o.prefix ?? null };
}

/** ListPublicKeys' response as the AWS JSON 1.1 wire sends it (times as epoch seconds). */
export function listPublicKeysBody(keys: TrailKey[]): Record<string, unknown> {
  return {
    PublicKeyList: keys.map((k) => ({
      Value: k.value,
      ValidityStartTime: k.validityStart.getTime() / 1000,
      ValidityEndTime: k.validityEnd.getTime() / 1000,
      Fingerprint: k.fingerprint,
    })),
  };
}

/** The digest-metadata.json podtrail writes, for the objects given (as the collector captures them). */
export function digestMetadataDoc(bucket: string, objects: TrailObject[]): Record<string, unknown> {
  return {
    format: 'podtrail.cloudtrail-objects/v1',
    objects: objects.map((o) => ({
      bucket,
      key: o.key,
      kind: o.key.includes('/CloudTrail-Digest/') ? 'digest' : 'log',
      sha256: createHash('sha256').update(o.body).digest('hex'),
      size: o.body.length,
      signature: o.metadata['signature'] ?? null,
      signature_algorithm: o.metadata['signature-algorithm'] ?? null,
      backfill_generation_timestamp: o.metadata['backfill-generation-timestamp'] ?? null,
    })),
  };
}
