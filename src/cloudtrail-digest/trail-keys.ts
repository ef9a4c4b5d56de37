/**
 * CloudTrail's S3 key layouts (CloudTrail user guide, "Finding your CloudTrail log files" and the
 * digest file naming): log files under AWSLogs/[<org-id>/]<account>/CloudTrail/<region>/<yyyy>/<mm>/<dd>/
 * named <account>_CloudTrail_<region>_<YYYYMMDDTHHmmZ>_<unique>.json.gz (the time is the delivery),
 * digests under .../CloudTrail-Digest/<region>/<yyyy>/<mm>/<dd>/ named
 * <account>_CloudTrail-Digest_<region>_<trail>_<home region>_<YYYYMMDDTHHmmssZ>[_backfill].json.gz.
 * An optional trail prefix stands before AWSLogs/.
 */

const REGION = '[a-z]{2}(?:-[a-z]+)+-\\d+';

const LOG_KEY = new RegExp(`^(?:(.*)/)?AWSLogs/(?:(o-[a-z0-9]+)/)?(\\d{12})/CloudTrail/(${REGION})/(\\d{4})/(\\d{2})/(\\d{2})/\\d{12}_CloudTrail_${REGION}_(\\d{8}T\\d{4}Z)_[^/]+\\.json(?:\\.gz)?$`);
const DIGEST_KEY = new RegExp(
  `^(?:(.*)/)?AWSLogs/(?:(o-[a-z0-9]+)/)?(\\d{12})/CloudTrail-Digest/(${REGION})/(\\d{4})/(\\d{2})/(\\d{2})/\\d{12}_CloudTrail-Digest_${REGION}_(.+)_(${REGION})_(\\d{8}T\\d{6}Z)(_backfill)?\\.json(?:\\.gz)?$`,
);

export interface LogKey {
  prefix: string | null;
  orgId: string | null;
  account: string;
  region: string;
  /** Delivery time from the file name (minute resolution), ISO UTC. */
  deliveredAt: string;
}

export interface DigestKey {
  prefix: string | null;
  orgId: string | null;
  account: string;
  region: string;
  trail: string;
  homeRegion: string;
  /** Delivery time from the file name (second resolution), ISO UTC. */
  deliveredAt: string;
  backfill: boolean;
}

function iso(stamp: string): string {
  // 20150817T150131Z or 20150817T1445Z
  const s = stamp.replace('Z', '');
  const sec = s.length === 15 ? s.slice(13, 15) : '00';
  return `${s.slice(0, 4)}-${s.slice(4, 6)}-${s.slice(6, 8)}T${s.slice(9, 11)}:${s.slice(11, 13)}:${sec}Z`;
}

/** The parts of a log file key, or null when the key is not in CloudTrail's layout. */
export function parseLogKey(key: string): LogKey | null {
  const m = LOG_KEY.exec(key);
  if (!m) return null;
  return { prefix: m[1] ?? null, orgId: m[2] ?? null, account: m[3]!, region: m[4]!, deliveredAt: iso(m[8]!) };
}

/** The parts of a digest key, or null when the key is not in CloudTrail's layout. */
export function parseDigestKey(key: string): DigestKey | null {
  const m = DIGEST_KEY.exec(key);
  if (!m) return null;
  return {
    prefix: m[1] ?? null,
    orgId: m[2] ?? null,
    account: m[3]!,
    region: m[4]!,
    trail: m[8]!,
    homeRegion: m[9]!,
    deliveredAt: iso(m[10]!),
    backfill: m[11] !== undefined,
  };
}

export function isBackfillKey(key: string): boolean {
  return /_backfill\.json(?:\.gz)?$/.test(key);
}

/** The part of a path from AWSLogs/ on (the S3 key without its trail prefix), or null. */
export function awsLogsPart(p: string): string | null {
  const i = p.lastIndexOf('AWSLogs/');
  return i === -1 ? null : p.slice(i);
}

export const REGION_PATTERN = new RegExp(`^${REGION}$`);
