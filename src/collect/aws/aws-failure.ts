import { RequestFailure, kindOfTransportError, retryAfterMs, type FailureKind } from '../common/collect-error.js';
import type { HttpExchange } from '../common/exchange.js';

const THROTTLED = new Set(['ThrottlingException', 'Throttling', 'ThrottledException', 'RequestLimitExceeded', 'TooManyRequestsException', 'SlowDown', 'RequestThrottled', 'RequestThrottledException', 'ProvisionedThroughputExceededException']);
const UNAUTHORIZED = new Set(['InvalidClientTokenId', 'InvalidAccessKeyId', 'SignatureDoesNotMatch', 'ExpiredToken', 'ExpiredTokenException', 'UnrecognizedClientException', 'InvalidToken', 'CredentialsProviderError', 'AuthFailure']);
const EXPIRED = new Set(['InvalidNextTokenException', 'InvalidNextToken']);

/**
 * An AWS SDK error as a RequestFailure: the kind from the HTTP status and the error code (AWS
 * throttles with 400 ThrottlingException as often as with 429 or 503 SlowDown), the message naming
 * the service endpoint and the operation, the exchange as far as it went.
 */
export function awsFailure(e: unknown, ex: HttpExchange, what: string): RequestFailure {
  const err = e as { name?: string; Code?: string; code?: string; message?: string; $metadata?: { httpStatusCode?: number } };
  const server = ex.url ? new URL(ex.url).origin : 'aws';
  const status = ex.status ?? err.$metadata?.httpStatusCode ?? null;
  const code = err.name ?? err.Code ?? '';
  if (err.code === 'ERR_STREAM_PREMATURE_CLOSE') {
    return new RequestFailure({ kind: 'cut', server, what, detail: `connection cut before the response ended (${err.message})`, status, exchange: ex });
  }
  if (status === null) {
    if (code === 'CredentialsProviderError') return new RequestFailure({ kind: 'unauthorized', server, what, detail: `no AWS credentials: ${err.message ?? code} (the SDK's default chain: environment, --profile or AWS_PROFILE, SSO, web identity, container and instance roles)`, exchange: ex });
    const t = kindOfTransportError(e);
    return new RequestFailure({ kind: code === 'TimeoutError' ? 'timeout' : t.kind, server, what, detail: t.detail, exchange: ex });
  }
  let kind: FailureKind;
  if (THROTTLED.has(code) || status === 429) kind = 'throttled';
  else if (status >= 500) kind = 'server';
  else if (UNAUTHORIZED.has(code) || status === 401) kind = 'unauthorized';
  else if (status === 403) kind = 'forbidden';
  else if (status === 404) kind = 'not-found';
  else if (EXPIRED.has(code)) kind = 'expired';
  else kind = 'protocol';
  const detail = status >= 200 && status < 300 ? `HTTP ${status} with a response that could not be read (${err.message ?? code})` : `HTTP ${status} ${code}${err.message && err.message !== code ? `: ${err.message}` : ''}`;
  return new RequestFailure({ kind, server, what, detail, status, retryAfterMs: retryAfterMs(ex.headers['retry-after'], Date.now()), body: ex.body, exchange: ex });
}

/** The request id AWS gave the exchange. */
export function requestIdOf(ex: HttpExchange): string | null {
  return ex.headers['x-amzn-requestid'] ?? ex.headers['x-amz-request-id'] ?? null;
}
