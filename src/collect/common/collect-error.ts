import { CliError, ExitCode } from '../../core/errors.js';
import type { HttpExchange } from './exchange.js';

/**
 * What went wrong talking to a server, in the terms a responder acts on. `retryable` kinds are
 * retried with backoff (bounded); the others stop the request at once.
 */
export type FailureKind =
  | 'unreachable' // connection refused, DNS, reset before a response
  | 'tls' // certificate not trusted, wrong host name, handshake failure
  | 'unauthorized' // 401: credentials refused
  | 'forbidden' // 403: authenticated, not allowed
  | 'not-found' // 404: the API (or resource) does not exist on this server
  | 'expired' // 410: continue token or resourceVersion too old
  | 'throttled' // 429 (Retry-After honoured)
  | 'server' // 5xx
  | 'timeout' // no response (or no progress) within the request timeout
  | 'cut' // the response ended before its end (connection closed mid-body)
  | 'protocol'; // a response podtrail cannot read (not JSON where JSON is due)

const RETRYABLE: ReadonlySet<FailureKind> = new Set(['unreachable', 'throttled', 'server', 'timeout', 'cut']);

/** A failed request: names the server, what was asked and why it failed. */
export class RequestFailure extends CliError {
  readonly kind: FailureKind;
  readonly server: string;
  readonly status: number | null;
  /** Milliseconds the server asked to wait (Retry-After), when it did. */
  readonly retryAfterMs: number | null;
  /** The response bytes, when there was a response (a Status object, usually). */
  readonly body: Buffer | null;
  /** The request as far as it went, for the custody record of the attempt. */
  readonly exchange: HttpExchange | null;
  constructor(o: {
    kind: FailureKind;
    server: string;
    what: string;
    detail: string;
    status?: number | null;
    retryAfterMs?: number | null;
    body?: Buffer | null;
    exchange?: HttpExchange | null;
  }) {
    super(`${o.server}: ${o.what}: ${o.detail}`, ExitCode.error);
    this.name = 'RequestFailure';
    this.kind = o.kind;
    this.server = o.server;
    this.status = o.status ?? null;
    this.retryAfterMs = o.retryAfterMs ?? null;
    this.body = o.body ?? null;
    this.exchange = o.exchange ?? null;
  }

  get retryable(): boolean {
    return RETRYABLE.has(this.kind);
  }
}

/** The kind of an HTTP error status. */
export function kindOfStatus(status: number): FailureKind {
  if (status === 401) return 'unauthorized';
  if (status === 403) return 'forbidden';
  if (status === 404) return 'not-found';
  if (status === 410) return 'expired';
  if (status === 429) return 'throttled';
  if (status >= 500) return 'server';
  return 'protocol';
}

/** Node's TLS error codes (certificate and handshake problems). */
const TLS_CODES = /^(ERR_TLS_|ERR_SSL_|UNABLE_TO_|DEPTH_ZERO_SELF_SIGNED_CERT|SELF_SIGNED_CERT_IN_CHAIN|CERT_|ERR_OSSL)/;

/** The kind of a transport error (no HTTP response), from its code and message. */
export function kindOfTransportError(e: unknown): { kind: FailureKind; detail: string } {
  const err = e as { code?: string; errno?: string; type?: string; name?: string; message?: string };
  const code = err.code ?? err.errno ?? '';
  const message = String(err.message ?? e);
  if (TLS_CODES.test(code) || /certificate|self[- ]signed|altnames|SSL routines|handshake/i.test(message)) {
    return { kind: 'tls', detail: `TLS failure (${code || 'handshake'}): ${message}` };
  }
  if (err.name === 'AbortError' || err.type === 'aborted' || code === 'ETIMEDOUT' || /timed? ?out/i.test(message)) {
    return { kind: 'timeout', detail: `no answer in time (${message})` };
  }
  if (code === 'ERR_STREAM_PREMATURE_CLOSE' || /premature close|aborted|socket hang up|ECONNRESET|terminated|Unexpected end|unexpected end/i.test(message) || code === 'ECONNRESET') {
    return { kind: 'cut', detail: `connection cut before the response ended (${code || message})` };
  }
  if (['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH', 'EPIPE'].includes(code)) {
    return { kind: 'unreachable', detail: `API server unreachable (${code})` };
  }
  return { kind: 'unreachable', detail: `request failed (${code ? `${code}: ` : ''}${message})` };
}

/** Retry-After: delta-seconds or an HTTP date, in milliseconds from `nowMs`; null when absent or unreadable. */
export function retryAfterMs(header: string | undefined | null, nowMs: number): number | null {
  if (header === undefined || header === null || header.trim() === '') return null;
  const t = header.trim();
  if (/^\d+$/.test(t)) return Number(t) * 1000;
  const at = Date.parse(t);
  return Number.isNaN(at) ? null : Math.max(0, at - nowMs);
}
