import { AsyncLocalStorage } from 'node:async_hooks';
import { createHash } from 'node:crypto';
import { Readable, Transform } from 'node:stream';
import type { HttpExchange } from '../common/exchange.js';

/**
 * Keeps the exact bytes of every AWS request and response. The SDK's own HTTP handler sends the
 * request; this wrapper, installed as the client's requestHandler, notes the method, URL and body
 * sent (never the headers: they carry the signature and the session token), reads the whole
 * response body (a body cut short is an error, not a shorter answer), keeps it in the exchange of
 * the call that runs (AsyncLocalStorage: calls run concurrently) and hands the same bytes to the
 * SDK's parser. With maxAttempts 1 every SDK call is exactly one HTTP exchange. The call's abort
 * signal (the operator's stop and podtrail's timeout) comes with the exchange, so a call need not
 * pass per-call options to `send`, and the SDK can reuse the middleware it resolved for the
 * command (cacheMiddleware: any per-call options make it resolve them again, for every call).
 *
 * A call may instead stream its successful response body into a sink (`streamBodyInto`: a trail
 * file written as it comes): the bytes are then hashed as they pass, written, and handed on to the
 * SDK's body stream (its checksum validation still sees them); the exchange keeps their count and
 * hash (`streamed`), not the bytes. The call must read the SDK's body to its end.
 */
export interface CallSlot {
  ex: HttpExchange;
  signal: AbortSignal;
  sink?: BodySink;
}

/** Where a streamed body goes: each chunk in order (the next waits for a returned promise). */
export interface BodySink {
  write(chunk: Buffer): Promise<void> | void;
}

/** The sink failed (a local write): not the server's doing, never retried as a request. */
export class SinkError extends Error {
  constructor(readonly reason: unknown) {
    super(`writing the response body failed: ${(reason as Error)?.message ?? String(reason)}`);
    this.name = 'SinkError';
  }
}

/** Streams the 2xx response body of the current call (an awsCall's send) into `sink`. */
export function streamBodyInto(sink: BodySink): void {
  const slot = exchangeSlot.getStore();
  if (!slot) throw new Error('streamBodyInto: not inside an AWS call');
  slot.sink = sink;
}

export const exchangeSlot = new AsyncLocalStorage<CallSlot>();

interface SmithyRequest {
  method: string;
  protocol: string;
  hostname: string;
  port?: number;
  path: string;
  query?: Record<string, string | string[] | null>;
  body?: unknown;
}

interface SmithyResponse {
  statusCode: number;
  headers: Record<string, string>;
  body?: unknown;
}

interface RequestHandler {
  handle(request: SmithyRequest, options?: unknown): Promise<{ response: SmithyResponse }>;
  destroy?(): void;
  updateHttpClientConfig?(key: never, value: never): void;
  httpHandlerConfigs?(): unknown;
  metadata?: unknown;
}

function urlOf(r: SmithyRequest): string {
  const q = Object.entries(r.query ?? {}).flatMap(([k, v]) =>
    v === null ? [encodeURIComponent(k)] : (Array.isArray(v) ? v : [v]).map((x) => `${encodeURIComponent(k)}=${encodeURIComponent(x)}`),
  );
  return `${r.protocol}//${r.hostname}${r.port ? `:${r.port}` : ''}${r.path}${q.length ? `?${q.join('&')}` : ''}`;
}

function bodyOf(b: unknown): Buffer | null {
  if (b === undefined || b === null) return null;
  if (typeof b === 'string') return Buffer.from(b, 'utf8');
  // a view of the bytes, copied: the SDK's JSON body is a Uint8Array whose valueOf() would turn it into text
  if (b instanceof Uint8Array) return Buffer.concat([new Uint8Array(b.buffer, b.byteOffset, b.byteLength)]);
  return null;
}

/** A larger announced length is not trusted with an allocation up front. */
const PREALLOCATE_MAX = 64 * 1024 * 1024;

/**
 * A response body gathered with one copy of each byte: into a buffer of the announced
 * Content-Length as the chunks come (no list of chunks, no join), or, without a usable length or
 * past it, the chunks kept and joined at the end. A body shorter than announced is the bytes that
 * came (the caller reports it cut).
 */
class BodyBytes {
  private buf: Buffer | null;
  private parts: Buffer[] = [];
  length = 0;
  constructor(expected: number | null) {
    this.buf = expected !== null ? Buffer.allocUnsafe(expected) : null;
  }

  add(chunk: Uint8Array): void {
    if (this.buf !== null && this.length + chunk.byteLength <= this.buf.length) this.buf.set(chunk, this.length);
    else {
      if (this.buf !== null) {
        this.parts.push(this.buf.subarray(0, this.length)); // more than announced: keep every byte
        this.buf = null;
      }
      this.parts.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength));
    }
    this.length += chunk.byteLength;
  }

  bytes(): Buffer {
    if (this.buf !== null) return this.length === this.buf.length ? this.buf : this.buf.subarray(0, this.length);
    return this.parts.length === 1 ? this.parts[0]! : Buffer.concat(this.parts);
  }
}

