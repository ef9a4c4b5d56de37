import { writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Checkpoint } from '../common/checkpoint.js';
import type { CollectionRun } from '../common/collection-run.js';
import { RequestFailure } from '../common/collect-error.js';
import type { HttpExchange } from '../common/exchange.js';
import type { Progress } from '../common/progress.js';
import { withRetry, type RetryPolicy } from '../common/retry.js';
import type { K8sApi } from '../k8s/api-client.js';
import type { KubeTarget } from '../k8s/kube-target.js';
import type { ObjectApi } from './object-api.js';
import type { SensorLog, SensorRecord } from './sensor-log.js';
import type { SensorState } from './sensor-state.js';

/** What every step of a sensor command works with. */
export interface SensorContext {
  target: KubeTarget;
  api: K8sApi;
  objects: ObjectApi;
  run: CollectionRun;
  log: SensorLog;
  cp: Checkpoint<SensorState>;
  /** The deployment folder (absolute). */
  dir: string;
  retry: RetryPolicy;
  timeoutMs: number;
  idleMs: number;
  signal: AbortSignal;
  progress: Progress;
}

/**
 * One request with bounded retries, each attempt recorded (custody and collection log); the
 * response of the one that succeeded is kept in `keepAs` (a file of the deployment folder) when given.
 */
export async function request<T extends { exchange: HttpExchange }>(
  ctx: SensorContext,
  what: { resource: string; verb: string; keepAs?: string; message?: (r: T) => string },
  op: () => Promise<T>,
): Promise<T> {
  const r = await withRetry(
    async (attempt) => {
      try {
        return await op();
      } catch (e) {
        if (e instanceof RequestFailure && e.exchange) ctx.run.recordExchange(e.exchange, { resource: what.resource, verb: what.verb, attempt, outcome: e.kind, message: e.message });
        throw e;
      }
    },
    ctx.retry,
    { signal: ctx.signal, onRetry: (n) => ctx.progress.line(`  ${what.verb} ${what.resource}: ${n.failure.kind} (attempt ${n.attempt}); retrying in ${(n.delayMs / 1000).toFixed(1)} s`) },
  );
  let file: string | null = null;
  if (what.keepAs) {
    file = path.join(ctx.dir, what.keepAs);
    writeFileSync(file, r.exchange.body);
  }
  ctx.run.recordExchange(r.exchange, { resource: what.resource, verb: what.verb, attempt: 1, outcome: 'ok', responseFile: file, message: what.message?.(r) ?? null });
  return r;
}

/** A sensor record to the sensor log and to custody at once. */
export function record(ctx: SensorContext, r: Omit<SensorRecord, 'at'> & { at?: string }): void {
  const at = r.at ?? new Date().toISOString();
  const full: SensorRecord = { ...r, at };
  ctx.log.append(full);
  ctx.run.custody.add(`sensor ${ctx.cp.state.deployment_id}: ${r.record}${r.node ? ` ${r.node}` : ''}: ${r.message}`, at, {
    kind: `sensor-${r.record}`,
    deployment_id: ctx.cp.state.deployment_id,
    sensor: ctx.cp.state.kind,
    ...full,
  });
}

/** Everything written so far made durable: the logs synced, then custody appended, then the state. */
export async function commit(ctx: SensorContext, wait = false): Promise<void> {
  ctx.log.flush();
  await ctx.run.commit(wait, ctx.cp);
}
