import { loadPublicKey, verifySha256WithRsa, type TrailPublicKey } from './public-key.js';
import { stringToSign } from './string-to-sign.js';
import { awsLogsPart, isBackfillKey, parseDigestKey, parseLogKey } from './trail-keys.js';
import type { AcquiredTrailFile, DigestFile, DigestSignature, ObjectLocation, TrailInput, TrailStatus, TrailVerdict } from './trail-input.js';

/** The keys awscli requires in a digest (present; the value may be null). */
export const REQUIRED_DIGEST_KEYS = ['digestPublicKeyFingerprint', 'digestS3Bucket', 'digestS3Object', 'previousDigestSignature', 'digestEndTime', 'digestStartTime'] as const;

/** A key is accepted this long before its ValidityStartTime and after its ValidityEndTime (awscli loads keys for end + 2 h). */
const KEY_VALIDITY_TOLERANCE_MS = 2 * 3600_000;

const SIGNATURE_ALGORITHM = 'SHA256withRSA';

/** Does the acquired object at `loc` stand for s3://bucket/key? */
export function sameObject(loc: ObjectLocation, bucket: string | null, key: string): boolean {
  const keyMatches = loc.exact ? loc.key === key : loc.key === key || loc.key.endsWith(`/${key}`);
  return keyMatches && (loc.bucket === null || bucket === null || loc.bucket === bucket);
}

function framingReason(f: AcquiredTrailFile['framing']): string | null {
  if (!f) return null;
  if (f.code === 'gzip_trailing_data') return `unexpected data after end of compressed stream (${f.message})`;
  return `invalid format (${f.message})`;
}

interface DigestState {
  d: DigestFile;
  chain: string;
  region: string | null;
  account: string | null;
  backfill: boolean;
  /** The S3 key reported: the exact recorded key, else the digest's own when the origin ends with it. */
  key: string;
  bucket: string | null;
  endTime: string;
  verdict: TrailVerdict;
}

function line(kind: 'Digest' | 'Log', bucket: string | null, key: string | null, status: TrailStatus, reason: string | null, backfill = false): string {
  return `${backfill ? '(backfill) ' : ''}${kind} file\ts3://${bucket ?? '(bucket not recorded)'}/${key ?? '(unknown key)'}\t${status}${reason ? `: ${reason}` : ''}`;
}

/** The digest's report location: what was recorded, completed by the digest's own fields when they agree. */
function reportLocation(d: DigestFile): { bucket: string | null; key: string; atOwnKey: boolean } {
  const f = d.fields;
  const own = f?.digestS3Object ?? null;
  const atOwnKey = own !== null && sameObject(d.location, f?.digestS3Bucket ?? null, own);
  if (d.location.exact) return { bucket: d.location.bucket, key: d.location.key, atOwnKey };
  if (atOwnKey) return { bucket: d.location.bucket ?? f?.digestS3Bucket ?? null, key: own!, atOwnKey };
  return { bucket: d.location.bucket, key: awsLogsPart(d.location.key) ?? d.location.key, atOwnKey };
}

class Index<T extends { location: ObjectLocation }> {
  private byPart = new Map<string, T[]>();
  constructor(items: readonly T[]) {
    for (const it of items) {
      const part = awsLogsPart(it.location.key) ?? it.location.key;
      this.byPart.set(part, [...(this.byPart.get(part) ?? []), it]);
    }
  }
  find(bucket: string | null, key: string): T[] {
    return (this.byPart.get(awsLogsPart(key) ?? key) ?? []).filter((x) => sameObject(x.location, bucket, key));
  }
}

function findSignature(sigs: readonly DigestSignature[], loc: ObjectLocation): DigestSignature | null {
  return (
    sigs.find((s) => (loc.exact ? s.key === loc.key : loc.key === s.key || loc.key.endsWith(`/${s.key}`)) && (s.bucket === null || loc.bucket === null || s.bucket === loc.bucket)) ??
    null
  );
}