function cut(message: string): Error {
  return Object.assign(new Error(message), { code: 'ERR_STREAM_PREMATURE_CLOSE' });
}

/**
 * The body as it comes, each chunk hashed and written to the sink before it is passed on (the next
 * chunk waits for the sink); the exchange gets the count and hash of what came (also when it broke
 * off) and its end time. A body shorter than announced, or cut, is an error of the stream.
 */
function streamed(stream: Readable & { complete?: boolean }, sink: BodySink, ex: HttpExchange, expected: number): Readable {
  const hash = createHash('sha256');
  let received = 0;
  let ended = false;
  const end = (): void => {
    if (ended) return;
    ended = true;
    ex.streamed = { bytes: received, sha256: hash.digest('hex') };
    ex.respondedAtMs = Date.now();
  };
  const tee = new Transform({
    transform(chunk: Buffer, _encoding, done) {
      hash.update(chunk);
      received += chunk.length;
      let wrote: Promise<void> | void;
      try {
        wrote = sink.write(chunk);
      } catch (e) {
        return done(new SinkError(e));
      }
      if (wrote) wrote.then(() => done(null, chunk), (e: unknown) => done(new SinkError(e)));
      else done(null, chunk);
    },
    flush(done) {
      end();
      if (stream.complete === false || (Number.isFinite(expected) && received < expected)) done(cut(`the response ended after ${received} of ${Number.isFinite(expected) ? expected : '?'} bytes`));
      else done();
    },
  });
  stream.on('error', (e: Error) => {
    end();
    tee.destroy(e.name === 'AbortError' ? e : cut(`the response broke off after ${received} bytes (${e.message})`));
  });
  stream.on('close', () => {
    if (stream.readableEnded) return;
    end();
    tee.destroy(cut(`the response broke off after ${received} bytes`));
  });
  tee.on('close', () => {
    if (!stream.readableEnded) stream.destroy(); // the reader stopped, or the sink failed: stop reading
  });
  stream.pipe(tee);
  return tee;
}

/** Wraps a client's request handler (client.config.requestHandler) so every exchange is kept. */
export function captureExchanges(client: { config: { requestHandler: unknown } }): void {
  const inner = client.config.requestHandler as RequestHandler;
  const wrapper: RequestHandler = {
    metadata: inner.metadata,
    destroy: () => inner.destroy?.(),
    updateHttpClientConfig: (k, v) => inner.updateHttpClientConfig?.(k, v),
    httpHandlerConfigs: () => inner.httpHandlerConfigs?.(),
    handle: async (request, options) => {
      const slot = exchangeSlot.getStore();
      const ex = slot?.ex;
      if (slot && !(options as { abortSignal?: unknown } | undefined)?.abortSignal) options = { ...(options as object | undefined), abortSignal: slot.signal };
      if (ex) {
        ex.method = request.method;
        ex.url = urlOf(request);
        ex.requestBody = bodyOf(request.body);
        ex.requestedAtMs = Date.now();
      }
      const out = await inner.handle(request, options);
      const res = out.response;
      if (ex) {
        ex.status = res.statusCode;
        ex.headers = Object.fromEntries(Object.entries(res.headers ?? {}).map(([k, v]) => [k.toLowerCase(), String(v)]));
      }
      const stream = res.body as (Readable & { complete?: boolean }) | undefined;
      const expected = Number(ex?.headers['content-length'] ?? NaN);
      if (ex && slot?.sink && res.statusCode >= 200 && res.statusCode < 300 && request.method === 'GET' && stream && typeof (stream as AsyncIterable<Buffer>)[Symbol.asyncIterator] === 'function') {
        res.body = streamed(stream, slot.sink, ex, expected);
        return { response: res };
      }
      const body = new BodyBytes(request.method !== 'HEAD' && Number.isSafeInteger(expected) && expected >= 0 && expected <= PREALLOCATE_MAX ? expected : null);
      if (stream && typeof (stream as AsyncIterable<Buffer>)[Symbol.asyncIterator] === 'function') {
        try {
          for await (const chunk of stream as AsyncIterable<Uint8Array>) body.add(chunk);
        } catch (e) {
          if ((e as Error).name === 'AbortError') throw e;
          throw Object.assign(new Error(`the response broke off after ${body.length} bytes (${(e as Error).message})`), { code: 'ERR_STREAM_PREMATURE_CLOSE' });
        } finally {
          if (ex) {
            ex.body = body.bytes();
            ex.respondedAtMs = Date.now();
          }
        }
        const received = body.length;
        if (stream.complete === false || (Number.isFinite(expected) && request.method !== 'HEAD' && received < expected)) {
          throw Object.assign(new Error(`the response ended after ${received} of ${Number.isFinite(expected) ? expected : '?'} bytes`), { code: 'ERR_STREAM_PREMATURE_CLOSE' });
        }
      } else if (ex) {
        ex.respondedAtMs = Date.now();
      }
      res.body = Readable.from([ex ? ex.body : body.bytes()]);
      return { response: res };
    },
  };
  client.config.requestHandler = wrapper;
}
