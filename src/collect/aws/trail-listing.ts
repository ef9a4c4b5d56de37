import { HeadBucketCommand, ListObjectsV2Command, type ListObjectsV2CommandOutput } from '@aws-sdk/client-s3';
import { RequestFailure } from '../common/collect-error.js';
import { awsCall } from './aws-call.js';
import { isFatal, type AwsContext } from './aws-context.js';
import type { Listing, TrailState } from './collection-state.js';
import { parseDigestKey, parseLogKey } from '../../cloudtrail-digest/trail-keys.js';

const pad = (n: number): string => String(n).padStart(2, '0');
const ymd = (d: Date): string => `${d.getUTCFullYear()}/${pad(d.getUTCMonth() + 1)}/${pad(d.getUTCDate())}`;
const stampMin = (d: Date): string => `${d.getUTCFullYear()}${pad(d.getUTCMonth() + 1)}${pad(d.getUTCDate())}T${pad(d.getUTCHours())}${pad(d.getUTCMinutes())}`;

/** The S3 client for the trail's bucket (in the bucket's own region). */
export function s3For(ctx: AwsContext, t: TrailState) {
  return ctx.clients.s3(t.bucket_region ?? ctx.cp.state.regions[0]!);
}

async function list(ctx: AwsContext, t: TrailState, params: { Prefix: string; Delimiter?: string; StartAfter?: string; ContinuationToken?: string }): Promise<{ output: ListObjectsV2CommandOutput; record: () => void }> {
  const input = { Bucket: t.bucket, MaxKeys: ctx.listPageSize, ...params };
  const r = await awsCall(ctx, { service: 's3', operation: 'ListObjectsV2', region: t.bucket_region ?? '?', resource: `s3://${t.bucket}/${params.Prefix}`, parameters: input }, () =>
    s3For(ctx, t).send(new ListObjectsV2Command(input)),
  );
  return { output: r.output, record: () => r.record({ message: `${r.output.KeyCount ?? 0} keys${r.output.IsTruncated ? '' : ' (last page)'}` }) };
}

/** Every CommonPrefix under a prefix (delimiter "/"), all pages. */
async function folders(ctx: AwsContext, t: TrailState, prefix: string): Promise<string[]> {
  const out: string[] = [];
  let token: string | undefined;
  do {
    const { output, record } = await list(ctx, t, { Prefix: prefix, Delimiter: '/', ...(token ? { ContinuationToken: token } : {}) });
    record();
    for (const p of output.CommonPrefixes ?? []) if (p.Prefix) out.push(p.Prefix);
    token = output.IsTruncated ? output.NextContinuationToken : undefined;
  } while (token);
  return out;
}

/**
 * Finds where the trail's files are: the bucket's region (HeadBucket's x-amz-bucket-region), then
 * per account AWSLogs/<account>/ or, for an organization trail, AWSLogs/<org-id>/<account>/, and the
 * regions present under CloudTrail/. Every asked region is listed or said absent; a region present
 * but not asked is named as skipped. Then one listing per account, region, kind and day of the
 * delivery range.
 */
export async function planTrail(ctx: AwsContext, t: TrailState): Promise<void> {
  const s = ctx.cp.state;
  if (t.bucket_region === null) {
    const region = s.regions[0]!;
    try {
      const r = await awsCall(ctx, { service: 's3', operation: 'HeadBucket', region, resource: `s3://${t.bucket}`, parameters: { Bucket: t.bucket } }, () =>
        ctx.clients.s3(region).send(new HeadBucketCommand({ Bucket: t.bucket })),
      );
      t.bucket_region = r.exchange.headers['x-amz-bucket-region'] ?? r.output.BucketRegion ?? region;
      r.record({ message: `bucket region ${t.bucket_region}` });
    } catch (e) {
      const ex = e instanceof RequestFailure ? e.exchange : null;
      const found = ex?.headers['x-amz-bucket-region'];
      if (!found) throw e;
      t.bucket_region = found;
    }
    ctx.progress.line(`trail bucket s3://${t.bucket}/${t.prefix ?? ''} in ${t.bucket_region}`);
  }
  const root = `${t.prefix ? `${t.prefix}/` : ''}AWSLogs/`;
  const top = await folders(ctx, t, root);
  for (const account of s.accounts) {
    if (t.bases[account]) continue;
    if (top.includes(`${root}${account}/`)) t.bases[account] = `${root}${account}/`;
    else {
      for (const org of top.filter((p) => /\/o-[a-z0-9]+\/$/.test(p))) {
        if ((await folders(ctx, t, org)).includes(`${org}${account}/`)) t.bases[account] = `${org}${account}/`;
      }
    }
    if (!t.bases[account]) {
      ctx.run.recordGap({ gap: 'not-collected', resource: `s3://${t.bucket}/${root}${account}/`, verb: 'ListObjectsV2', from: s.logs_from, to: s.logs_to, message: `no trail files for account ${account} in s3://${t.bucket}/${root} (neither AWSLogs/${account}/ nor an organization folder holds it)` });
      continue;
    }
    const present = (await folders(ctx, t, `${t.bases[account]}CloudTrail/`)).map((p) => p.split('/').slice(-2, -1)[0]!);
    t.regions_present[account] = present;
    const skipped = present.filter((r) => !s.regions.includes(r));
    if (skipped.length) {
      ctx.progress.line(`  ${account}: trail files of ${skipped.join(', ')} not collected (not asked: add --region)`);
      ctx.run.custody.add(`trail regions skipped for ${account}: ${skipped.join(', ')} (not asked with --region)`, new Date().toISOString(), { kind: 'regions-skipped', collection_id: ctx.run.collectionId, account, regions: skipped });
    }
    for (const region of s.regions) {
      if (!present.includes(region)) {
        ctx.run.recordGap({ gap: 'not-collected', resource: `s3://${t.bucket}/${t.bases[account]}CloudTrail/${region}/`, verb: 'ListObjectsV2', from: s.logs_from, to: s.logs_to, message: `the trail holds no log files of ${region} for account ${account} (is the trail multi-region?)` });
        ctx.progress.line(`  ${account}: no trail files of ${region}`);
        continue;
      }
      t.listings.push(...dayListings(t.bases[account]!, account, region, 'log', s.logs_from, s.logs_to));
      t.listings.push(...dayListings(t.bases[account]!, account, region, 'digest', s.logs_from, s.digests_to));
    }
  }
  await ctx.run.commit(false, ctx.cp);
}