/**
 * Validates every digest and log file of the input (AWS's digest validation procedure, extending awscli's
 * validate-logs): each digest's signature (S3 metadata, else the next digest's
 * previousDigestSignature; both present and different is INVALID) with the public key of its
 * fingerprint from the saved keys of its region, its location, its link to the previous digest
 * (present, and its inflated SHA-256 equal to previousDigestHashValue), each listed log file's
 * presence, gzip framing and inflated SHA-256; starting digests as GAPs; logs no digest lists as
 * UNREFERENCED (or UNVERIFIABLE when no digest could have listed them). Standard and backfill
 * digests form separate chains. The verdicts come in one total order.
 */
export function validateTrail(input: TrailInput): TrailVerdict[] {
  const keysByRegion = new Map<string, TrailPublicKey[]>();
  for (const k of input.keys) keysByRegion.set(k.region, [...(keysByRegion.get(k.region) ?? []), k]);
  const digestIndex = new Index(input.digests);
  const logIndex = new Index(input.logs);
  const verdicts: TrailVerdict[] = [];

  // 1. each digest on its own: format, location, signature, key
  const states: DigestState[] = input.digests.map((d) => {
    const f = d.fields;
    const loc = reportLocation(d);
    const parsed = parseDigestKey(f?.digestS3Object ?? loc.key) ?? parseDigestKey(loc.key);
    const backfill = isBackfillKey(f?.digestS3Object ?? loc.key);
    const account = parsed?.account ?? f?.awsAccountId ?? null;
    const region = parsed?.region ?? null;
    const chain = `${account ?? '?'}/${region ?? '?'}/${parsed?.trail ?? '?'}/${parsed?.homeRegion ?? '?'}${backfill ? ':backfill' : ''}`;
    const verdict: TrailVerdict = {
      verdict_id: '',
      object_kind: 'digest',
      evidence_file_id: d.evidenceFileId,
      chain,
      account_id: account,
      region,
      s3_bucket: loc.bucket,
      s3_key: loc.key,
      status: 'valid',
      reason: null,
      interval_from: f?.digestStartTime ?? null,
      interval_to: f?.digestEndTime ?? null,
      delivered_at: f?.digestEndTime ?? parsed?.deliveredAt ?? null,
      digest_key: null,
      signature_source: null,
      key_fingerprint: f?.digestPublicKeyFingerprint ?? null,
      message: '',
    };
    return { d, chain, region, account, backfill, key: loc.key, bucket: loc.bucket, endTime: f?.digestEndTime ?? parsed?.deliveredAt ?? '', verdict };
  });
  const chains = new Map<string, DigestState[]>();
  for (const s of states) chains.set(s.chain, [...(chains.get(s.chain) ?? []), s]);
  for (const list of chains.values()) list.sort((a, b) => (a.endTime < b.endTime ? 1 : a.endTime > b.endTime ? -1 : a.key < b.key ? -1 : a.key > b.key ? 1 : 0));

  for (const s of states) {
    const [status, reason, source] = judgeDigest(s, states, input.signatures, keysByRegion);
    s.verdict.status = status;
    s.verdict.reason = reason;
    s.verdict.signature_source = source;
  }

  // 2. links between digests: the previous digest present and unaltered, or a GAP where a chain starts
  const extra: TrailVerdict[] = [];
  for (const list of chains.values()) {
    list.forEach((s, i) => {
      const f = s.d.fields;
      if (!f || s.d.missingKeys.length > 0) return;
      const older = list.slice(i + 1).find((o) => o.d.fields !== null);
      if (f.previousDigestS3Object === null) {
        const from = older?.d.fields?.digestEndTime ?? null;
        const to = f.digestStartTime;
        extra.push({
          ...s.verdict,
          object_kind: 'gap',
          evidence_file_id: null,
          status: 'GAP',
          reason: from ? `the chain starts again at ${s.key}` : `the chain starts at ${s.key}: no digest before it covers deliveries`,
          interval_from: from,
          interval_to: to,
          delivered_at: null,
          digest_key: s.key,
          signature_source: null,
          message: `${s.backfill ? '(backfill) ' : ''}No log files were delivered by CloudTrail between ${from ?? '(the start of the input)'} and ${to ?? '?'}`,
        });
        return;
      }
      const targets = digestIndex.find(f.previousDigestS3Bucket, f.previousDigestS3Object);
      if (targets.length === 0) {
        if (older === undefined) return; // the oldest digest of the input: its previous one lies outside it
        const pk = parseDigestKey(f.previousDigestS3Object);
        extra.push({
          ...s.verdict,
          evidence_file_id: null,
          s3_bucket: f.previousDigestS3Bucket,
          s3_key: f.previousDigestS3Object,
          status: 'INVALID',
          reason: 'not found',
          interval_from: null,
          interval_to: null,
          delivered_at: pk?.deliveredAt ?? null,
          digest_key: s.key,
          signature_source: null,
          key_fingerprint: null,
          message: line('Digest', f.previousDigestS3Bucket, f.previousDigestS3Object, 'INVALID', 'not found', s.backfill),
        });
        return;
      }
      for (const t of targets) {
        const ts = states.find((x) => x.d === t)!;
        const want = (f.previousDigestHashValue ?? '').toLowerCase();
        if (t.inflatedSha256 !== want && ts.verdict.status !== 'INVALID') {
          ts.verdict.status = 'INVALID';
          ts.verdict.reason = `CHAIN_HASH_MISMATCH: its SHA-256 ${t.inflatedSha256} is not the previousDigestHashValue ${want || '(none)'} recorded by ${s.key}`;
          ts.verdict.digest_key = s.key;
        }
      }
    });
  }
  for (const s of states) {
    s.verdict.message = line('Digest', s.verdict.s3_bucket, s.verdict.s3_key, s.verdict.status, s.verdict.reason, s.backfill);
    verdicts.push(s.verdict);
  }
  verdicts.push(...extra);

  // 3. log files listed by the digests
  const logVerdicts = new Map<string, TrailVerdict[]>();
  for (const s of states) {
    for (const entry of s.d.fields ? s.d.logFiles : []) {
      if (!entry.s3Object) continue;
      const found = logIndex.find(entry.s3Bucket, entry.s3Object);
      const pk = parseLogKey(entry.s3Object);
      const base = {
        object_kind: 'log' as const,
        chain: s.chain,
        account_id: pk?.account ?? s.account,
        region: pk?.region ?? s.region,
        interval_from: entry.oldestEventTime,
        interval_to: entry.newestEventTime,
        delivered_at: pk?.deliveredAt ?? null,
        digest_key: s.key,
        signature_source: null,
        key_fingerprint: null,
      };
      if (found.length === 0) {
        verdicts.push({ ...base, verdict_id: '', evidence_file_id: null, s3_bucket: entry.s3Bucket, s3_key: entry.s3Object, status: 'INVALID', reason: 'not found', message: line('Log', entry.s3Bucket, entry.s3Object, 'INVALID', 'not found') });
        continue;
      }
      for (const file of found) {
        const framing = framingReason(file.framing);
        const [status, reason]: [TrailStatus, string | null] = framing
          ? ['INVALID', framing]
          : file.inflatedSha256 !== (entry.hashValue ?? '').toLowerCase()
            ? ['INVALID', "hash value doesn't match"]
            : s.verdict.status === 'valid'
              ? ['valid', null]
              : ['UNVERIFIABLE', `listed in digest ${s.key}, which is ${s.verdict.status}${s.verdict.reason ? ` (${s.verdict.reason})` : ''}`];
        const v: TrailVerdict = { ...base, verdict_id: '', evidence_file_id: file.evidenceFileId, s3_bucket: file.location.bucket ?? entry.s3Bucket, s3_key: entry.s3Object, status, reason, message: '' };
        logVerdicts.set(file.evidenceFileId, [...(logVerdicts.get(file.evidenceFileId) ?? []), v]);
      }
    }
  }
  for (const list of logVerdicts.values()) {
    const v = list.find((x) => x.status === 'INVALID') ?? list.find((x) => x.status === 'valid') ?? list[0]!;
    v.message = line('Log', v.s3_bucket, v.s3_key, v.status, v.reason);
    verdicts.push(v);
  }

  // 4. log files no digest lists
  const gaps = extra.filter((g) => g.object_kind === 'gap');
  for (const file of input.logs) {
    if (logVerdicts.has(file.evidenceFileId)) continue;
    const key = file.location.exact ? file.location.key : (awsLogsPart(file.location.key) ?? file.location.key);
    const pk = parseLogKey(key);
    const same = states.filter((s) => !s.backfill && s.d.fields && s.account === pk?.account && s.region === pk?.region);
    const starts = same.map((s) => s.d.fields!.digestStartTime).filter((x): x is string => x !== null).sort();
    const ends = same.map((s) => s.d.fields!.digestEndTime).filter((x): x is string => x !== null).sort();
    const at = pk?.deliveredAt ?? null;
    const inGap = at !== null && gaps.find((g) => g.account_id === pk?.account && g.region === pk?.region && (g.interval_from === null || g.interval_from <= at) && g.interval_to !== null && at <= g.interval_to);
    let status: TrailStatus = 'UNVERIFIABLE';
    let reason: string;
    const framing = framingReason(file.framing);
    if (!pk) reason = 'not a CloudTrail log file key (AWSLogs/<account>/CloudTrail/<region>/...): no digest can list it';
    else if (same.length === 0) reason = `no digest file for ${pk.account}/${pk.region} in the input`;
    else if (at !== null && ends.length > 0 && at > ends[ends.length - 1]!) reason = `delivered at ${at}, after the newest digest in the input (${ends[ends.length - 1]}): not digested yet, or its digest was not collected`;
    else if (at !== null && starts.length > 0 && at < starts[0]!) reason = `delivered at ${at}, before the oldest digest in the input (${starts[0]})`;
    else if (inGap) reason = `delivered at ${at}, while no digest chain ran (${inGap.interval_from ?? '?'} to ${inGap.interval_to})`;
    else {
      status = 'UNREFERENCED';
      reason = `listed in no digest file, although digests cover its delivery at ${at}`;
    }
    if (framing) reason = `${reason}; ${framing}`;
    verdicts.push({
      verdict_id: '',
      object_kind: 'log',
      evidence_file_id: file.evidenceFileId,
      chain: null,
      account_id: pk?.account ?? null,
      region: pk?.region ?? null,
      s3_bucket: file.location.bucket,
      s3_key: key,
      status,
      reason,
      interval_from: null,
      interval_to: null,
      delivered_at: at,
      digest_key: null,
      signature_source: null,
      key_fingerprint: null,
      message: line('Log', file.location.bucket, key, status, reason),
    });
  }

  const kindOrder = { digest: 0, gap: 1, log: 2 };
  const str = (x: string | null): string => x ?? '';
  // one verdict per id: a missing file listed by two digests is reported once (by the first)
  const seen = new Set<string>();
  const unique = verdicts.filter((v) => {
    v.verdict_id = [v.object_kind, v.chain ?? '', v.s3_key ?? '', v.evidence_file_id ?? 'missing', v.object_kind === 'gap' ? (v.interval_to ?? '') : ''].join('|');
    if (seen.has(v.verdict_id)) return false;
    seen.add(v.verdict_id);
    return true;
  });
  return unique.sort(
    (a, b) =>
      cmp(str(a.account_id), str(b.account_id)) ||
      cmp(str(a.region), str(b.region)) ||
      kindOrder[a.object_kind] - kindOrder[b.object_kind] ||
      cmp(str(a.s3_key), str(b.s3_key)) ||
      cmp(str(a.interval_to), str(b.interval_to)) ||
      cmp(str(a.evidence_file_id), str(b.evidence_file_id)) ||
      cmp(a.verdict_id, b.verdict_id),
  );
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** One digest on its own: [status, reason, signature source]. */
function judgeDigest(s: DigestState, all: readonly DigestState[], sigs: readonly DigestSignature[], keysByRegion: Map<string, TrailPublicKey[]>): [TrailStatus, string | null, string | null] {
  const { d } = s;
  const f = d.fields;
  const framing = framingReason(d.framing);
  if (framing) return ['INVALID', framing, null];
  if (!f || d.missingKeys.length > 0) return ['INVALID', `invalid format${f ? ` (missing ${d.missingKeys.join(', ')})` : ''}`, null];
  if (!reportLocation(d).atOwnKey) return ['INVALID', `has been moved from its original location (s3://${f.digestS3Bucket}/${f.digestS3Object})`, null];

  const meta = findSignature(sigs, d.location);
  if (s.backfill && meta && !meta.backfillGenerationTimestamp) return ['INVALID', 'invalid format (a backfill digest without backfill-generation-timestamp metadata)', null];
  const next = all.find((o) => o !== s && o.d.fields?.previousDigestS3Object === f.digestS3Object && (o.d.fields.previousDigestS3Bucket === null || f.digestS3Bucket === null || o.d.fields.previousDigestS3Bucket === f.digestS3Bucket));
  const fromMeta = meta?.signature ?? null;
  const fromNext = next?.d.fields?.previousDigestSignature ?? null;
  if (fromMeta && fromNext && fromMeta.toLowerCase() !== fromNext.toLowerCase()) {
    return ['INVALID', `the signature in its S3 metadata differs from previousDigestSignature of ${next!.key}`, 'metadata'];
  }
  const signature = fromMeta ?? fromNext;
  const source = fromMeta ? 'metadata' : fromNext ? 'next-digest' : null;
  if (!signature) return ['UNVERIFIABLE', 'no signature available (its S3 metadata was not captured and no newer digest names it)', null];
  const algorithm = (fromMeta ? meta?.algorithm : null) ?? f.digestSignatureAlgorithm;
  if (algorithm !== SIGNATURE_ALGORITHM) return ['INVALID', `unsupported signature algorithm ${algorithm ?? '(none)'}`, source];

  const region = s.region;
  const keys = region ? keysByRegion.get(region) : undefined;
  if (!keys || keys.length === 0) return ['UNVERIFIABLE', `public key not supplied for region ${region ?? '(unknown)'}`, source];
  const fingerprint = (f.digestPublicKeyFingerprint ?? '').toLowerCase();
  const key = keys.find((k) => k.fingerprint.toLowerCase() === fingerprint);
  if (!key) return ['UNVERIFIABLE', `public key not found in region ${region} for fingerprint ${f.digestPublicKeyFingerprint}`, source];
  const loaded = loadPublicKey(key);
  if (!loaded.ok) return ['UNVERIFIABLE', loaded.reason, source];
  const at = s.backfill && meta?.backfillGenerationTimestamp ? meta.backfillGenerationTimestamp : f.digestEndTime;
  const atMs = at ? Date.parse(at) : NaN;
  const lo = key.validityStart ? Date.parse(key.validityStart) - KEY_VALIDITY_TOLERANCE_MS : -Infinity;
  const hi = key.validityEnd ? Date.parse(key.validityEnd) + KEY_VALIDITY_TOLERANCE_MS : Infinity;
  if (!Number.isNaN(atMs) && (atMs < lo || atMs > hi)) {
    return ['INVALID', `signed at ${at} with public key ${key.fingerprint}, valid only from ${key.validityStart} to ${key.validityEnd}`, source];
  }
  const message = stringToSign({ digestEndTime: f.digestEndTime!, digestS3Bucket: f.digestS3Bucket!, digestS3Object: f.digestS3Object!, previousDigestSignature: f.previousDigestSignature }, d.inflatedSha256);
  if (!verifySha256WithRsa(message, signature, loaded.key)) return ['INVALID', 'signature verification failed', source];
  return ['valid', null, source];
}
