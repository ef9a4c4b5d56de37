import http from 'node:http';
import https from 'node:https';
import { createHash, type Hash } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { RequestFailure, kindOfStatus, kindOfTransportError, retryAfterMs } from '../common/collect-error.js';
import type { HttpExchange } from '../common/exchange.js';
import type { KubeTarget } from './kube-target.js';
import { statusText } from './api-status.js';

/** One line of a watch stream, as the bytes sent (newline excluded), with its local receive time. */
export interface WatchLine {
  bytes: Buffer;
  receivedAtMs: number;
}

/** An open watch response: its lines as they come; the stream's byte count and hash as it goes. */
export interface WatchConnection {
  exchange: HttpExchange;
  lines: AsyncGenerator<WatchLine>;
  /** Bytes received so far, their SHA-256 so far (digest taken once, at the end). */
  stats(): { bytes: number; sha256: string; trailingBytes: number };
  close(): void;
}

const MAX_ERROR_BODY = 1 << 20;

/**
 * Opens a watch through client-node's request path (KubeConfig.applyToHTTPSOptions: the same TLS
 * agent, credentials and exec plugins its Watch class uses) but reads the stream itself: client-node's
 * Watch parses each line and drops the ones it cannot parse, while evidence needs every line's bytes
 * and the moment it arrived. `idleMs`: no byte for that long (not even a bookmark) ends the stream
 * as a timeout, so a stalled connection is noticed and resumed. Any streamed GET of lines reads the
 * same way (a followed pod log): `what` names it in messages.
 */
export async function openWatch(target: KubeTarget, pathAndQuery: string, o: { timeoutMs: number; idleMs: number; signal?: AbortSignal; what?: string }): Promise<WatchConnection> {
  const opts: https.RequestOptions = {};
  await target.kc.applyToHTTPSOptions(opts);
  const url = new URL(target.server + pathAndQuery);
  const ex: HttpExchange = { method: 'GET', url: url.toString(), requestBody: null, status: null, headers: {}, body: Buffer.alloc(0), requestedAtMs: Date.now(), respondedAtMs: 0 };
  const what = o.what ?? 'watch pods';
  const lib = url.protocol === 'http:' ? http : https;
  const res = await new Promise<IncomingMessage>((resolve, reject) => {
    const req = lib.request(url, {
      method: 'GET',
      agent: opts.agent,
      headers: { ...(opts.headers ?? {}), Accept: 'application/json' },
      ...(opts.auth ? { auth: opts.auth } : {}),
      ...(o.signal ? { signal: o.signal } : {}),
    });
    const headerTimer = setTimeout(() => req.destroy(Object.assign(new Error(`no response headers in ${o.timeoutMs} ms`), { code: 'ETIMEDOUT' })), o.timeoutMs);
    req.on('response', (r) => {
      clearTimeout(headerTimer);
      resolve(r);
    });
    req.on('error', (e) => {
      clearTimeout(headerTimer);
      reject(e);
    });
    req.end();
  }).catch((e: unknown) => {
    if (o.signal?.aborted) throw o.signal.reason;
    ex.respondedAtMs = Date.now();
    const t = kindOfTransportError(e);
    throw new RequestFailure({ kind: t.kind, server: target.server, what, detail: t.detail, exchange: ex });
  });
  ex.status = res.statusCode ?? 0;
  for (const [k, v] of Object.entries(res.headers)) if (v !== undefined) ex.headers[k] = Array.isArray(v) ? v.join(', ') : v;

  if (ex.status !== 200) {
    ex.body = await readBounded(res, MAX_ERROR_BODY).catch(() => Buffer.alloc(0));
    ex.respondedAtMs = Date.now();
    throw new RequestFailure({
      kind: kindOfStatus(ex.status),
      server: target.server,
      what,
      detail: statusText(ex.status, ex.body),
      status: ex.status,
      retryAfterMs: retryAfterMs(ex.headers['retry-after'], Date.now()),
      body: ex.body,
      exchange: ex,
    });
  }

  const hash: Hash = createHash('sha256');
  let bytes = 0;
  let pending: Buffer = Buffer.alloc(0);
  let digest: string | null = null;
  res.socket?.setTimeout(o.idleMs, () => res.destroy(Object.assign(new Error(`no data for ${o.idleMs} ms`), { code: 'ETIMEDOUT' })));

  async function* lines(): AsyncGenerator<WatchLine> {
    try {
      for await (const chunk of res as AsyncIterable<Buffer>) {
        const receivedAtMs = Date.now();
        hash.update(chunk);
        bytes += chunk.length;
        let buf = pending.length > 0 ? Buffer.concat([pending, chunk]) : chunk;
        let nl: number;
        while ((nl = buf.indexOf(0x0a)) !== -1) {
          const line = buf.subarray(0, nl);
          buf = buf.subarray(nl + 1);
          if (line.length > 0 && !(line.length === 1 && line[0] === 0x0d)) yield { bytes: Buffer.from(line), receivedAtMs };
        }
        pending = Buffer.from(buf);
      }
      if (!res.complete) throw Object.assign(new Error('the response ended before its last chunk'), { code: 'ERR_STREAM_PREMATURE_CLOSE' });
    } catch (e) {
      if (o.signal?.aborted) throw o.signal.reason;
      const t = kindOfTransportError(e);
      throw new RequestFailure({ kind: t.kind, server: target.server, what, detail: t.detail, status: 200, exchange: ex });
    } finally {
      ex.respondedAtMs = Date.now();
    }
  }

  return {
    exchange: ex,
    lines: lines(),
    stats: () => {
      digest ??= ex.respondedAtMs > 0 ? hash.digest('hex') : null;
      return { bytes, sha256: digest ?? hash.copy().digest('hex'), trailingBytes: pending.length };
    },
    close: () => res.destroy(),
  };
}

function readBounded(res: IncomingMessage, max: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const parts: Buffer[] = [];
    let n = 0;
    res.on('data', (c: Buffer) => {
      if (n < max) parts.push(c.subarray(0, max - n));
      n += c.length;
    });
    res.on('end', () => resolve(Buffer.concat(parts)));
    res.on('error', reject);
  });
}
