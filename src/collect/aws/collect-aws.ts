import path from 'node:path';
import { casePaths } from '../../case/case-paths.js';
import { loadCaseConfig } from '../../case/case-config.js';
import type { Clock } from '../../core/clock.js';
import { UsageError } from '../../core/errors.js';
import { ingestCase, type IngestResult } from '../../ingest/ingest-case.js';
import type { Checkpoint } from '../common/checkpoint.js';
import { CollectionRun } from '../common/collection-run.js';
import { RequestFailure } from '../common/collect-error.js';
import { Progress } from '../common/progress.js';
import { DEFAULT_RETRY, type RetryPolicy } from '../common/retry.js';
import { AwsClients } from './aws-clients.js';
import type { AwsContext } from './aws-context.js';
import { findUnfinished, newCollection, type AwsCollectionState, type KeysTask } from './collection-state.js';
import { resolveIdentity } from './identity.js';
import { LOOKUP_HORIZON_DAYS, lookupScan, scanLabel, scanResource } from './lookup-events.js';
import { Pacer } from './pacer.js';
import { fetchPublicKeys } from './public-keys.js';
import { fetchObjects, followDigests, writeObjectRecords } from './trail-objects.js';
import { planTrail, runListing } from './trail-listing.js';
import { collectCluster } from './inventory.js';
import { auditLogGroup, AUDIT_STREAM_PREFIX, collectEksAudit } from './eks-audit.js';
import { irsaRolesOfCase } from './case-roles.js';

export interface CollectAwsOptions {
  caseDir: string;
  /** --profile (else the default chain: AWS_PROFILE, environment, SSO, roles). */
  profile: string | null;
  /** --region: us-east-1 is always added (IAM, the global STS endpoint and sign-in record there only). */
  regions: string[];
  /** --event-source: one LookupEvents scan each; none: one scan of all management events per region. */
  eventSources: string[];
  /** --trail s3://bucket[/prefix]. */
  trail: string | null;
  /** --account: the accounts whose trail files to read (default: the caller's). */
  accounts: string[];
  /** --cluster: the EKS cluster whose network and identity inventory and audit log to collect. */
  cluster?: string | null;
  /** --role: more roles whose trust policy to read (besides the associations' and the IRSA annotations'). */
  roles?: string[];
  fresh?: boolean;
  /** Every service at this endpoint (tests, VPC endpoints); else the SDK's resolution (AWS_ENDPOINT_URL...). */
  endpoint?: string | null;
  timeoutMs?: number;
  retry?: RetryPolicy;
  /** LookupEvents requests per second per account and region (AWS allows 2). */
  lookupRatePerSecond?: number;
  lookupPageSize?: number;
  listPageSize?: number;
  concurrency?: number;
  /** EC2 Describe MaxResults (5..1000; EKS lists take at most 100). */
  inventoryPageSize?: number;
  /** FilterLogEvents limit. */
  auditPageSize?: number;
  /** How long after the window's end CloudWatch Logs may still receive an audit record (default 15 min). */
  auditAllowanceSeconds?: number;
  /** How long after the window's end log files are still delivered (default 1 h). */
  deliveryAllowanceSeconds?: number;
  operator: string | null;
  clock: Clock;
  /** The real clock (ms), for the 90-day horizon; tests pin it so their fixed windows stay inside it. */
  now?: () => number;
  log: (line: string) => void;
  signal?: AbortSignal;
}

export interface StepOutcome {
  step: string;
  state: string;
  detail: string;
}

export interface CollectAwsResult {
  collectionId: string;
  run: number;
  resumed: boolean;
  identity: string;
  steps: StepOutcome[];
  complete: boolean;
  interrupted: boolean;
  failure: string | null;
  ingest: IngestResult | null;
}

/**
 * GetObject requests in flight by default: awscli's `s3 cp --recursive` default
 * (max_concurrent_requests 10). S3 serves thousands of GETs a second per prefix, so ten is far from
 * its limits; over a real network each request spends most of its time waiting for the first byte,
 * and ten in flight hide that wait where four did not.
 */
export const DEFAULT_GET_CONCURRENCY = 10;

