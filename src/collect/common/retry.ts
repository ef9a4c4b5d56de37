import { RequestFailure } from './collect-error.js';

/** How hard to try: attempts per request, exponential backoff, and the longest wait honoured. */
export interface RetryPolicy {
  /** Attempts in all (the first one included). */
  attempts: number;
  /** First backoff, doubled after each failure, up to maxDelayMs. */
  baseDelayMs: number;
  maxDelayMs: number;
  /** A Retry-After longer than this is cut to it (and the cut is reported). */
  maxRetryAfterMs: number;
}

export const DEFAULT_RETRY: RetryPolicy = { attempts: 5, baseDelayMs: 500, maxDelayMs: 8000, maxRetryAfterMs: 60_000 };

export interface RetryNotice {
  attempt: number;
  failure: RequestFailure;
  delayMs: number;
  /** The delay came from the server's Retry-After. */
  fromRetryAfter: boolean;
}

/** Waits `ms`, or less when `signal` aborts (then throws the abort reason). */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason as Error);
    const t = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = (): void => {
      clearTimeout(t);
      reject(signal!.reason as Error);
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/** The wait before the next attempt: the server's Retry-After when it gave one (capped), else backoff. */
export function retryDelay(policy: RetryPolicy, attempt: number, failure: RequestFailure): { delayMs: number; fromRetryAfter: boolean } {
  if (failure.retryAfterMs !== null) return { delayMs: Math.min(failure.retryAfterMs, policy.maxRetryAfterMs), fromRetryAfter: true };
  return { delayMs: Math.min(policy.baseDelayMs * 2 ** (attempt - 1), policy.maxDelayMs), fromRetryAfter: false };
}

/**
 * Runs `op` until it succeeds, fails with a kind that is not worth retrying, or runs out of
 * attempts (then the last failure is thrown, its message saying how many attempts were made).
 * Only RequestFailure is retried; anything else is a bug or an interruption and goes through.
 */
export async function withRetry<T>(
  op: (attempt: number) => Promise<T>,
  policy: RetryPolicy,
  o: { signal?: AbortSignal; onRetry?: (n: RetryNotice) => void } = {},
): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await op(attempt);
    } catch (e) {
      if (!(e instanceof RequestFailure) || !e.retryable || o.signal?.aborted) throw e;
      if (attempt >= policy.attempts) {
        throw new RequestFailure({
          kind: e.kind,
          server: e.server,
          what: `gave up after ${attempt} attempts`,
          detail: e.message.startsWith(`${e.server}: `) ? e.message.slice(e.server.length + 2) : e.message,
          status: e.status,
          body: e.body,
          exchange: e.exchange,
        });
      }
      const { delayMs, fromRetryAfter } = retryDelay(policy, attempt, e);
      o.onRetry?.({ attempt, failure: e, delayMs, fromRetryAfter });
      await sleep(delayMs, o.signal);
    }
  }
}
