import { closeSync, fsyncSync, openSync, readFileSync, writeSync } from 'node:fs';
import path from 'node:path';
import { RequestFailure } from '../common/collect-error.js';
import { retryDelay, sleep } from '../common/retry.js';
import { sha256Hex } from '../common/request-record.js';
import { snapshotStep, type WatchStep } from './collection-state.js';
import { forbiddenMessage, isFatal, type K8sContext } from './k8s-context.js';
import { listSnapshot } from './list-snapshot.js';
import { openWatch } from './watch-stream.js';

export const WATCH_FORMAT = 'podtrail.k8s-watch/v1';

/** The end of the watch window (not a failure). */
class Deadline extends Error {
  constructor() {
    super('end of the watch window');
    this.name = 'Deadline';
  }
}

/** The fields of a watch event podtrail reads to follow the stream (the evidence stays the bytes). */
interface EventHead {
  type?: string;
  object?: { metadata?: { resourceVersion?: string }; code?: number; reason?: string; message?: string; kind?: string };
}

function head(bytes: Buffer): EventHead | null {
  try {
    const v = JSON.parse(bytes.toString('utf8')) as unknown;
    return typeof v === 'object' && v !== null ? (v as EventHead) : null;
  } catch {
    return null;
  }
}

/**
 * The pod watch over the window: every event line is kept as sent, wrapped in one JSON line with
 * its local receive time (podtrail.k8s-watch/v1), in one segment file per run. Bookmarks keep the
 * resourceVersion fresh; a cut or stalled stream resumes from the last resourceVersion (the server
 * replays what followed it: no gap, no duplicate); an expired resourceVersion (410) relists pods and
 * records the gap; memory stays bounded (lines go to disk as they come).
 */
