import { closeSync, openSync } from 'node:fs';
import path from 'node:path';
import type { CasePaths } from '../../case/case-paths.js';
import type { Clock } from '../../core/clock.js';
import { ingestCase, type IngestResult } from '../../ingest/ingest-case.js';
import { runtimeEnrichment } from '../../store/runtime-enrichment.js';
import { CollectionRun } from '../common/collection-run.js';
import { Progress } from '../common/progress.js';
import { DEFAULT_RETRY, type RetryPolicy } from '../common/retry.js';
import type { Checkpoint } from '../common/checkpoint.js';
import { K8sApi } from '../k8s/api-client.js';
import type { KubeTarget, KubeTargetOptions } from '../k8s/kube-target.js';
import { followClock } from './clock.js';
import { followEvents } from './follow-log.js';
import { ObjectApi } from './object-api.js';
import { commit, record, type SensorContext } from './sensor-context.js';
import { LAYOUT } from './sensor-kind.js';
import { SensorLog } from './sensor-log.js';
import type { PodLogState, SensorState } from './sensor-state.js';

/** What the three sensor commands share. */
export interface SensorCommandOptions {
  caseDir: string;
  kube: KubeTargetOptions;
  operator: string | null;
  /** The clock of acquisition (ingest): pinned by --as-of. Receive times always read the real clock. */
  clock: Clock;
  log: (line: string) => void;
  signal?: AbortSignal;
  timeoutMs?: number;
  idleMs?: number;
  retry?: RetryPolicy;
  /** How often the pods (and, at remove, the final lists) are read while waiting. */
  pollMs?: number;
}

const pad = (n: number): string => String(n).padStart(4, '0');

/** Opens the next run of a deployment folder: its collection log, its sensor log, the context. */
export function openRun(p: CasePaths, cp: Checkpoint<SensorState>, target: KubeTarget, o: SensorCommandOptions): SensorContext {
  cp.state.runs++;
  const dir = path.dirname(cp.file);
  const run = new CollectionRun(p, dir, cp.state.deployment_id, cp.state.runs, target.server, `${target.configIdentity} (${target.authKind})`, o.operator);
  const logName = `sensor-run${pad(cp.state.runs)}.jsonl`;
  cp.state.files.push({ file: run.logFileName, ready: false, ingested: false }, { file: logName, ready: false, ingested: false });
  cp.save();
  const api = new K8sApi(target, o.timeoutMs ?? 60_000);
  return {
    target,
    api,
    objects: new ObjectApi(api),
    run,
    log: new SensorLog(path.join(dir, logName), cp.state.deployment_id, cp.state.runs, cp.state.kind),
    cp,
    dir,
    retry: o.retry ?? DEFAULT_RETRY,
    timeoutMs: o.timeoutMs ?? 60_000,
    idleMs: o.idleMs ?? 120_000,
    signal: o.signal ?? new AbortController().signal,
    progress: new Progress((line) => o.log(line)),
  };
}

/** Closes the run's logs (its start and end recorded) and lands every complete file not landed yet. */
export async function closeRun(ctx: SensorContext, o: SensorCommandOptions, state: string, identitySource: string, message: string): Promise<IngestResult | null> {
  ctx.run.recordRun(state, identitySource, message);
  ctx.log.close();
  await ctx.run.close();
  for (const f of ctx.cp.state.files) if (f.file === ctx.run.logFileName || f.file === path.basename(ctx.log.file)) f.ready = true;
  ctx.cp.save();
  return land(ctx.cp, o);
}

/** Lands the ready files of a deployment folder, exactly as `podtrail ingest` would. */
export async function land(cp: Checkpoint<SensorState>, o: SensorCommandOptions): Promise<IngestResult | null> {
  const dir = path.dirname(cp.file);
  const todo = cp.state.files.filter((f) => f.ready && !f.ingested);
  if (todo.length === 0) return null;
  const result = await ingestCase({ caseDir: o.caseDir, paths: todo.map((f) => path.join(dir, f.file)), source: null, operator: o.operator, snapshotAt: null, clock: o.clock, log: o.log });
  for (const f of todo) f.ingested = true;
  cp.save();
  return result;
}

/** A sensor pod to read: where it runs, its containers, when its events container started. */
export interface SensorPod {
  namespace: string;
  pod: string;
  node: string;
  eventsContainer: string;
  clockContainer: string | null;
  startedAt: string | null;
}

type Obj = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

