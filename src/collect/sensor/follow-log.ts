import { createHash } from 'node:crypto';
import { fstatSync, writeSync } from 'node:fs';
import { RequestFailure } from '../common/collect-error.js';
import { retryDelay, sleep } from '../common/retry.js';
import { openWatch, type WatchConnection } from '../k8s/watch-stream.js';
import { lineKey, secondOf, splitLogLine, tsMs } from './log-lines.js';
import { record, type SensorContext } from './sensor-context.js';
import type { PodLogState } from './sensor-state.js';

/** A first line this long after the container started, with no earlier line, may follow a rotation. */
export const START_SLACK_MS = 60_000;

class Deadline extends Error {
  constructor() {
    super('follow window ended');
  }
}

export interface FollowOptions {
  /** Local clock (ms) when following stops. */
  until: number;
  /** The events file of this node (an open descriptor) and its path relative to the case. */
  fd: number;
  file: string;
  /** When the events container started (pod status), for the first read of its log. */
  startedAt: string | null;
  /** Tetragon: the export file rotates at this many bytes (a rotation may lose the lines tail had not read). */
  exportRotateBytes: number | null;
}

/**
 * Follows one sensor pod's events container log (`follow=true&timestamps=true`) until `until`,
 * appending each event line (the sensor's JSON, the kubelet timestamp taken off) to the node's
 * events file. When the stream ends or is cut it reconnects with `sinceTime` = the last timestamp
 * kept: the API server keeps only the second of it, so lines of that second come again, and a
 * (timestamp, line) pair already kept is dropped, never written twice; a line cut short by the
 * connection comes again whole. Seeing the last kept line again proves nothing was lost between the
 * two streams; when it does not come back (the kubelet serves only the current log file, which may
 * have rotated), the span is a gap in the sensor log.
 */
export async function followEvents(ctx: SensorContext, st: PodLogState, o: FollowOptions): Promise<void> {
  let failures = 0;
  let firstRead = st.last_ts === null;
  while (!ctx.signal.aborted && Date.now() < o.until) {
    const q = new URLSearchParams({ container: st.container, follow: 'true', timestamps: 'true' });
    if (st.last_ts) q.set('sinceTime', st.last_ts);
    const path = `/api/v1/namespaces/${encodeURIComponent(st.namespace)}/pods/${encodeURIComponent(st.pod)}/log?${q.toString()}`;
    const what = `get pods/log ${st.namespace}/${st.pod}`;
    const seq = ctx.run.nextSeq();
    const deadline = new AbortController();
    const timer = setTimeout(() => deadline.abort(new Deadline()), Math.max(0, o.until - Date.now()));
    const signal = AbortSignal.any([ctx.signal, deadline.signal]);
    let conn: WatchConnection;
    try {
      conn = await openWatch(ctx.target, path, { timeoutMs: ctx.timeoutMs, idleMs: ctx.idleMs, signal, what });
    } catch (e) {
      clearTimeout(timer);
      if (e instanceof Deadline) break;
      if (!(e instanceof RequestFailure)) throw e;
      if (e.exchange) ctx.run.recordExchange(e.exchange, { resource: 'pods/log', verb: 'get', attempt: failures + 1, outcome: e.kind, message: e.message }, seq);
      if (await stop(ctx, st, e, ++failures, o)) return;
      continue;
    }
    const startOffset = fstatSync(o.fd).size;
    const appended = createHash('sha256');
    let appendedBytes = 0;
    let kept = 0;
    let dups = 0;
    let others = 0;
    let overlap = false;
    let checkedContinuity = false;
    let outcome = 'ok';
    let message: string | null = null;
    const sinceBefore = st.last_ts;
    try {
      for await (const line of conn.lines) {
        const parts = splitLogLine(line.bytes);
        if (!parts) {
          others++;
          continue;
        }
        const { ts, content } = parts;
        const key = lineKey(content);
        if (st.last_ts && ts <= st.last_ts) {
          if (ts < secondOf(st.last_ts) || st.tail.some((t) => t.ts === ts && t.h === key)) {
            dups++;
            overlap = true;
            continue;
          }
        }
        if (!checkedContinuity) {
          checkedContinuity = true;
          if (sinceBefore && !overlap) recordLoss(ctx, st, sinceBefore, ts, 'the last line read before the reconnect did not come back');
          if (firstRead && !sinceBefore && o.startedAt && tsMs(ts) - Date.parse(o.startedAt) > START_SLACK_MS) {
            recordLoss(ctx, st, new Date(Date.parse(o.startedAt)).toISOString(), ts, `the first line served is ${Math.round((tsMs(ts) - Date.parse(o.startedAt)) / 1000)} s after the container started`);
          }
        }
        if (st.last_ts === null || secondOf(ts) !== secondOf(st.last_ts)) st.tail = [];
        st.tail.push({ ts, h: key });
        st.last_ts = ts;
        if (content[0] !== 0x7b) {
          // not an event: the tail or the sensor speaking (tail's rotation notice, a warning)
          others++;
          const text = content.subarray(0, 300).toString('utf8');
          if (/^tail: .*(replaced|truncated|appeared|has become)/.test(text)) recordRotation(ctx, st, ts, `the export file rotated (${text.trim()})`);
          continue;
        }
        const bytes = Buffer.concat([content, Buffer.from('\n')]);
        writeSync(o.fd, bytes);
        appended.update(bytes);
        appendedBytes += bytes.length;
        kept++;
        st.lines++;
        st.bytes += bytes.length;
        if (o.exportRotateBytes !== null) {
          st.export_bytes += bytes.length;
          if (st.export_bytes >= o.exportRotateBytes) {
            st.export_bytes -= o.exportRotateBytes;
            recordRotation(ctx, st, ts, `about ${Math.round(o.exportRotateBytes / 1048576)} MiB of events since the last rotation: Tetragon rotates its export file here, and lines written between tail's last read and the rotation may be lost`);
          }
        }
      }
    } catch (e) {
      if (!(e instanceof RequestFailure)) {
        if (!signal.aborted) throw e;
        message = e instanceof Deadline || deadline.signal.aborted ? 'closed by podtrail at the end of the follow window' : 'closed by podtrail: interrupted';
      } else {
        outcome = e.kind;
        message = e.message;
      }
    } finally {
      clearTimeout(timer);
      conn.close();
    }
    st.duplicates += dups;
    const stats = conn.stats();
    const cut = stats.trailingBytes > 0 ? `; ${stats.trailingBytes} bytes of a line cut short dropped (it comes again on reconnect)` : '';
    ctx.run.recordExchange(conn.exchange, {
      resource: 'pods/log',
      verb: 'get',
      attempt: 1,
      outcome,
      responseFile: null,
      streamed: { bytes: stats.bytes, sha256: stats.sha256 },
      message: `${message ? `${message}; ` : ''}${kept} lines kept, ${dups} duplicates dropped, ${others} other lines${cut}`,
    }, seq);
    ctx.run.custody.add(`sensor log segment ${st.namespace}/${st.pod}: ${kept} lines into ${o.file}`, new Date().toISOString(), {
      kind: 'sensor-log-segment',
      deployment_id: ctx.cp.state.deployment_id,
      request_seq: seq,
      pod: `${st.namespace}/${st.pod}`,
      container: st.container,
      node: st.node,
      file: o.file,
      offset: startOffset,
      bytes: appendedBytes,
      sha256: appended.digest('hex'),
      lines: kept,
      duplicates_dropped: dups,
      other_lines: others,
      since: sinceBefore,
      last_ts: st.last_ts,
    });
    firstRead = false;
    if (outcome !== 'ok') {
      const f = new RequestFailure({ kind: outcome as RequestFailure['kind'], server: ctx.target.server, what, detail: message ?? outcome });
      if (kept > 0) failures = 0;
      if (await stop(ctx, st, f, ++failures, o)) return;
    } else if (Date.now() < o.until && !ctx.signal.aborted) {
      // the server ended the stream (container restarted, API server timeout): reconnect at once
      await sleep(Math.min(1000, Math.max(0, o.until - Date.now())), ctx.signal).catch(() => undefined);
    }
  }
}