export async function watchPods(step: WatchStep, ctx: K8sContext): Promise<void> {
  step.state = 'running';
  step.until ??= new Date(Date.now() + step.seconds * 1000).toISOString();
  const until = Date.parse(step.until);
  const name = `watch-pods-run${String(ctx.run.run).padStart(4, '0')}.jsonl`;
  const file = path.join(ctx.dir, name);
  const fd = openSync(file, 'a');
  if (!ctx.cp.state.files.some((f) => f.file === name)) ctx.cp.state.files.push({ file: name, ready: false, ingested: false });
  ctx.cp.state.open_segment = name;
  ctx.cp.save();
  const deadline = new AbortController();
  const timer = setTimeout(() => deadline.abort(new Deadline()), Math.max(0, until - Date.now()));
  const signal = AbortSignal.any([ctx.signal, deadline.signal]);
  let events = 0;
  let failures = 0;
  let lastSave = performance.now();
  const save = (): void => {
    fsyncSync(fd);
    ctx.cp.save();
    lastSave = performance.now();
  };
  ctx.progress.line(`watching pods until ${step.until} from resourceVersion ${ctx.cp.state.watch_rv ?? '(none: current state)'}`);
  try {
    while (!signal.aborted) {
      const rv = ctx.cp.state.watch_rv;
      const seconds = Math.max(1, Math.min(ctx.maxWatchSeconds, Math.ceil((until - Date.now()) / 1000)));
      const query = new URLSearchParams({ allowWatchBookmarks: 'true', ...(rv ? { resourceVersion: rv } : {}), timeoutSeconds: String(seconds), watch: 'true' });
      const seq = ctx.run.nextSeq();
      let conn;
      try {
        conn = await openWatch(ctx.target, `/api/v1/pods?${query.toString()}`, { timeoutMs: ctx.timeoutMs, idleMs: ctx.idleMs, signal });
      } catch (e) {
        if (e instanceof Deadline) break; // the window ended while connecting
        if (!(e instanceof RequestFailure)) throw e;
        if (e.exchange) ctx.run.recordExchange(e.exchange, { resource: 'pods', verb: 'watch', attempt: failures + 1, outcome: e.kind, resourceVersion: rv, message: e.message }, seq);
        if (e.kind === 'expired') {
          await relist(ctx, e.message);
          continue;
        }
        if (await stopOrWait(e, ++failures, step, ctx)) return;
        continue;
      }
      let received = 0;
      let outcome = 'ok';
      let message: string | null = null;
      let expired: string | null = null;
      const prefix = (at: number): string =>
        `{"format":"${WATCH_FORMAT}","collection":${JSON.stringify(ctx.run.collectionId)},"run":${ctx.run.run},"request":${seq},"received_at":"${new Date(at).toISOString()}","event":`;
      try {
        for await (const line of conn.lines) {
          writeSync(fd, Buffer.concat([Buffer.from(prefix(line.receivedAtMs), 'utf8'), line.bytes, Buffer.from('}\n', 'utf8')]));
          received++;
          events++;
          ctx.cp.state.watch_last_at = new Date(line.receivedAtMs).toISOString();
          const h = head(line.bytes);
          if (h?.type === 'ERROR') {
            const status = h.object ?? {};
            if (status.code === 410) {
              expired = `${status.reason ?? 'Expired'}: ${status.message ?? 'resourceVersion too old'}`;
              break;
            }
            message = `ERROR event: ${status.code ?? '?'} ${status.reason ?? ''} ${status.message ?? ''}`.trim();
            outcome = 'server';
            break;
          }
          const next = h?.object?.metadata?.resourceVersion;
          if (next) ctx.cp.state.watch_rv = next;
          ctx.progress.tick('watch', `  watch: ${events} events, resourceVersion ${ctx.cp.state.watch_rv}`);
          if (performance.now() - lastSave > 2000) save();
        }
      } catch (e) {
        if (!(e instanceof RequestFailure)) {
          if (!signal.aborted) throw e;
          message = e instanceof Deadline ? 'closed by podtrail at the end of the watch window' : 'closed by podtrail: interrupted';
        } else {
          outcome = e.kind;
          message = e.message;
        }
      } finally {
        conn.close();
      }
      const st = conn.stats();
      if (st.trailingBytes > 0) message = `${message ? `${message}; ` : ''}${st.trailingBytes} bytes of an unfinished last line dropped (the resumed watch sends that event again)`;
      ctx.run.recordExchange(
        conn.exchange,
        { resource: 'pods', verb: 'watch', attempt: 1, outcome: expired ? 'expired' : outcome, resourceVersion: ctx.cp.state.watch_rv, responseFile: file, streamed: { bytes: st.bytes, sha256: st.sha256 }, message: expired ?? message ?? `${received} events` },
        seq,
      );
      save();
      await ctx.run.commit();
      if (expired) {
        await relist(ctx, expired);
        continue;
      }
      if (outcome !== 'ok') {
        const failure = new RequestFailure({ kind: outcome as RequestFailure['kind'], server: ctx.target.server, what: 'watch pods', detail: message ?? outcome });
        if (received > 0) failures = 0;
        if (await stopOrWait(failure, ++failures, step, ctx)) return;
      } else if (received > 0) {
        failures = 0;
      }
    }
    if (ctx.signal.aborted) throw ctx.signal.reason;
    step.state = 'done';
    ctx.progress.tick('watch', `  watch: ${events} events, ended at ${new Date().toISOString()}`, true);
  } finally {
    clearTimeout(timer);
    fsyncSync(fd);
    closeSync(fd);
    closeSegment(ctx, name);
    await ctx.run.commit(false, ctx.cp);
  }
}

