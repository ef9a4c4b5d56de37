import path from 'node:path';
import { casePaths } from '../../case/case-paths.js';
import { loadCaseConfig } from '../../case/case-config.js';
import type { Clock } from '../../core/clock.js';
import { ingestCase, type IngestResult } from '../../ingest/ingest-case.js';
import { CollectionRun } from '../common/collection-run.js';
import { RequestFailure } from '../common/collect-error.js';
import { Progress } from '../common/progress.js';
import { DEFAULT_RETRY, type RetryPolicy } from '../common/retry.js';
import type { Checkpoint } from '../common/checkpoint.js';
import { K8sApi } from './api-client.js';
import { findUnfinished, newCollection, type K8sCollectionState, type SnapshotStep, type WatchStep } from './collection-state.js';
import { resolveIdentity } from './identity.js';
import type { K8sContext } from './k8s-context.js';
import { loadKubeTarget, type KubeTargetOptions } from './kube-target.js';
import { listSnapshot } from './list-snapshot.js';
import { recoverSegment, watchPods } from './pod-watch.js';

export interface CollectK8sOptions {
  caseDir: string;
  kube: KubeTargetOptions;
  /** --watch: seconds to keep the pod watch open (null: snapshots only). */
  watchSeconds: number | null;
  /** --new: start a new collection even if an unfinished one could be continued. */
  fresh?: boolean;
  pageSize?: number;
  timeoutMs?: number;
  idleMs?: number;
  maxWatchSeconds?: number;
  retry?: RetryPolicy;
  /** A resumed watch whose window has passed still reads what happened since it stopped, this long. */
  catchUpSeconds?: number;
  operator: string | null;
  /** The clock of acquisition (ingest): pinned by --as-of. Receive times always read the real clock. */
  clock: Clock;
  log: (line: string) => void;
  /** Aborted by Ctrl-C / SIGTERM: the collection stops, records what it has and lands it. */
  signal?: AbortSignal;
}

export interface StepOutcome {
  step: string;
  state: string;
  detail: string;
}

export interface CollectK8sResult {
  collectionId: string;
  run: number;
  resumed: boolean;
  server: string;
  identity: string;
  identitySource: string;
  steps: StepOutcome[];
  /** Every step done. */
  complete: boolean;
  interrupted: boolean;
  /** The failure that stopped the run (unreachable, TLS, 401), if any. */
  failure: string | null;
  ingest: IngestResult | null;
}

function stepName(s: SnapshotStep | WatchStep): string {
  return s.kind === 'watch' ? 'watch pods' : `${s.phase} snapshot of ${s.resource}`;
}

/**
 * `podtrail collect k8s`: snapshots nodes, pods (all namespaces) and service accounts, optionally
 * watches pods over a window and snapshots again at its end, with every request in custody; then
 * lands what it collected through `podtrail ingest`'s own acquisition. An interrupted or failed run
 * leaves a valid case: what it got is landed, what it did not is recorded as gaps, and the next run
 * continues the same collection.
 */
export async function collectK8s(o: CollectK8sOptions): Promise<CollectK8sResult> {
  const p = casePaths(o.caseDir);
  loadCaseConfig(p.config);
  const target = loadKubeTarget(o.kube);
  const signal = o.signal ?? new AbortController().signal;
  const cp = (o.fresh ? null : findUnfinished(p.root, target.server, target.context)) ?? newCollection(p.root, { server: target.server, context: target.context, now: new Date().toISOString(), watchSeconds: o.watchSeconds });
  const resumed = cp.state.runs > 0;
  cp.state.runs++;
  const dir = path.dirname(cp.file);
  const run = new CollectionRun(p, dir, cp.state.collection_id, cp.state.runs, target.server, `${target.configIdentity} (${target.authKind})`, o.operator);
  for (const f of cp.state.files) if (f.file.startsWith('collection-run')) f.ready = true; // logs of earlier runs are closed
  cp.state.files.push({ file: run.logFileName, ready: false, ingested: false });
  const progress = new Progress((line) => o.log(line));
  const ctx: K8sContext = {
    target,
    api: new K8sApi(target, o.timeoutMs ?? 60_000),
    run,
    cp,
    dir,
    retry: o.retry ?? DEFAULT_RETRY,
    pageSize: o.pageSize ?? 500,
    timeoutMs: o.timeoutMs ?? 60_000,
    idleMs: o.idleMs ?? 120_000,
    maxWatchSeconds: o.maxWatchSeconds ?? 300,
    signal,
    progress,
  };
  progress.line(`${resumed ? 'continuing' : 'starting'} collection ${cp.state.collection_id} (run ${run.run}) from ${target.server}, context ${target.context}`);
  if (resumed) prepareResume(ctx, o);
  cp.save();

  let identity = { identity: run.identity, source: 'kubeconfig' };
  let interrupted = false;
  let failure: RequestFailure | null = null;
  try {
    identity = await resolveIdentity(ctx);
    progress.line(`identity: ${identity.identity} (${identity.source})`);
    run.recordRun('started', identity.source, `${resumed ? 'continuing' : 'starting'} collection from ${target.server}, context ${target.context}`);
    await run.commit();
    for (let i = 0; i < cp.state.steps.length; i++) {
      const step = cp.state.steps[i]!;
      if (step.state === 'done') continue;
      if (step.kind === 'snapshot') await listSnapshot(step, ctx);
      else await watchPods(step, ctx);
    }
  } catch (e) {
    if (signal.aborted && !(e instanceof RequestFailure)) interrupted = true;
    else if (e instanceof RequestFailure) failure = e;
    else throw e;
  }
  const steps = await closeRun(ctx, identity.source, interrupted, failure);
  const ingest = await landCollected(cp, o);
  const complete = cp.state.steps.every((s) => s.state === 'done');
  return {
    collectionId: cp.state.collection_id,
    run: run.run,
    resumed,
    server: target.server,
    identity: identity.identity,
    identitySource: identity.source,
    steps,
    complete,
    interrupted,
    failure: failure?.message ?? null,
    ingest,
  };
}

