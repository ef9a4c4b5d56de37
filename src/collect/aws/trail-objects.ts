import path from 'node:path';
import type { Readable } from 'node:stream';
import { finished } from 'node:stream/promises';
import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { GetObjectCommand, HeadObjectCommand } from '@aws-sdk/client-s3';
import { canonicalJson } from '../../core/canonical-json.js';
import { RequestFailure } from '../common/collect-error.js';
import { sha256Hex } from '../common/request-record.js';
import { awsCall } from './aws-call.js';
import { isFatal, type AwsContext } from './aws-context.js';
import type { ObjectTask, TrailState } from './collection-state.js';
import { EvidenceBatch, writeEvidence } from './evidence-file.js';
import { streamBodyInto } from './capture-handler.js';
import { faultPoint } from '../../core/fault-point.js';
import { s3For } from './trail-listing.js';
import { CLOUDTRAIL_OBJECTS_FORMAT } from '../../collectors/cloudtrail-integrity/index.js';
import { parseDigestKey } from '../../cloudtrail-digest/trail-keys.js';

/** Where an object's bytes go: s3/<bucket>/<key>, so the recorded origin ends with its S3 key. */
export function objectFile(o: Pick<ObjectTask, 'bucket' | 'key'>): string {
  return ['s3', o.bucket, ...o.key.split('/')].join('/');
}

/** Custody and the checkpoint follow the files in batches: at most this many files, bytes or ms behind. */
const BATCH = { files: 256, bytes: 64 * 1024 * 1024, ms: 5000 };

/**
 * Fetches every pending object (GetObject, `ctx.concurrency` at a time, digests first: they are
 * small, and what they name is fetched after). Each file is
 * written as it comes; its request record, its object's state and its place in the checkpoint wait
 * in the batch until the file is durable. A commit, in the background while the fetching goes on
 * (one at a time, in order), syncs the files of its batch, then records them, appends custody and
 * saves the checkpoint, so custody never names a file that is not on disk. A run killed outright
 * fetches at most the last batch again; a stopped one (Ctrl-C) fetches nothing again.
 */
export async function fetchObjects(ctx: AwsContext, t: TrailState): Promise<void> {
  const pending = ctx.cp.state.objects.filter((o) => o.state === 'pending');
  const todo = [...pending.filter((o) => o.kind === 'digest'), ...pending.filter((o) => o.kind === 'log')];
  if (todo.length === 0) return;
  const digests = todo.length - pending.filter((o) => o.kind === 'log').length;
  ctx.progress.line(`fetching ${todo.length} trail files (${digests} digest, ${todo.length - digests} log) from s3://${t.bucket}`);
  let next = 0;
  let fatal: unknown = null;
  const files = new EvidenceBatch();
  let since = { files: 0, bytes: 0, at: performance.now() };
  let committing: Promise<void> = Promise.resolve();
  const commit = (): Promise<void> => {
    since = { files: 0, bytes: 0, at: performance.now() };
    const batch = files.take(); // the files written so far; later ones go with the next commit
    committing = committing.then(async () => {
      await batch.sync(); // the files first, then the records and custody entries that name them
      faultPoint('trail-files-durable');
      await ctx.run.commit(false, ctx.cp, () => faultPoint('trail-custody-appended'));
    });
    committing.catch((e: unknown) => (fatal ??= e));
    return committing;
  };
  const worker = async (): Promise<void> => {
    while (next < todo.length && fatal === null && !ctx.signal.aborted) {
      const o = todo[next++]!;
      try {
        since.bytes += await fetchOne(ctx, t, o, files);
      } catch (e) {
        if (ctx.signal.aborted || isFatal(e) || !(e instanceof RequestFailure)) {
          fatal ??= e;
          return;
        }
      }
      if (++since.files >= BATCH.files || since.bytes >= BATCH.bytes || performance.now() - since.at > BATCH.ms) void commit();
      ctx.progress.tick('objects', `  ${ctx.stats.objects} trail files, ${(ctx.stats.bytes / 1e6).toFixed(1)} MB`);
    }
  };
  await Promise.all(Array.from({ length: Math.min(ctx.concurrency, todo.length) }, worker));
  await commit().catch(() => {}); // its failure is in `fatal`
  if (ctx.signal.aborted) throw ctx.signal.reason;
  if (fatal !== null) throw fatal;
  ctx.progress.tick('objects', `  ${ctx.stats.objects} trail files, ${(ctx.stats.bytes / 1e6).toFixed(1)} MB`, true);
}

/**
 * Fetches one object into its evidence file, the body streamed to disk as it comes (hashed on the
 * way by the capture handler); returns the bytes fetched (0 when none).
 */