/** After a failed watch request: wait (backoff or Retry-After) and go on, or record the gap and stop. */
async function stopOrWait(e: RequestFailure, failures: number, step: WatchStep, ctx: K8sContext): Promise<boolean> {
  if (isFatal(e)) throw e;
  if (e.retryable && failures < ctx.retry.attempts) {
    const { delayMs, fromRetryAfter } = retryDelay(ctx.retry, failures, e);
    ctx.progress.line(`  watch: ${e.kind} (${failures}); resuming from resourceVersion ${ctx.cp.state.watch_rv} in ${(delayMs / 1000).toFixed(1)} s${fromRetryAfter ? ' (Retry-After)' : ''}`);
    await sleep(delayMs, ctx.signal).catch((err: unknown) => {
      if (ctx.signal.aborted) throw ctx.signal.reason;
      throw err;
    });
    return false;
  }
  step.state = e.kind === 'forbidden' ? 'forbidden' : 'failed';
  const message = e.kind === 'forbidden' ? forbiddenMessage('watch', 'pods', e) : `watch given up after ${failures} failed attempts: ${e.message}`;
  ctx.run.recordGap({ gap: e.kind === 'forbidden' ? 'forbidden' : 'not-collected', resource: 'pods', verb: 'watch', from: new Date().toISOString(), to: step.until, message });
  ctx.progress.line(`  watch: ${message}`);
  await ctx.run.commit();
  return true;
}

/** The watch's resourceVersion expired (410): list pods again (a new snapshot) and watch from it; the span is a gap. */
async function relist(ctx: K8sContext, why: string): Promise<void> {
  const from = ctx.cp.state.watch_last_at;
  ctx.progress.line(`  watch: resourceVersion expired (${why}); listing pods again`);
  const step = snapshotStep('pods', 'relist');
  ctx.cp.state.steps.push(step);
  await listSnapshot(step, ctx);
  if (step.state !== 'done') throw new RequestFailure({ kind: 'server', server: ctx.target.server, what: 'watch pods', detail: 'the relist after an expired resourceVersion failed' });
  ctx.run.recordGap({
    gap: 'watch-expired',
    resource: 'pods',
    verb: 'watch',
    from,
    to: step.snapshot_at,
    message: `the watch's resourceVersion expired (${why}): pod events between ${from ?? 'the watch start'} and the relist at ${step.snapshot_at} may be missing; the relist shows the state at its end`,
  });
  await ctx.run.commit(false, ctx.cp);
}

/** Marks a watch segment complete (landable). */
export function closeSegment(ctx: Pick<K8sContext, 'cp'>, name: string): void {
  const f = ctx.cp.state.files.find((x) => x.file === name);
  if (f) f.ready = true;
  if (ctx.cp.state.open_segment === name) ctx.cp.state.open_segment = null;
}

/**
 * A segment left open by a run that was killed: its complete lines are evidence as received. Its
 * last resourceVersion is read back (the checkpoint may be older), so the next watch resumes after
 * it, and custody records the segment as found.
 */
export function recoverSegment(ctx: Pick<K8sContext, 'cp' | 'dir' | 'run'>): void {
  const name = ctx.cp.state.open_segment;
  if (!name) return;
  const file = path.join(ctx.dir, name);
  const bytes = readFileSync(file);
  let lastRv: string | null = null;
  let lastAt: string | null = null;
  let lines = 0;
  for (const line of bytes.toString('utf8').split('\n')) {
    if (line === '') continue;
    lines++;
    try {
      const v = JSON.parse(line) as { received_at?: string; event?: EventHead };
      const rv = v.event?.type !== 'ERROR' ? v.event?.object?.metadata?.resourceVersion : undefined;
      if (rv) lastRv = rv;
      if (v.received_at) lastAt = v.received_at;
    } catch {
      // a line torn by the kill: landed as a rejected record, its event comes again on resume
    }
  }
  if (lastRv) ctx.cp.state.watch_rv = lastRv;
  if (lastAt) ctx.cp.state.watch_last_at = lastAt;
  ctx.run.custody.add(`watch segment ${name} closed after an interrupted run: ${lines} lines`, new Date().toISOString(), {
    kind: 'segment-recovered',
    collection_id: ctx.run.collectionId,
    file: ctx.run.rel(file),
    bytes: bytes.length,
    sha256: sha256Hex(bytes),
    lines,
    last_resource_version: lastRv,
  });
  closeSegment(ctx, name);
}