/** After a failed request: wait and go on, or record a gap and stop following this pod. */
async function stop(ctx: SensorContext, st: PodLogState, e: RequestFailure, failures: number, o: FollowOptions): Promise<boolean> {
  if (e.retryable && failures < ctx.retry.attempts) {
    const { delayMs } = retryDelay(ctx.retry, failures, e);
    ctx.progress.line(`  ${st.pod}: ${e.kind} (${failures}); reconnecting in ${(delayMs / 1000).toFixed(1)} s`);
    await sleep(Math.min(delayMs, Math.max(0, o.until - Date.now())), ctx.signal).catch(() => undefined);
    return false;
  }
  record(ctx, {
    record: 'gap',
    node: st.node,
    pod_namespace: st.namespace,
    pod_name: st.pod,
    state: 'not-collected',
    reason: e.kind,
    from: st.last_ts ?? new Date().toISOString(),
    to: new Date(o.until).toISOString(),
    message: `${st.node}: the log of ${st.namespace}/${st.pod} could not be read after ${failures} attempts (${e.message}); its events from then on are missing`,
  });
  return true;
}

/** A span of the node's events that may be missing (a rotation of the kubelet's log or of the export file). */
function possibleLoss(ctx: SensorContext, st: PodLogState, reason: string, from: string, to: string, message: string): void {
  record(ctx, { record: 'gap', node: st.node, pod_namespace: st.namespace, pod_name: st.pod, state: 'possible-loss', reason, from, to, message: `${st.node}: ${message}` });
}

function recordLoss(ctx: SensorContext, st: PodLogState, from: string, to: string, why: string): void {
  possibleLoss(ctx, st, 'log-rotation-possible', from, to, `events between ${from} and ${to} may be missing: ${why}, and the kubelet serves only the current log file (an earlier, rotated file is out of reach)`);
}

function recordRotation(ctx: SensorContext, st: PodLogState, ts: string, why: string): void {
  possibleLoss(ctx, st, 'export-rotation-possible', ts, ts, why);
}
