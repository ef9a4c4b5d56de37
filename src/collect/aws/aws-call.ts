import type { HttpExchange } from '../common/exchange.js';
import { RequestFailure } from '../common/collect-error.js';
import { retryDelay, withRetry } from '../common/retry.js';
import type { ExchangeNote } from '../common/collection-run.js';
import { exchangeSlot, SinkError } from './capture-handler.js';
import { awsFailure, requestIdOf } from './aws-failure.js';
import type { AwsContext } from './aws-context.js';

export interface AwsCallSpec {
  /** cloudtrail | s3 | sts */
  service: string;
  /** LookupEvents, GetObject, ... */
  operation: string;
  region: string;
  /** What it is about, for the records: events, trail objects, public keys, identity. */
  resource: string;
  /** The parameters sent (recorded in custody; never a credential). */
  parameters: Record<string, unknown>;
  /** Rate-limit key (account/region for LookupEvents). */
  paceKey?: string;
}

export interface AwsCallResult<T> {
  output: T;
  exchange: HttpExchange;
  attempt: number;
  throttleWaitMs: number;
  /** Records the successful exchange: call once its evidence file (if any) is on disk. */
  record(note?: Partial<ExchangeNote>): void;
}

/**
 * One attempt's abort signal: the operator's stop, or podtrail's timeout. A controller, a timer and
 * a listener, all released when the attempt ends (AbortSignal.any and AbortSignal.timeout keep a
 * timer and a dependent signal per attempt alive long after it); a failed attempt is aborted too,
 * so a response it left unread does not hold its connection.
 */
function attemptAbort(stop: AbortSignal, timeoutMs: number): { signal: AbortSignal; readonly timedOut: boolean; done: (failed: boolean) => void } {
  const ac = new AbortController();
  let timedOut = false;
  const onStop = (): void => ac.abort(stop.reason);
  if (stop.aborted) onStop();
  else stop.addEventListener('abort', onStop, { once: true });
  const timer = setTimeout(() => {
    timedOut = true;
    ac.abort(new DOMException(`no complete response in ${timeoutMs} ms`, 'TimeoutError'));
  }, timeoutMs);
  timer.unref();
  return {
    signal: ac.signal,
    get timedOut() {
      return timedOut;
    },
    done: (failed) => {
      clearTimeout(timer);
      stop.removeEventListener('abort', onStop);
      if (failed && !ac.signal.aborted) ac.abort(new Error('the attempt failed'));
    },
  };
}

function newExchange(): HttpExchange {
  return { method: 'POST', url: '', requestBody: null, status: null, headers: {}, body: Buffer.alloc(0), requestedAtMs: Date.now(), respondedAtMs: 0 };
}

/**
 * One AWS operation through the SDK, retried by podtrail (the SDK's own retries are off): each
 * attempt's exchange is recorded (request id, parameters, outcome, the wait before the next attempt,
 * the time the rate limit held it), Retry-After is honoured, non-retryable failures stop at once.
 */
export async function awsCall<T>(ctx: AwsContext, spec: AwsCallSpec, send: (signal: AbortSignal) => Promise<T>): Promise<AwsCallResult<T>> {
  const what = `${spec.service} ${spec.operation} (${spec.region})`;
  return withRetry(
    async (attempt) => {
      const throttleWaitMs = spec.paceKey ? Math.round(await ctx.lookupPacer.wait(spec.paceKey, ctx.signal)) : 0;
      const ex = newExchange();
      ctx.stats.requests++;
      let output: T;
      const abort = attemptAbort(ctx.signal, ctx.timeoutMs);
      let failed = true;
      try {
        output = await exchangeSlot.run({ ex, signal: abort.signal }, () => send(abort.signal));
        failed = false;
      } catch (e) {
        if (ctx.signal.aborted) throw ctx.signal.reason;
        if (e instanceof SinkError) throw e.reason; // our disk, not the request: never retried
        const failure = abort.timedOut
          ? new RequestFailure({ kind: 'timeout', server: ex.url ? new URL(ex.url).origin : spec.service, what, detail: `no complete response in ${(ctx.timeoutMs / 1000).toFixed(1)} s`, status: ex.status, exchange: ex })
          : e instanceof RequestFailure
            ? e
            : awsFailure(e, ex, what);
        if (ex.respondedAtMs === 0) ex.respondedAtMs = Date.now();
        const retried = failure.retryable && attempt < ctx.retry.attempts;
        ctx.run.recordExchange(ex, {
          resource: spec.resource,
          verb: spec.operation,
          attempt,
          outcome: failure.kind,
          message: failure.message,
          server: ex.url ? new URL(ex.url).origin : `${spec.service}.${spec.region}`,
          requestId: requestIdOf(ex),
          parameters: spec.parameters,
          retryDelayMs: retried ? retryDelay(ctx.retry, attempt, failure).delayMs : null,
          throttleWaitMs,
        });
        throw failure;
      } finally {
        abort.done(failed);
      }
      ctx.stats.bytes += ex.streamed?.bytes ?? ex.body.length;
      return {
        output,
        exchange: ex,
        attempt,
        throttleWaitMs,
        record: (note: Partial<ExchangeNote> = {}) => {
          ctx.run.recordExchange(ex, {
            resource: spec.resource,
            verb: spec.operation,
            attempt,
            outcome: 'ok',
            server: new URL(ex.url).origin,
            requestId: requestIdOf(ex),
            parameters: spec.parameters,
            retryDelayMs: null,
            throttleWaitMs,
            ...note,
          });
        },
      };
    },
    ctx.retry,
    {
      signal: ctx.signal,
      onRetry: (n) => ctx.progress.line(`  ${what}: ${n.failure.kind} (attempt ${n.attempt}); retrying in ${(n.delayMs / 1000).toFixed(1)} s${n.fromRetryAfter ? ' (Retry-After)' : ''}`),
    },
  );
}