/** s3://bucket[/prefix] into its parts. */
export function parseTrailUrl(url: string): { bucket: string; prefix: string | null } {
  const m = /^s3:\/\/([a-z0-9][a-z0-9.-]{1,61}[a-z0-9])(?:\/(.*?))?\/?$/.exec(url);
  if (!m) throw new UsageError(`--trail: "${url}" is not s3://bucket[/prefix]`);
  return { bucket: m[1]!, prefix: m[2] ? m[2] : null };
}

/** The regions to ask: those given (else AWS_REGION / AWS_DEFAULT_REGION), always with us-east-1, sorted. */
export function regionsToAsk(given: string[]): string[] {
  const base = given.length > 0 ? given : [process.env['AWS_REGION'] ?? process.env['AWS_DEFAULT_REGION'] ?? ''].filter((r) => r !== '');
  for (const r of base) if (!/^[a-z]{2}(-[a-z]+)+-\d+$/.test(r)) throw new UsageError(`--region: "${r}" is not an AWS region`);
  return [...new Set([...base, 'us-east-1'])].sort();
}

/**
 * `podtrail collect aws`: the cloud control plane of the case window. The collector's identity
 * (STS), LookupEvents per region over the window and its margin (management events, 90 days), and
 * with --trail the trail's log files delivered over the window, their digest files with the
 * signature metadata S3 keeps, and the public keys of the digests' regions; every request in
 * custody. Lands what it got through `podtrail ingest`; digest validation runs there and in
 * correlate. An interrupted or failed run is continued by the next.
 */