async function fetchOne(ctx: AwsContext, t: TrailState, o: ObjectTask, files: EvidenceBatch): Promise<number> {
  const input = { Bucket: o.bucket, Key: o.key };
  const region = t.bucket_region ?? '?';
  const rel = objectFile(o);
  const abs = path.join(ctx.dir, ...rel.split('/'));
  try {
    const r = await awsCall(ctx, { service: 's3', operation: 'GetObject', region, resource: `s3://${o.bucket}/${o.key}`, parameters: input }, async () => {
      const file = files.open(abs); // one per attempt: a failed attempt's bytes are removed
      streamBodyInto(file);
      try {
        const out = await s3For(ctx, t).send(new GetObjectCommand(input));
        // the SDK's body (through its checksum validation when S3 sent a checksum) is read to its
        // end: that is what streams the bytes into the file
        if (out.Body) await finished((out.Body as Readable).resume());
        return { out, file };
      } catch (e) {
        await file.discard();
        throw e;
      }
    });
    const streamed = r.exchange.streamed ?? { bytes: 0, sha256: sha256Hex(Buffer.alloc(0)) };
    const out = r.output.out;
    const m = out.Metadata ?? {};
    const meta = {
      size: streamed.bytes,
      etag: out.ETag ?? null,
      version_id: out.VersionId ?? null,
      last_modified: out.LastModified?.toISOString() ?? null,
      sse: out.ServerSideEncryption ?? null,
      signature: m['signature'] ?? null,
      signature_algorithm: m['signature-algorithm'] ?? null,
      backfill_generation_timestamp: m['backfill-generation-timestamp'] ?? null,
      request_id: r.exchange.headers['x-amz-request-id'] ?? null,
      captured_at: new Date(r.exchange.respondedAtMs).toISOString(),
    };
    ctx.stats.objects++;
    await files.add(r.output.file, () => {
      r.record({ responseFile: abs, streamed, message: `${streamed.bytes} bytes (${o.why})` });
      o.state = 'fetched';
      o.file = rel;
      o.sha256 = streamed.sha256;
      o.meta = meta;
      ctx.cp.state.files.push({ file: rel, ready: true, ingested: false });
    });
    return streamed.bytes;
  } catch (e) {
    if (!(e instanceof RequestFailure) || isFatal(e) || ctx.signal.aborted) throw e;
    if (e.kind === 'not-found') {
      o.state = 'missing';
      o.message = `not found in S3 (${o.why}): digest validation reports it`;
      ctx.run.custody.add(`s3://${o.bucket}/${o.key} not found (${o.why})`, new Date().toISOString(), { kind: 'object-missing', collection_id: ctx.run.collectionId, bucket: o.bucket, key: o.key, why: o.why });
      ctx.progress.line(`  s3://${o.bucket}/${o.key}: not found (${o.why})`);
      return 0;
    }
    o.state = e.kind === 'forbidden' ? 'forbidden' : 'failed';
    o.message = e.kind === 'forbidden' ? await forbiddenWhy(ctx, t, o, e) : `not fetched: ${e.message}`;
    ctx.run.recordGap({ gap: e.kind === 'forbidden' ? 'forbidden' : 'not-collected', resource: `s3://${o.bucket}/${o.key}`, verb: 'GetObject', from: null, to: null, message: o.message });
    ctx.progress.line(`  ${o.message}`);
    return 0;
  }
}

/**
 * Why GetObject was refused: with SSE-KMS, reading the object also needs kms:Decrypt on its key
 * (HeadObject, which S3 allows without it, names the key); otherwise s3:GetObject is missing.
 */
async function forbiddenWhy(ctx: AwsContext, t: TrailState, o: ObjectTask, e: RequestFailure): Promise<string> {
  let kmsKey: string | null = null;
  let sse: string | null = null;
  try {
    const h = await awsCall(ctx, { service: 's3', operation: 'HeadObject', region: t.bucket_region ?? '?', resource: `s3://${o.bucket}/${o.key}`, parameters: { Bucket: o.bucket, Key: o.key } }, () =>
      s3For(ctx, t).send(new HeadObjectCommand({ Bucket: o.bucket, Key: o.key })),
    );
    h.record({ message: 'why GetObject was refused' });
    sse = h.output.ServerSideEncryption ?? null;
    kmsKey = h.output.SSEKMSKeyId ?? null;
  } catch {
    // HeadObject refused too: the message below says what GetObject said
  }
  if (sse === 'aws:kms' || /kms:Decrypt/.test(e.message)) {
    return `forbidden: s3://${o.bucket}/${o.key} is encrypted with SSE-KMS${kmsKey ? ` (key ${kmsKey})` : ''}: reading it needs kms:Decrypt on that key as well as s3:GetObject (${e.message})`;
  }
  return `forbidden: GetObject s3://${o.bucket}/${o.key} is not allowed for this identity: s3:GetObject is needed (${e.message})`;
}