/** A later run: closes the segment a killed run left open, and sets how long the resumed watch runs. */
function prepareResume(ctx: K8sContext, o: CollectK8sOptions): void {
  recoverSegment(ctx);
  const watch = ctx.cp.state.steps.find((s): s is WatchStep => s.kind === 'watch');
  if (!watch || watch.state === 'done') return;
  const now = Date.now();
  if (o.watchSeconds !== null) watch.until = new Date(now + o.watchSeconds * 1000).toISOString();
  else if (watch.until !== null && Date.parse(watch.until) <= now) watch.until = new Date(now + (o.catchUpSeconds ?? 3) * 1000).toISOString();
  if (watch.until !== null && ctx.cp.state.watch_last_at) {
    ctx.run.recordGap({
      gap: 'watch-paused',
      resource: 'pods',
      verb: 'watch',
      from: ctx.cp.state.watch_last_at,
      to: new Date(now).toISOString(),
      message: `the watch stopped after ${ctx.cp.state.watch_last_at} and resumes now from resourceVersion ${ctx.cp.state.watch_rv}: events of this span arrive late, so their receive times are only upper bounds`,
    });
  }
}

/** Records what this run did not collect, closes its log, and says per step where it stands. */
async function closeRun(ctx: K8sContext, identitySource: string, interrupted: boolean, failure: RequestFailure | null): Promise<StepOutcome[]> {
  const { run, cp } = ctx;
  const open = cp.state.steps.filter((s) => s.state === 'pending' || s.state === 'running');
  for (const s of open) {
    const resource = s.kind === 'watch' ? 'pods' : s.resource;
    const verb = s.kind === 'watch' ? 'watch' : 'list';
    const why = interrupted ? 'interrupted' : failure ? failure.message : 'not reached';
    run.recordGap({
      gap: interrupted ? 'interrupted' : 'not-collected',
      resource,
      verb,
      from: s.kind === 'watch' ? new Date().toISOString() : null,
      to: s.kind === 'watch' ? s.until : null,
      message: `${stepName(s)} not collected (${why}); \`podtrail collect k8s\` on this case continues it`,
    });
  }
  const state = interrupted ? 'interrupted' : failure ? 'failed' : 'finished';
  run.recordRun(state, identitySource, failure ? failure.message : interrupted ? 'stopped by the operator' : `${cp.state.steps.filter((s) => s.state === 'done').length} of ${cp.state.steps.length} steps done`);
  await run.close();
  const log = cp.state.files.find((f) => f.file === run.logFileName);
  if (log) log.ready = true;
  cp.save();
  return cp.state.steps.map((s) => ({
    step: stepName(s),
    state: s.state,
    detail: s.kind === 'snapshot' ? (s.state === 'done' ? `${s.items} items in ${s.pages.length} pages at ${s.snapshot_at}` : `${s.pages.length} pages so far`) : `until ${s.until ?? '(not started)'}`,
  }));
}

/** Lands every complete file not landed yet, exactly as `podtrail ingest` would. */
async function landCollected(cp: Checkpoint<K8sCollectionState>, o: CollectK8sOptions): Promise<IngestResult | null> {
  const dir = path.dirname(cp.file);
  const todo = cp.state.files.filter((f) => f.ready && !f.ingested);
  if (todo.length === 0) return null;
  o.log(`landing ${todo.length} collected files`);
  const result = await ingestCase({
    caseDir: o.caseDir,
    paths: todo.map((f) => path.join(dir, f.file)),
    source: null,
    operator: o.operator,
    snapshotAt: null,
    clock: o.clock,
    log: o.log,
  });
  for (const f of todo) f.ingested = true;
  cp.save();
  return result;
}
