import {
  AuthenticationV1Api,
  CoreV1Api,
  Observable,
  SelfDecodingBody,
  type HttpInfo,
  type ObservableMiddleware as Middleware,
  type RequestContext,
  type ResponseContext,
} from '@kubernetes/client-node';
import { RequestFailure, kindOfStatus, kindOfTransportError, retryAfterMs } from '../common/collect-error.js';
import type { HttpExchange } from '../common/exchange.js';
import type { KubeTarget } from './kube-target.js';
import { statusText } from './api-status.js';

/** The cluster-scoped resources podtrail snapshots (pods across all namespaces). */
export type ListResource = 'nodes' | 'pods' | 'serviceaccounts';

/** A page of a List: the exact bytes, with what client-node read of its metadata. */
export interface ListPage {
  exchange: HttpExchange;
  items: number;
  resourceVersion: string | null;
  continueToken: string | null;
}

/**
 * Calls the API through client-node's generated clients (CoreV1Api, AuthenticationV1Api: its
 * authentication, TLS, exec plugins and request building), with a middleware that keeps the exact
 * response bytes and headers of each call. The typed objects client-node builds are read for list
 * metadata only; the evidence is the bytes (client-node's models turn times into Date objects and
 * drop fields they do not know).
 */
export class K8sApi {
  private readonly core: CoreV1Api;
  private readonly auth: AuthenticationV1Api;
  constructor(
    readonly target: KubeTarget,
    private readonly timeoutMs: number,
  ) {
    this.core = target.kc.makeApiClient(CoreV1Api);
    this.auth = target.kc.makeApiClient(AuthenticationV1Api);
  }

  /** One page of a cluster-wide List (`limit`, `continue`). */
  async listPage(resource: ListResource, limit: number, continueToken: string | null, signal?: AbortSignal): Promise<ListPage> {
    const params = { limit, ...(continueToken ? { _continue: continueToken } : {}) };
    const call = (options: { middleware: Middleware[] }): Promise<HttpInfo<{ items: unknown[]; metadata?: { resourceVersion?: string; _continue?: string } }>> =>
      resource === 'nodes'
        ? this.core.listNodeWithHttpInfo(params, options)
        : resource === 'pods'
          ? this.core.listPodForAllNamespacesWithHttpInfo(params, options)
          : this.core.listServiceAccountForAllNamespacesWithHttpInfo(params, options);
    const { info, exchange } = await this.call(`list ${resource}`, call, signal);
    return {
      exchange,
      items: info.data.items.length,
      resourceVersion: info.data.metadata?.resourceVersion || null,
      continueToken: info.data.metadata?._continue || null,
    };
  }

  /** SelfSubjectReview: who the API server says the collector is. */
  async selfSubjectReview(signal?: AbortSignal): Promise<{ exchange: HttpExchange; user: { username?: string; uid?: string; groups?: string[] } }> {
    const body = { apiVersion: 'authentication.k8s.io/v1', kind: 'SelfSubjectReview' };
    const { info, exchange } = await this.call('create selfsubjectreviews', (options) => this.auth.createSelfSubjectReviewWithHttpInfo({ body }, options), signal);
    return { exchange, user: info.data.status?.userInfo ?? {} };
  }

  /**
   * Any client-node *WithHttpInfo call, with the request and the response bytes kept (the request
   * timeout and `signal` applied); a failure is a RequestFailure carrying the exchange. `what` names
   * the request in messages ("list pods", "create daemonsets").
   */
  async call<T>(what: string, call: (options: { middleware: Middleware[] }) => Promise<HttpInfo<T>>, signal?: AbortSignal): Promise<{ info: HttpInfo<T>; exchange: HttpExchange }> {
    const ex: HttpExchange = { method: 'GET', url: this.target.server, requestBody: null, status: null, headers: {}, body: Buffer.alloc(0), requestedAtMs: Date.now(), respondedAtMs: 0 };
    let bodyRead = false;
    const timeout = AbortSignal.timeout(this.timeoutMs);
    const capture: Middleware = {
      pre: (ctx: RequestContext) => {
        ex.method = String(ctx.getHttpMethod());
        ex.url = ctx.getUrl();
        const b = ctx.getBody();
        ex.requestBody = typeof b === 'string' ? Buffer.from(b, 'utf8') : null;
        ctx.setSignal(signal ? AbortSignal.any([signal, timeout]) : timeout);
        ex.requestedAtMs = Date.now();
        return new Observable(Promise.resolve(ctx));
      },
      post: (rsp: ResponseContext) =>
        new Observable(
          (async () => {
            ex.status = rsp.httpStatusCode;
            ex.headers = { ...rsp.headers };
            ex.body = await rsp.body.binary();
            bodyRead = true;
            ex.respondedAtMs = Date.now();
            rsp.body = new SelfDecodingBody(Promise.resolve(ex.body));
            return rsp;
          })(),
        ),
    };
    try {
      const info = await call({ middleware: [capture] });
      return { info, exchange: ex };
    } catch (e) {
      if (signal?.aborted) throw signal.reason;
      if (ex.respondedAtMs === 0) ex.respondedAtMs = Date.now();
      const server = this.target.server;
      if (!bodyRead) {
        const t = kindOfTransportError(e);
        throw new RequestFailure({ kind: t.kind, server, what: what, detail: t.detail, exchange: ex });
      }
      const status = ex.status ?? 0;
      if (status >= 200 && status < 300) {
        // the body came, but client-node could not read it: cut short, or not the JSON expected
        throw new RequestFailure({ kind: isJson(ex.body) ? 'protocol' : 'cut', server, what, detail: `HTTP ${status} with a body that is not a complete ${what} response (${(e as Error).message.split('\n')[0]})`, status, exchange: ex });
      }
      throw new RequestFailure({
        kind: kindOfStatus(status),
        server,
        what,
        detail: statusText(status, ex.body),
        status,
        retryAfterMs: retryAfterMs(ex.headers['retry-after'], Date.now()),
        body: ex.body,
        exchange: ex,
      });
    }
  }
}

function isJson(b: Buffer): boolean {
  try {
    JSON.parse(b.toString('utf8'));
    return true;
  } catch {
    return false;
  }
}