export async function collectAws(o: CollectAwsOptions): Promise<CollectAwsResult> {
  const p = casePaths(o.caseDir);
  const cfg = loadCaseConfig(p.config);
  const regions = regionsToAsk(o.regions);
  const eventSources = [...new Set(o.eventSources)].sort();
  const trail = o.trail ? parseTrailUrl(o.trail) : null;
  const signal = o.signal ?? new AbortController().signal;
  const margin = cfg.window.margin_seconds * 1000;
  const from = Date.parse(cfg.window.from) - margin;
  const to = Date.parse(cfg.window.to) + margin;
  const allowance = (o.deliveryAllowanceSeconds ?? 3600) * 1000;
  const cluster = o.cluster ?? null;
  if (cluster !== null && !/^[0-9A-Za-z][A-Za-z0-9_-]{0,99}$/.test(cluster)) throw new UsageError(`--cluster: "${cluster}" is not an EKS cluster name`);
  // the cluster lives in the first region given (else AWS_REGION), us-east-1 only when nothing else is
  const clusterRegion = regions.find((r) => o.regions.includes(r)) ?? regions.find((r) => r !== 'us-east-1') ?? regions[0]!;
  const auditAllowance = (o.auditAllowanceSeconds ?? 900) * 1000;
  const ask = { profile: o.profile, regions, eventSources, trail, cluster };
  const cp =
    (o.fresh ? null : findUnfinished(p.root, ask)) ??
    newCollection(p.root, {
      created_at: new Date().toISOString(),
      profile: o.profile,
      regions,
      event_sources: eventSources,
      accounts: [...new Set(o.accounts)].sort(),
      lookup_from: new Date(from).toISOString(),
      lookup_to: new Date(to).toISOString(),
      logs_from: new Date(from).toISOString(),
      logs_to: new Date(to + allowance).toISOString(),
      digests_to: new Date(to + allowance + 3600_000).toISOString(),
      lookups: regions.flatMap((region) => (eventSources.length ? eventSources : [null]).map((src) => ({ region, event_source: src, state: 'pending' as const, next_token: null, pages: [], events: 0, oldest_event_at: null }))),
      trail: trail ? { bucket: trail.bucket, prefix: trail.prefix, bucket_region: null, state: 'pending', bases: {}, regions_present: {}, listings: [], followed: false } : null,
      cluster: cluster
        ? {
            name: cluster,
            region: clusterRegion,
            state: 'pending',
            vpc_id: null,
            calls: [],
            roles: [...new Set(o.roles ?? [])].sort(),
            audit: { log_group: auditLogGroup(cluster), stream_prefix: AUDIT_STREAM_PREFIX, from_ms: from, to_ms: to + auditAllowance, allowance_ms: auditAllowance, state: 'pending', next_token: null, pages: [], events: 0 },
          }
        : null,
    });
  const resumed = cp.state.runs > 0;
  cp.state.runs++;
  const dir = path.dirname(cp.file);
  const run = new CollectionRun(p, dir, cp.state.collection_id, cp.state.runs, 'aws', cp.state.identity?.arn ?? `(profile ${o.profile ?? 'default chain'})`, o.operator);
  for (const f of cp.state.files) if (f.file.startsWith('collection-run')) f.ready = true;
  cp.state.files.push({ file: run.logFileName, ready: false, ingested: false });
  const progress = new Progress((line) => o.log(line));
  const clients = new AwsClients({ profile: o.profile, endpoint: o.endpoint ?? null, timeoutMs: o.timeoutMs ?? 60_000 });
  const ctx: AwsContext = {
    run,
    cp,
    dir,
    clients,
    retry: o.retry ?? DEFAULT_RETRY,
    lookupPacer: new Pacer(o.lookupRatePerSecond ?? 2),
    signal,
    progress,
    lookupPageSize: o.lookupPageSize ?? 50,
    listPageSize: o.listPageSize ?? 1000,
    concurrency: o.concurrency ?? DEFAULT_GET_CONCURRENCY,
    inventoryPageSize: o.inventoryPageSize ?? 1000,
    auditPageSize: o.auditPageSize ?? 10000,
    timeoutMs: o.timeoutMs ?? 60_000,
    stats: { requests: 0, events: 0, bytes: 0, objects: 0, startedMs: performance.now() },
  };
  progress.line(`${resumed ? 'continuing' : 'starting'} collection ${cp.state.collection_id} (run ${run.run}): regions ${regions.join(', ')}${trail ? `, trail s3://${trail.bucket}/${trail.prefix ?? ''}` : ''}`);
  cp.save();

  let interrupted = false;
  let failure: RequestFailure | null = null;
  try {
    const id = cp.state.identity ?? (await resolveIdentity(ctx, regions[0]!));
    cp.state.identity = id;
    run.identity = `${id.arn} (account ${id.account}, user id ${id.user_id})`;
    if (cp.state.accounts.length === 0) cp.state.accounts = [id.account];
    progress.line(`identity: ${run.identity}`);
    run.recordRun('started', 'STS GetCallerIdentity', `${resumed ? 'continuing' : 'starting'} collection: regions ${regions.join(', ')}; event sources ${eventSources.join(', ') || '(all management events)'}; trail ${o.trail ?? '(none)'}`);
    noteScope(ctx, (o.now ?? Date.now)());
    await run.commit(false, cp);
    // LookupEvents first: its 90-day horizon makes it the more volatile source (RFC 3227 order)
    await Promise.all(
      regions.map(async (region) => {
        for (const scan of cp.state.lookups.filter((l) => l.region === region && l.state !== 'done')) await lookupScan(scan, ctx);
      }),
    );
    if (cp.state.trail) await collectTrail(ctx);
    const cl = cp.state.cluster;
    if (cl) {
      // the audit log first: CloudWatch Logs retention is the more volatile
      if (cl.audit && cl.audit.state !== 'done') await collectEksAudit(ctx, cl, (o.now ?? Date.now)());
      if (cl.state !== 'done') await collectCluster(ctx, await irsaRolesOfCase(o.caseDir));
    }
  } catch (e) {
    if (signal.aborted && !(e instanceof RequestFailure)) interrupted = true;
    else if (e instanceof RequestFailure) failure = e;
    else throw e;
  } finally {
    clients.destroy();
  }
  if (cp.state.trail) writeObjectRecords(ctx);
  const steps = await closeRun(ctx, interrupted, failure);
  const ingest = await landCollected(cp, o);
  return {
    collectionId: cp.state.collection_id,
    run: run.run,
    resumed,
    identity: run.identity,
    steps,
    complete: steps.every((s) => s.state === 'done'),
    interrupted,
    failure: failure?.message ?? null,
    ingest,
  };
}

/** What the collection cannot get, said before it starts: data events, and the 90-day horizon. */
function noteScope(ctx: AwsContext, nowMs: number): void {
  const s = ctx.cp.state;
  ctx.progress.line('LookupEvents returns management events only: data events (S3 object calls, Lambda invocations, ...) are in the trail\'s log files (--trail)');
  const horizon = nowMs - LOOKUP_HORIZON_DAYS * 86_400_000;
  if (Date.parse(s.lookup_from) < horizon) {
    const message = `LookupEvents keeps ${LOOKUP_HORIZON_DAYS} days: events before ${new Date(horizon).toISOString()} are not in it (the window starts ${s.lookup_from}); only the trail's log files (--trail) hold them`;
    ctx.progress.line(message);
    if (ctx.run.run === 1) {
      for (const region of s.regions) ctx.run.recordGap({ gap: 'lookup-horizon', resource: `events/${region}`, verb: 'LookupEvents', from: s.lookup_from, to: new Date(horizon).toISOString(), message });
    }
  }
}

/**
 * The trail: plan, list (the listings side by side), fetch what they found (digests and logs in one
 * pool, digests first), then what the digests name beyond it (logs they list, the digest before the
 * oldest of each chain, then the logs that one lists), then the public keys.
 */
async function collectTrail(ctx: AwsContext): Promise<void> {
  const t = ctx.cp.state.trail!;
  t.state = 'running';
  for (const o of ctx.cp.state.objects) if (o.state === 'forbidden' || o.state === 'failed') o.state = 'pending'; // granted since, or recovered
  if (Object.keys(t.bases).length === 0) await planTrail(ctx, t);
  const listings = t.listings.filter((x) => x.state !== 'done');
  await Promise.all(
    Array.from({ length: Math.min(ctx.concurrency, listings.length) }, async () => {
      for (let l = listings.shift(); l; l = listings.shift()) await runListing(ctx, t, l);
    }),
  );
  await fetchObjects(ctx, t);
  for (let round = 0; round < 2; round++) {
    const followed = followDigests(ctx, t);
    if (followed.logs || followed.previous) ctx.progress.line(`  digests list ${followed.logs} more log files; ${followed.previous} previous digests to check the chain into the range`);
    await fetchObjects(ctx, t);
  }
  planKeys(ctx);
  for (const k of ctx.cp.state.keys.filter((x) => x.state !== 'done')) await fetchPublicKeys(ctx, k);
  const open = t.listings.some((l) => l.state !== 'done') || ctx.cp.state.objects.some((o) => o.state === 'pending' || o.state === 'forbidden' || o.state === 'failed');
  t.state = open ? 'failed' : 'done';
  ctx.cp.save();
}

/** One ListPublicKeys per region that has digests, over their span (start - 1 h, end + 2 h). */
function planKeys(ctx: AwsContext): void {
  const s = ctx.cp.state;
  const spans = new Map<string, { from: number; to: number }>();
  for (const o of s.objects) {
    if (o.kind !== 'digest' || o.state !== 'fetched') continue;
    const region = /\/CloudTrail-Digest\/([a-z0-9-]+)\//.exec(o.key)?.[1];
    const start = Date.parse(String(o.meta?.['digest_start'] ?? ''));
    const end = Date.parse(String(o.meta?.['digest_end'] ?? ''));
    if (!region || Number.isNaN(start) || Number.isNaN(end)) continue;
    const cur = spans.get(region) ?? { from: Infinity, to: -Infinity };
    spans.set(region, { from: Math.min(cur.from, start), to: Math.max(cur.to, end) });
  }
  for (const [region, span] of [...spans.entries()].sort()) {
    if (s.keys.some((k) => k.region === region)) continue;
    const k: KeysTask = { region, state: 'pending', from: new Date(span.from - 3600_000).toISOString(), to: new Date(span.to + 2 * 3600_000).toISOString(), token: null, files: [] };
    s.keys.push(k);
  }
}

async function closeRun(ctx: AwsContext, interrupted: boolean, failure: RequestFailure | null): Promise<StepOutcome[]> {
  const { run, cp } = ctx;
  const s = cp.state;
  const why = interrupted ? 'interrupted' : failure ? failure.message : 'not reached';
  for (const l of s.lookups.filter((x) => x.state === 'pending' || x.state === 'running')) {
    run.recordGap({ gap: interrupted ? 'interrupted' : 'not-collected', resource: scanResource(l), verb: 'LookupEvents', from: s.lookup_from, to: l.oldest_event_at ?? s.lookup_to, message: `${scanLabel(l)} not finished (${why}); \`podtrail collect aws\` with the same options continues it` });
  }
  const pendingObjects = s.objects.filter((o) => o.state === 'pending');
  if (s.trail && (s.trail.state !== 'done' || pendingObjects.length > 0)) {
    run.recordGap({ gap: interrupted ? 'interrupted' : 'not-collected', resource: `s3://${s.trail.bucket}/${s.trail.prefix ?? ''}`, verb: 'GetObject', from: s.logs_from, to: s.logs_to, message: `trail files not all fetched (${pendingObjects.length} pending: ${why}); \`podtrail collect aws\` with the same options continues` });
  }
  if (s.cluster && s.cluster.state !== 'done') {
    const open = s.cluster.calls.filter((c) => c.state === 'pending' || c.state === 'running');
    if (open.length > 0 || s.cluster.state === 'pending' || s.cluster.state === 'running') {
      run.recordGap({ gap: interrupted ? 'interrupted' : 'not-collected', resource: `cluster/${s.cluster.name}`, verb: 'Describe', from: null, to: null, message: `cluster inventory not finished (${open.length} calls open: ${why}); \`podtrail collect aws\` with the same options continues it` });
    }
  }
  if (s.cluster?.audit && (s.cluster.audit.state === 'pending' || s.cluster.audit.state === 'running')) {
    const a = s.cluster.audit;
    run.recordGap({ gap: interrupted ? 'interrupted' : 'not-collected', resource: `logs/${a.log_group}`, verb: 'FilterLogEvents', from: new Date(a.from_ms).toISOString(), to: new Date(a.to_ms).toISOString(), message: `EKS audit not finished after ${a.pages.length} pages (${why}); \`podtrail collect aws\` with the same options continues it` });
  }
  const state = interrupted ? 'interrupted' : failure ? 'failed' : 'finished';
  run.recordRun(state, 'STS GetCallerIdentity', failure ? failure.message : interrupted ? 'stopped by the operator' : `${ctx.stats.requests} requests, ${ctx.stats.events} events, ${ctx.stats.objects} trail files, ${(ctx.stats.bytes / 1e6).toFixed(1)} MB`);
  await run.close();
  const log = s.files.find((f) => f.file === run.logFileName);
  if (log) log.ready = true;
  cp.save();
  const steps: StepOutcome[] = s.lookups.map((l) => ({ step: scanLabel(l), state: l.state, detail: `${l.events} events in ${l.pages.length} pages` }));
  if (s.trail) {
    const by = (st: string): number => s.objects.filter((o) => o.state === st).length;
    steps.push({
      step: `trail s3://${s.trail.bucket}/${s.trail.prefix ?? ''}`,
      state: s.trail.state,
      detail: `${by('fetched')} files fetched (${s.objects.filter((o) => o.kind === 'digest' && o.state === 'fetched').length} digests), ${by('missing')} missing, ${by('forbidden')} forbidden, ${by('failed')} failed, ${by('pending')} pending`,
    });
    for (const k of s.keys) steps.push({ step: `public keys ${k.region}`, state: k.state, detail: `${k.files.length} files` });
  }
  if (s.cluster) {
    const cl = s.cluster;
    if (cl.audit) steps.push({ step: `EKS audit ${cl.audit.log_group}`, state: cl.audit.state, detail: `${cl.audit.events} events in ${cl.audit.pages.length} pages` });
    const by = (st: string): number => cl.calls.filter((c) => c.state === st).length;
    steps.push({ step: `cluster inventory ${cl.name} (${cl.region})`, state: cl.state, detail: `${by('done')} of ${cl.calls.length} calls done (${by('forbidden')} forbidden, ${by('failed')} failed), ${cl.calls.reduce((n, c) => n + c.items, 0)} items in ${cl.calls.reduce((n, c) => n + c.pages.length, 0)} pages; ${cl.roles.length} roles` });
  }
  return steps;
}

async function landCollected(cp: Checkpoint<AwsCollectionState>, o: CollectAwsOptions): Promise<IngestResult | null> {
  const dir = path.dirname(cp.file);
  const todo = cp.state.files.filter((f) => f.ready && !f.ingested);
  if (todo.length === 0) return null;
  o.log(`landing ${todo.length} collected files`);
  const result = await ingestCase({ caseDir: o.caseDir, paths: todo.map((f) => path.join(dir, ...f.file.split('/'))), source: null, operator: o.operator, snapshotAt: null, clock: o.clock, log: o.log });
  for (const f of todo) f.ingested = true;
  cp.save();
  return result;
}