/** One listing per day of [from, to], starting after the key of `from`'s minute on its first day. */
function dayListings(base: string, account: string, region: string, kind: 'log' | 'digest', from: string, to: string): Listing[] {
  const out: Listing[] = [];
  const lo = new Date(Date.parse(from) - 60_000);
  const hi = new Date(to);
  const folder = kind === 'log' ? 'CloudTrail' : 'CloudTrail-Digest';
  for (let d = new Date(Date.UTC(lo.getUTCFullYear(), lo.getUTCMonth(), lo.getUTCDate())); d <= hi; d = new Date(d.getTime() + 86_400_000)) {
    const prefix = `${base}${folder}/${region}/${ymd(d)}/`;
    const first = ymd(d) === ymd(lo);
    out.push({
      account,
      region,
      kind,
      prefix,
      start_after: first ? `${prefix}${account}_${folder}_${region}_${kind === 'log' ? stampMin(lo) : ''}` : null,
      stop_after: stampMin(hi),
      token: null,
      state: 'pending',
      keys: 0,
    });
  }
  return out;
}

/** Lists one day's folder, page by page, queueing every key delivered inside the range. */
export async function runListing(ctx: AwsContext, t: TrailState, l: Listing): Promise<void> {
  l.state = 'running';
  for (;;) {
    let page: Awaited<ReturnType<typeof list>>;
    try {
      page = await list(ctx, t, { Prefix: l.prefix, ...(l.token ? { ContinuationToken: l.token } : l.start_after ? { StartAfter: l.start_after } : {}) });
    } catch (e) {
      await ctx.run.commit();
      if (!(e instanceof RequestFailure) || isFatal(e)) throw e;
      l.state = e.kind === 'forbidden' ? 'forbidden' : 'failed';
      const message = e.kind === 'forbidden' ? `forbidden: listing s3://${t.bucket}/${l.prefix} needs s3:ListBucket on the bucket (${e.message})` : `not listed: ${e.message}`;
      ctx.run.recordGap({ gap: e.kind === 'forbidden' ? 'forbidden' : 'not-collected', resource: `s3://${t.bucket}/${l.prefix}`, verb: 'ListObjectsV2', from: null, to: null, message });
      ctx.progress.line(`  ${message}`);
      await ctx.run.commit(false, ctx.cp);
      return;
    }
    page.record();
    const low = stampMin(new Date(Date.parse(ctx.cp.state.logs_from) - 60_000));
    const known = new Set(ctx.cp.state.objects.map((x) => `${x.bucket}/${x.key}`));
    let past = false;
    for (const o of page.output.Contents ?? []) {
      const key = o.Key!;
      const parsed = l.kind === 'log' ? parseLogKey(key) : parseDigestKey(key);
      if (!parsed) continue;
      const stamp = parsed.deliveredAt.replace(/[-:]/g, '').slice(0, 13);
      if (stamp > l.stop_after) {
        past = true;
        break;
      }
      if (stamp < low) continue;
      if (!known.has(`${t.bucket}/${key}`)) {
        known.add(`${t.bucket}/${key}`);
        ctx.cp.state.objects.push({ bucket: t.bucket, key, kind: l.kind, why: 'listed', state: 'pending', file: null, sha256: null, recorded: false, meta: null, message: null });
        l.keys++;
      }
    }
    l.token = !past && page.output.IsTruncated ? (page.output.NextContinuationToken ?? null) : null;
    if (l.token === null) l.state = 'done';
    await ctx.run.commit(false, ctx.cp);
    if (l.state === 'done') return;
  }
}