interface DigestHead {
  task: ObjectTask;
  digestStartTime: string | null;
  digestEndTime: string | null;
  previous: { bucket: string; key: string } | null;
  logs: { bucket: string; key: string }[];
}

function readDigest(ctx: AwsContext, o: ObjectTask): DigestHead | null {
  try {
    const d = JSON.parse(gunzipSync(readFileSync(path.join(ctx.dir, ...o.file!.split('/')))).toString('utf8')) as Record<string, unknown>;
    const logs = (Array.isArray(d['logFiles']) ? d['logFiles'] : []) as { s3Bucket?: string; s3Object?: string }[];
    return {
      task: o,
      digestStartTime: typeof d['digestStartTime'] === 'string' ? d['digestStartTime'] : null,
      digestEndTime: typeof d['digestEndTime'] === 'string' ? d['digestEndTime'] : null,
      previous: typeof d['previousDigestS3Object'] === 'string' ? { bucket: String(d['previousDigestS3Bucket'] ?? o.bucket), key: d['previousDigestS3Object'] } : null,
      logs: logs.filter((l) => typeof l.s3Object === 'string').map((l) => ({ bucket: l.s3Bucket ?? o.bucket, key: l.s3Object! })),
    };
  } catch {
    return null; // not a digest podtrail can read: validation reports it (invalid format)
  }
}

/**
 * What validation needs beyond the listed range: every log file a fetched digest lists (a digest
 * at the edge of the range lists logs delivered outside it) and, for the oldest digest of each
 * chain, the digest before it, so the link into the range is checked too. Queued, not fetched here.
 */
export function followDigests(ctx: AwsContext, t: TrailState): { logs: number; previous: number } {
  const s = ctx.cp.state;
  const heads = s.objects.filter((o) => o.kind === 'digest' && o.state === 'fetched').map((o) => readDigest(ctx, o)).filter((x): x is DigestHead => x !== null);
  const known = new Set(s.objects.map((o) => `${o.bucket}/${o.key}`));
  let logs = 0;
  let previous = 0;
  for (const h of heads) {
    h.task.meta = { ...(h.task.meta ?? {}), digest_start: h.digestStartTime, digest_end: h.digestEndTime };
    for (const l of h.logs) {
      if (known.has(`${l.bucket}/${l.key}`)) continue;
      known.add(`${l.bucket}/${l.key}`);
      s.objects.push({ bucket: l.bucket, key: l.key, kind: 'log', why: `listed by digest ${h.task.key}`, state: 'pending', file: null, sha256: null, recorded: false, meta: null, message: null });
      logs++;
    }
  }
  if (!t.followed) {
    const chains = new Map<string, DigestHead>();
    for (const h of heads) {
      const p = parseDigestKey(h.task.key);
      const chain = p ? `${p.account}/${p.region}/${p.trail}/${p.backfill}` : h.task.key;
      const cur = chains.get(chain);
      if (!cur || (h.digestEndTime ?? '') < (cur.digestEndTime ?? '')) chains.set(chain, h);
    }
    for (const h of chains.values()) {
      if (!h.previous || known.has(`${h.previous.bucket}/${h.previous.key}`)) continue;
      known.add(`${h.previous.bucket}/${h.previous.key}`);
      s.objects.push({ bucket: h.previous.bucket, key: h.previous.key, kind: 'digest', why: `previous digest of ${h.task.key}`, state: 'pending', file: null, sha256: null, recorded: false, meta: null, message: null });
      previous++;
    }
    t.followed = true;
  }
  return { logs, previous };
}

/**
 * digest-metadata-run<NNNN>.json (podtrail.cloudtrail-objects/v1): for every object this run
 * fetched, its bucket, full key, SHA-256 and S3 metadata; for a digest, the signature S3 keeps
 * beside it (x-amz-meta-signature), which the file's bytes do not carry. Landed as evidence.
 */
export function writeObjectRecords(ctx: AwsContext): string | null {
  const s = ctx.cp.state;
  const todo = s.objects.filter((o) => o.state === 'fetched' && !o.recorded);
  if (todo.length === 0) return null;
  const name = `digest-metadata-run${String(ctx.run.run).padStart(4, '0')}.json`;
  const doc = {
    format: CLOUDTRAIL_OBJECTS_FORMAT,
    collection_id: s.collection_id,
    run: ctx.run.run,
    objects: todo
      .map((o) => ({ bucket: o.bucket, key: o.key, kind: o.kind, sha256: o.sha256, file: o.file, ...(o.meta ?? {}) }))
      .sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0)),
  };
  writeEvidence(path.join(ctx.dir, name), Buffer.from(`${canonicalJson(doc)}\n`, 'utf8'));
  for (const o of todo) o.recorded = true;
  s.files.push({ file: name, ready: true, ingested: false });
  return name;
}
