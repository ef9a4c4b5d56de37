import { RequestFailure } from '../common/collect-error.js';
import { sleep } from '../common/retry.js';
import { openWatch } from '../k8s/watch-stream.js';
import { splitLogLine, tsMs } from './log-lines.js';
import { record, type SensorContext } from './sensor-context.js';

/** What the podtrail-clock container prints (deploy/sensor/common/clock.sh). */
interface ClockLine {
  podtrail?: string;
  node?: string;
  date?: string;
  timesyncd?: boolean;
  timesyncd_synchronized_at?: number | null;
  chronyd?: boolean;
  ntpd?: boolean;
}

/** The Date header's resolution (1 s) as a ± bound, plus the delivery of a log line (kubelet to podtrail). */
export const CLOCK_UNCERTAINTY_MS = 1000;

/** synchronized | not-synchronized | chrony (its state is not visible) | ntpd | unknown */
export function timesyncState(l: ClockLine): string {
  if (typeof l.timesyncd_synchronized_at === 'number') return 'synchronized';
  if (l.chronyd) return 'chrony';
  if (l.ntpd) return 'ntpd';
  if (l.timesyncd) return 'not-synchronized';
  return 'unknown';
}

/**
 * Reads a sensor pod's clock reports as they come (`tailLines=0&follow=true&timestamps=true`) until
 * `until`. Each line's kubelet timestamp is the node's clock when the line was written; the API
 * server's clock at that moment is estimated from the same response: its Date header (1 s
 * resolution, taken as mid-second) plus the local time elapsed since the headers came. Their
 * difference (node minus API server) is a clock record, ± CLOCK_UNCERTAINTY_MS, with the host's
 * time-sync state as the line shows it. Lines older than the request are never served
 * (tailLines=0), so a report is never read late.
 */
export async function followClock(ctx: SensorContext, p: { namespace: string; pod: string; node: string; container: string }, until: number): Promise<number> {
  let reports = 0;
  let failures = 0;
  while (!ctx.signal.aborted && Date.now() < until) {
    const q = new URLSearchParams({ container: p.container, follow: 'true', timestamps: 'true', tailLines: '0' });
    const path = `/api/v1/namespaces/${encodeURIComponent(p.namespace)}/pods/${encodeURIComponent(p.pod)}/log?${q.toString()}`;
    const seq = ctx.run.nextSeq();
    const stopAt = AbortSignal.timeout(Math.max(1, until - Date.now()));
    const signal = AbortSignal.any([ctx.signal, stopAt]);
    let conn;
    try {
      conn = await openWatch(ctx.target, path, { timeoutMs: ctx.timeoutMs, idleMs: ctx.idleMs, signal, what: `get pods/log ${p.namespace}/${p.pod} (clock)` });
    } catch (e) {
      if (stopAt.aborted || ctx.signal.aborted) break;
      if (!(e instanceof RequestFailure)) throw e;
      if (e.exchange) ctx.run.recordExchange(e.exchange, { resource: 'pods/log', verb: 'get', attempt: ++failures, outcome: e.kind, message: e.message }, seq);
      if (!e.retryable || failures >= ctx.retry.attempts) return reports;
      await sleep(ctx.retry.baseDelayMs, ctx.signal).catch(() => undefined);
      continue;
    }
    const headersAt = Date.now();
    const date = Date.parse(conn.exchange.headers['date'] ?? '');
    let n = 0;
    try {
      for await (const line of conn.lines) {
        const receivedAt = line.receivedAtMs;
        const parts = splitLogLine(line.bytes);
        if (!parts) continue;
        let body: ClockLine;
        try {
          body = JSON.parse(parts.content.toString('utf8')) as ClockLine;
        } catch {
          continue;
        }
        if (body.podtrail !== 'node-clock/v1') continue;
        n++;
        const nodeMs = tsMs(parts.ts);
        const serverMs = Number.isNaN(date) ? null : date + 500 + (receivedAt - headersAt);
        const offset = serverMs === null ? null : nodeMs - serverMs;
        const sync = timesyncState(body);
        record(ctx, {
          record: 'clock',
          node: p.node,
          pod_namespace: p.namespace,
          pod_name: p.pod,
          node_time: parts.ts,
          server_time: serverMs === null ? null : new Date(serverMs).toISOString(),
          clock_offset_ms: offset,
          clock_uncertainty_ms: CLOCK_UNCERTAINTY_MS,
          timesync: sync,
          detail: { report: body as Record<string, unknown>, local_received_at: new Date(receivedAt).toISOString(), server_date: conn.exchange.headers['date'] ?? null, request_seq: seq },
          message:
            offset === null
              ? `${p.node}: clock reported at ${parts.ts}; the API server sent no Date, so no offset`
              : `${p.node}: node clock ${offset >= 0 ? '+' : ''}${Math.round(offset)} ms against the API server (±${CLOCK_UNCERTAINTY_MS} ms); time sync: ${sync}`,
        });
      }
    } catch (e) {
      if (!(e instanceof RequestFailure) && !signal.aborted) throw e;
    } finally {
      conn.close();
    }
    const s = conn.stats();
    ctx.run.recordExchange(conn.exchange, { resource: 'pods/log', verb: 'get', attempt: 1, outcome: 'ok', streamed: { bytes: s.bytes, sha256: s.sha256 }, message: `${n} clock reports` }, seq);
    reports += n;
    if (Date.now() < until && !ctx.signal.aborted) await sleep(Math.min(500, Math.max(0, until - Date.now())), ctx.signal).catch(() => undefined);
  }
  return reports;
}
