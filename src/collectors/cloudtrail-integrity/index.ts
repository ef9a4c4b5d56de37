import path from 'node:path';
import type { Collector } from '../types.js';

/**
 * CloudTrail's integrity evidence: digest files, the trail objects' S3 metadata captured by
 * `podtrail collect aws` (digest-metadata.json), and the public keys of ListPublicKeys. Landed as
 * evidence; digest validation (src/cloudtrail-digest) reads them with the acquired log files.
 */

/** A CloudTrail digest file (CloudTrail-Digest/...json.gz). */
export const cloudtrailDigest: Collector = {
  source: 'cloudtrail-digest',
  describe: 'CloudTrail digest files (digestStartTime, digestS3Object, logFiles[] ...)',
  detect: (s) => 'digestStartTime' in s && 'digestS3Object' in s,
  input: { mode: 'doc' },
  targets: [{ table: 'cloudtrail_digests', sqlFile: 'cloudtrail_digests.sql' }],
  manySmallFiles: true,
};

export const CLOUDTRAIL_OBJECTS_FORMAT = 'podtrail.cloudtrail-objects/v1';

/** The S3 metadata of trail objects fetched by `podtrail collect aws` (digest-metadata.json). */
export const cloudtrailObjects: Collector = {
  source: 'cloudtrail-objects',
  describe: `trail object records of podtrail collect aws (${CLOUDTRAIL_OBJECTS_FORMAT}: bucket, key, sha256, digest signature metadata)`,
  detect: (s) => s['format'] === CLOUDTRAIL_OBJECTS_FORMAT,
  input: { mode: 'doc' },
  targets: [{ table: 'cloudtrail_objects', sqlFile: 'cloudtrail_objects.sql' }],
};

/** ListPublicKeys output: the API's body or `aws cloudtrail list-public-keys`, one region per file. */
export const cloudtrailPublicKeys: Collector = {
  source: 'cloudtrail-public-keys',
  describe: 'CloudTrail public keys (ListPublicKeys: {"PublicKeyList":[{Value, Fingerprint, ValidityStartTime, ValidityEndTime}]}, one region per file, named <region>.json)',
  detect: (s) => Array.isArray(s['PublicKeyList']) || Array.isArray(s['publicKeyList']),
  input: { mode: 'doc' },
  targets: [{ table: 'cloudtrail_public_keys', sqlFile: 'cloudtrail_public_keys.sql' }],
  qualifierFromName: (origin) => regionFromFileName(origin),
};

const REGION_IN_NAME = /(?:^|[^a-z])((?:[a-z]{2})(?:-gov|-iso[a-z]*)?-(?:north|south|east|west|central|northeast|northwest|southeast|southwest)-\d+)(?![0-9])/;

/**
 * The AWS region a file's name carries (public-keys/us-east-1.json, list-public-keys-eu-west-1.json),
 * or null: ListPublicKeys answers per region without naming it, so the file name must.
 */
export function regionFromFileName(origin: string): string | null {
  const m = REGION_IN_NAME.exec(path.basename(origin));
  return m ? m[1]! : null;
}