/** The sensor pods of a pod List that run on a node, with their containers. */
export function sensorPods(items: Obj[], eventsContainer: string, clockContainer: string | null): SensorPod[] {
  return items
    .filter((p) => p.spec?.nodeName && !p.metadata?.deletionTimestamp)
    .map((p) => {
      const names: string[] = (p.spec?.containers ?? []).map((c: Obj) => String(c.name));
      const status = ((p.status?.containerStatuses ?? []) as Obj[]).find((c) => c.name === eventsContainer);
      return {
        namespace: String(p.metadata.namespace),
        pod: String(p.metadata.name),
        node: String(p.spec.nodeName),
        eventsContainer,
        clockContainer: clockContainer && names.includes(clockContainer) ? clockContainer : null,
        startedAt: (status?.state?.running?.startedAt as string | undefined) ?? null,
      };
    })
    .sort((a, b) => (a.node < b.node ? -1 : a.node > b.node ? 1 : a.pod < b.pod ? -1 : 1));
}

/**
 * Follows every sensor pod for `ms`: each pod's events into its node's events file of this run
 * (one file per node), and its clock reports. The files are closed and marked landable after.
 */
export async function followPods(ctx: SensorContext, pods: SensorPod[], ms: number): Promise<void> {
  const until = Date.now() + ms;
  const fds = new Map<string, { fd: number; file: string }>();
  const exportRotate = ctx.cp.state.kind === 'tetragon' && ctx.cp.state.mode === 'deployed' ? 10 * 1048576 : null;
  for (const p of pods) {
    if (fds.has(p.node)) continue;
    const name = `events-${p.node}-run${pad(ctx.cp.state.runs)}.jsonl`;
    const abs = path.join(ctx.dir, name);
    fds.set(p.node, { fd: openSync(abs, 'a'), file: ctx.run.rel(abs) });
    if (!ctx.cp.state.files.some((f) => f.file === name)) ctx.cp.state.files.push({ file: name, ready: false, ingested: false });
  }
  const states = pods.map((p) => podState(ctx.cp.state, p));
  ctx.cp.save();
  ctx.progress.line(`following ${pods.length} sensor pods for ${Math.round(ms / 1000)} s`);
  const timer = setInterval(() => void commit(ctx).catch(() => undefined), 2000);
  try {
    await Promise.all(
      pods.flatMap((p, i) => {
        const out = fds.get(p.node)!;
        const jobs: Promise<unknown>[] = [followEvents(ctx, states[i]!, { until, fd: out.fd, file: out.file, startedAt: p.startedAt, exportRotateBytes: exportRotate })];
        if (p.clockContainer) jobs.push(followClock(ctx, { namespace: p.namespace, pod: p.pod, node: p.node, container: p.clockContainer }, until));
        return jobs;
      }),
    );
  } finally {
    clearInterval(timer);
    for (const { fd } of fds.values()) closeSync(fd);
    for (const f of ctx.cp.state.files) if (f.file.startsWith('events-')) f.ready = true;
    await commit(ctx);
  }
  for (const s of states) ctx.progress.line(`  ${s.node}: ${s.pod}: ${s.lines} event lines so far, ${s.duplicates} duplicates dropped`);
}

function podState(s: SensorState, p: SensorPod): PodLogState {
  const found = s.pods.find((x) => x.namespace === p.namespace && x.pod === p.pod && x.container === p.eventsContainer);
  if (found) return found;
  const st: PodLogState = { namespace: p.namespace, pod: p.pod, container: p.eventsContainer, node: p.node, last_ts: null, tail: [], lines: 0, bytes: 0, duplicates: 0, export_bytes: 0 };
  s.pods.push(st);
  return st;
}

/**
 * Lands the events read so far, then checks per node that exec and connect events arrive enriched
 * (the runtime-enrichment check, on this case's lake) and records each node's result; a node with a
 * running sensor and no pod event cannot be judged yet, and says so.
 */
export async function verifyEnrichment(ctx: SensorContext, o: SensorCommandOptions, pods: SensorPod[], stage: string): Promise<void> {
  await land(ctx.cp, o);
  const nodes = [...new Set(pods.map((p) => p.node))].sort();
  if (nodes.length === 0) return;
  const rows = await runtimeEnrichment(ctx.run.paths, ctx.cp.state.kind, nodes);
  for (const node of nodes) {
    const r = rows.find((x) => x.node_name === node);
    record(ctx, {
      record: 'enrichment',
      node,
      state: r ? r.status : 'unknown',
      reason: r ? r.kind : 'no-events',
      events: r ? r.detail.events : 0,
      share_pod_uid: r?.detail.share_pod_uid ?? null,
      share_image_digest: r?.detail.share_image_digest ?? null,
      share_service_account: r?.detail.share_service_account ?? null,
      detail: { stage, ...(r ? { check: r.detail } : {}) },
      message: `${stage}: ${r ? r.message : `${node}: no runtime event from the sensor yet: enrichment cannot be verified`}`,
    });
    ctx.progress.line(`  enrichment ${stage}: ${r ? r.message : `${node}: no events yet`}`);
  }
  await commit(ctx);
}

export { LAYOUT };
