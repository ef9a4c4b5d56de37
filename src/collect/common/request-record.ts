import { createHash } from 'node:crypto';

/**
 * One request podtrail made to a server, as custody and the collection log record it: what was
 * asked, of whom, what came back (sizes and SHA-256 of both bodies), the server's clock against
 * ours, and which evidence file holds the response bytes. Never a credential: request headers are
 * not recorded, and the request digest covers only the method, the URL and the body.
 */
export interface RequestRecord {
  collection_id: string;
  run: number;
  /** 1-based order of the request in its run. */
  seq: number;
  /** Attempt of a retried request (1 for the first). */
  attempt: number;
  server: string;
  method: string;
  /** URL path and query, as sent. */
  path: string;
  /** What the request was about: a resource (pods, nodes, ...) or an API (selfsubjectreviews). */
  resource: string;
  /** list | watch | create | get ... */
  verb: string;
  /** Local clock when the request was sent and when its response ended (ISO UTC, ms). */
  requested_at: string;
  responded_at: string;
  /** HTTP status, or null when no response came. */
  status: number | null;
  /** ok, or the failure kind (forbidden, throttled, cut, ...). */
  outcome: string;
  /** The list's (or the last watch event's) resourceVersion. */
  resource_version: string | null;
  request_bytes: number;
  request_sha256: string;
  response_bytes: number;
  response_sha256: string;
  /** The evidence file that holds the response bytes, relative to the case; null when not kept. */
  response_file: string | null;
  /** The server's Date header (second resolution), and our clock minus it in milliseconds. */
  server_date: string | null;
  clock_difference_ms: number | null;
  /** Who the server says we are (or what the configuration names, when the server cannot say). */
  identity: string;
  /** The failure, the retry wait, or what the response meant. */
  message: string | null;
  /** The server's id of the request (AWS x-amzn-RequestId / x-amz-request-id), when it gave one. */
  request_id?: string | null;
  /** The operation's parameters as sent (never a credential), for APIs whose URL does not show them. */
  parameters?: Record<string, unknown> | null;
  /** The wait before the next attempt, when this attempt failed and is retried (ms). */
  retry_delay_ms?: number | null;
  /** Time this request waited for the rate limit before it was sent (ms). */
  throttle_wait_ms?: number | null;
}

export function sha256Hex(data: Buffer | string): string {
  return createHash('sha256').update(data).digest('hex');
}

/** The bytes a request digest covers: `METHOD URL` then the body (no headers: they carry credentials). */
export function requestDigest(method: string, url: string, body: Buffer | string | null): { bytes: number; sha256: string } {
  const b = body === null ? Buffer.alloc(0) : Buffer.isBuffer(body) ? body : Buffer.from(body, 'utf8');
  const text = Buffer.concat([Buffer.from(`${method} ${url}\n\n`, 'utf8'), b]);
  return { bytes: b.length, sha256: sha256Hex(text) };
}

/** The server's Date header as ISO, and local minus server in ms (positive: our clock is ahead). */
export function serverClock(dateHeader: string | null | undefined, localMs: number): { server_date: string | null; clock_difference_ms: number | null } {
  if (!dateHeader) return { server_date: null, clock_difference_ms: null };
  const at = Date.parse(dateHeader);
  if (Number.isNaN(at)) return { server_date: null, clock_difference_ms: null };
  return { server_date: new Date(at).toISOString(), clock_difference_ms: localMs - at };
}
