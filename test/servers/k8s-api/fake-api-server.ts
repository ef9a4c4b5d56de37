import https from 'node:https';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import type { TestPki } from './pki.js';
import * as S from './status.js';

type Obj = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

export type Resource = 'nodes' | 'pods' | 'serviceaccounts';
const LIST_KIND: Record<Resource, string> = { nodes: 'NodeList', pods: 'PodList', serviceaccounts: 'ServiceAccountList' };

/** What a fault does to the request it matches. */
export type FaultAction =
  | { kind: 'status'; code: 410 | 429 | 500 | 503 | 403 | 401 | 404; retryAfter?: number }
  | { kind: 'slow'; ms: number } // hold the response headers this long
  | { kind: 'cut'; afterBytes: number } // a List: send this many bytes of the body, then close
  | { kind: 'cut-watch'; afterEvents: number; midLine?: boolean } // a watch: close after n events (the next one half sent)
  | { kind: 'reset' }; // close the connection before any response

export interface Fault {
  /** e.g. "list pods", "watch pods", "create selfsubjectreviews"; with `continued` only continued pages. */
  request: string;
  continued?: boolean;
  /** How many matching requests it hits (default 1). */
  times?: number;
  action: FaultAction;
}

export interface ReceivedRequest {
  method: string;
  path: string;
  query: Record<string, string>;
  verb: string;
  resource: string;
  authorization: string | null;
  at: number;
}

interface WatchEvent {
  rv: number;
  type: 'ADDED' | 'MODIFIED' | 'DELETED';
  object: Obj;
}

/** An extra endpoint (for collectors beyond the snapshots: a DaemonSet, a pod log, ...). */
export interface Route {
  method: string;
  path: RegExp;
  /** RBAC verb and resource of the request, for `forbid` and faults ("create daemonsets"). */
  verb: string;
  resource: string;
  handle(req: IncomingMessage, res: ServerResponse, o: { match: RegExpExecArray; query: Record<string, string>; body: Buffer; user: string; send: (code: number, body: Obj) => void }): void | Promise<void>;
}

export interface FakeApiOptions {
  pki: TestPki;
  /** Bearer token -> user name. */
  tokens: Record<string, string>;
  /** "verb resource" pairs RBAC refuses, e.g. "list serviceaccounts". */
  forbid?: string[];
  /** SelfSubjectReview: served, absent (404: a cluster before 1.28) or forbidden. */
  selfSubjectReview?: 'served' | 'absent' | 'forbidden';
  /** Added to the Date header (the server's clock against ours). */
  clockSkewMs?: number;
  /** Interval of watch bookmarks (allowWatchBookmarks). */
  bookmarkMs?: number;
  /** Watch events older than this resourceVersion are compacted away (a watch from before gets 410). */
  compactedBefore?: number;
}

/**
 * A Kubernetes API server on 127.0.0.1 over TLS, for tests: cluster-wide Lists of nodes, pods and
 * service accounts with `limit`/`continue` (consistent snapshots, continue tokens shaped like the
 * real ones), pod watches (chunked JSON lines, replay from a resourceVersion, bookmarks, 410 for a
 * compacted resourceVersion), SelfSubjectReview, bearer-token authentication, RBAC refusals, and
 * injected faults (429 with Retry-After, 5xx, slow and cut responses).
 */
export class FakeKubeApi {
  readonly received: ReceivedRequest[] = [];
  readonly faults: Fault[] = [];
  /** Endpoints added by a test or another collector's tests; tried before the built-in ones. */
  readonly routes: Route[] = [];
  private store: Record<Resource, Obj[]> = { nodes: [], pods: [], serviceaccounts: [] };
  private events: WatchEvent[] = [];
  private rv = 1000;
  private snapshots = new Map<number, { rv: number; items: Obj[] }>();
  private nextSnapshot = 1;
  private server: https.Server;
  private sockets = new Set<Socket>();
  private watchers = new Set<(e: WatchEvent) => void>();
  /** Called when a watch request is accepted (its number, from 1). */
  onWatch: ((n: number) => void) | null = null;
  private watchCount = 0;
  url = '';

  constructor(private readonly o: FakeApiOptions) {
    this.server = https.createServer({ key: o.pki.keyPem, cert: o.pki.certPem }, (req, res) => {
      this.handle(req, res).catch((e: unknown) => {
        res.destroy(e as Error);
      });
    });
    this.server.on('connection', (s: Socket) => {
      this.sockets.add(s);
      s.on('close', () => this.sockets.delete(s));
    });
  }

  async start(): Promise<this> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    this.url = `https://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this;
  }

  async stop(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  get resourceVersion(): number {
    return this.rv;
  }

  /** Sets the objects of a resource (each gets a resourceVersion). */
  load(resource: Resource, items: Obj[]): void {
    this.store[resource] = items.map((it) => {
      const copy = structuredClone(it);
      copy.metadata = { ...(copy.metadata ?? {}), resourceVersion: String(++this.rv) };
      delete copy.kind; // items of a typed List carry no kind or apiVersion
      delete copy.apiVersion;
      return copy;
    });
  }

  /** A pod change: the store moves, the event is logged and sent to open watches. */
  emit(type: WatchEvent['type'], pod: Obj): WatchEvent {
    const object = structuredClone(pod);
    object.metadata = { ...(object.metadata ?? {}), resourceVersion: String(++this.rv) };
    const uid = object.metadata.uid as string;
    const i = this.store.pods.findIndex((p) => p.metadata.uid === uid);
    if (type === 'DELETED') {
      if (i !== -1) this.store.pods.splice(i, 1);
    } else if (i === -1) this.store.pods.push(object);
    else this.store.pods[i] = object;
    const ev: WatchEvent = { rv: this.rv, type, object: { kind: 'Pod', apiVersion: 'v1', ...object } };
    this.events.push(ev);
    for (const w of this.watchers) w(ev);
    return ev;
  }

  /** Forgets watch history before now: a watch from an older resourceVersion gets 410. */
  compact(): void {
    this.o.compactedBefore = this.rv;
    this.events = [];
  }

  private takeFault(request: string, continued: boolean): FaultAction | null {
    const i = this.faults.findIndex((f) => f.request === request && (f.continued === undefined || f.continued === continued));
    if (i === -1) return null;
    const f = this.faults[i]!;
    f.times = (f.times ?? 1) - 1;
    if (f.times <= 0) this.faults.splice(i, 1);
    return f.action;
  }

  private date(): string {
    return new Date(Date.now() + (this.o.clockSkewMs ?? 0)).toUTCString();
  }

  private send(res: ServerResponse, code: number, body: Obj, headers: Record<string, string> = {}): void {
    const bytes = Buffer.from(`${JSON.stringify(body)}\n`, 'utf8');
    res.writeHead(code, { 'Content-Type': 'application/json', 'Content-Length': String(bytes.length), Date: this.date(), 'Audit-Id': `audit-${this.received.length}`, ...headers });
    res.end(bytes);
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'https://127.0.0.1');
    const query = Object.fromEntries(url.searchParams.entries());
    const watch = query['watch'] === 'true' || query['watch'] === '1';
    const m = /^\/api\/v1\/(nodes|pods|serviceaccounts)$/.exec(url.pathname);
    const isSsr = req.method === 'POST' && url.pathname === '/apis/authentication.k8s.io/v1/selfsubjectreviews';
    const route = this.routes.map((r) => ({ r, match: r.method === req.method ? r.path.exec(url.pathname) : null })).find((x) => x.match !== null);
    const resource = route ? route.r.resource : m ? (m[1] as Resource) : isSsr ? 'selfsubjectreviews' : url.pathname;
    const verb = route ? route.r.verb : isSsr ? 'create' : watch ? 'watch' : req.method === 'GET' ? 'list' : req.method!.toLowerCase();
    const auth = req.headers.authorization ?? null;
    this.received.push({ method: req.method!, path: url.pathname, query, verb, resource, authorization: auth, at: Date.now() });
    const body = await readBody(req);

    const fault = this.takeFault(`${verb} ${resource}`, query['continue'] !== undefined);
    if (fault?.kind === 'reset') return void req.socket.destroy();
    if (fault?.kind === 'slow') await new Promise((r) => setTimeout(r, fault.ms));
    if (res.destroyed) return;

    const user = auth?.startsWith('Bearer ') ? this.o.tokens[auth.slice(7)] : undefined;
    if (!user || fault?.kind === 'status' && fault.code === 401) return this.send(res, 401, S.unauthorized());
    if (this.o.forbid?.includes(`${verb} ${resource}`) || (fault?.kind === 'status' && fault.code === 403)) return this.send(res, 403, S.forbidden(user, verb, String(resource), isSsr ? 'authentication.k8s.io' : ''));
    if (fault?.kind === 'status') {
      if (fault.code === 429) return this.send(res, 429, S.tooManyRequests(fault.retryAfter ?? 1), { 'Retry-After': String(fault.retryAfter ?? 1) });
      if (fault.code === 500 || fault.code === 503) return this.send(res, fault.code, S.internalError(fault.code));
      if (fault.code === 404) return this.send(res, 404, S.notFound(String(resource)));
      if (fault.code === 410 && !watch) return this.send(res, 410, S.continueExpired(query['continue'] ?? ''));
      if (fault.code === 410 && watch) return this.streamWatch(req, res, query, user, fault);
    }

    if (route) return route.r.handle(req, res, { match: route.match!, query, body, user, send: (code, b) => this.send(res, code, b) });
    if (isSsr) return this.selfSubjectReview(res, user, body);
    if (!m) return this.send(res, 404, S.notFound(url.pathname));
    if (watch) return this.streamWatch(req, res, query, user, fault);
    return this.list(res, m[1] as Resource, query, fault);
  }

  private selfSubjectReview(res: ServerResponse, user: string, body: Buffer): void {
    if (this.o.selfSubjectReview === 'absent') return this.send(res, 404, S.notFound('post selfsubjectreviews.authentication.k8s.io'));
    if (this.o.selfSubjectReview === 'forbidden') return this.send(res, 403, S.forbidden(user, 'create', 'selfsubjectreviews', 'authentication.k8s.io'));
    const sent = JSON.parse(body.toString('utf8') || '{}') as Obj;
    if (sent.kind !== 'SelfSubjectReview') return this.send(res, 400, { kind: 'Status', apiVersion: 'v1', status: 'Failure', message: 'not a SelfSubjectReview', reason: 'BadRequest', code: 400 });
    this.send(res, 201, {
      kind: 'SelfSubjectReview',
      apiVersion: 'authentication.k8s.io/v1',
      metadata: { creationTimestamp: null },
      status: { userInfo: { username: user, uid: 'c0ffee00-0000-4000-8000-000000000001', groups: ['podtrail:collectors', 'system:authenticated'] } },
    });
  }

  /** A List page: the first request freezes a snapshot; continue tokens point into it (as etcd's revision does). */
  private list(res: ServerResponse, resource: Resource, query: Obj, fault: FaultAction | null): void {
    const limit = query['limit'] ? Number(query['limit']) : Infinity;
    let snap: { rv: number; items: Obj[] };
    let id: number;
    let start = 0;
    if (query['continue']) {
      const token = JSON.parse(Buffer.from(String(query['continue']), 'base64').toString('utf8')) as { rv: number; start: number; id: number };
      const s = this.snapshots.get(token.id);
      if (!s) return this.send(res, 410, S.continueExpired(''));
      snap = s;
      id = token.id;
      start = token.start;
    } else {
      id = this.nextSnapshot++;
      snap = { rv: this.rv, items: structuredClone(this.store[resource]) };
      this.snapshots.set(id, snap);
    }
    const items = snap.items.slice(start, start + limit);
    const next = start + items.length < snap.items.length ? Buffer.from(JSON.stringify({ v: 'meta.k8s.io/v1', rv: snap.rv, start: start + items.length, id })).toString('base64') : undefined;
    const list = {
      kind: LIST_KIND[resource],
      apiVersion: 'v1',
      metadata: { resourceVersion: String(snap.rv), ...(next ? { continue: next, remainingItemCount: snap.items.length - start - items.length } : {}) },
      items,
    };
    if (fault?.kind === 'cut') {
      const bytes = Buffer.from(`${JSON.stringify(list)}\n`, 'utf8');
      res.writeHead(200, { 'Content-Type': 'application/json', Date: this.date() }); // chunked: the cut shows as an unfinished body
      res.write(bytes.subarray(0, fault.afterBytes), () => setTimeout(() => res.socket?.destroy(), 20));
      return;
    }
    this.send(res, 200, list);
  }

  /** Expires every continue token handed out so far (the next continued page gets 410). */
  expireContinueTokens(): void {
    this.snapshots.clear();
  }

  private streamWatch(req: IncomingMessage, res: ServerResponse, query: Obj, _user: string, fault: FaultAction | null): void {
    const n = ++this.watchCount;
    res.writeHead(200, { 'Content-Type': 'application/json', 'Transfer-Encoding': 'chunked', Date: this.date() });
    const line = (o: Obj): string => `${JSON.stringify(o)}\n`;
    const asked = query['resourceVersion'] as string | undefined;
    const oldest = this.o.compactedBefore ?? 0;
    if ((fault?.kind === 'status' && fault.code === 410) || (asked !== undefined && asked !== '' && asked !== '0' && Number(asked) < oldest)) {
      res.end(line({ type: 'ERROR', object: S.tooOldResourceVersion(asked ?? '', oldest) }));
      return;
    }
    let sent = 0;
    let closed = false;
    const cut = fault?.kind === 'cut-watch' ? fault : null;
    const close = (): void => {
      if (closed) return;
      closed = true;
      clearInterval(bookmarks);
      clearTimeout(timeout);
      this.watchers.delete(push);
    };
    const push = (ev: WatchEvent): void => {
      if (closed) return;
      const text = line({ type: ev.type, object: ev.object });
      if (cut && sent >= cut.afterEvents) {
        close();
        if (cut.midLine) res.write(text.slice(0, Math.floor(text.length / 2)), () => res.socket?.destroy());
        else res.socket?.destroy();
        return;
      }
      res.write(text);
      sent++;
    };
    const bookmarks = setInterval(() => {
      if (query['allowWatchBookmarks'] === 'true') res.write(line({ type: 'BOOKMARK', object: { kind: 'Pod', apiVersion: 'v1', metadata: { resourceVersion: String(this.rv), creationTimestamp: null } } }));
    }, this.o.bookmarkMs ?? 1000);
    const timeout = setTimeout(() => {
      close();
      res.end();
    }, Number(query['timeoutSeconds'] ?? 1800) * 1000);
    req.on('close', close);
    this.watchers.add(push);
    if (asked === undefined || asked === '' || asked === '0') {
      for (const pod of this.store.pods) push({ rv: this.rv, type: 'ADDED', object: { kind: 'Pod', apiVersion: 'v1', ...pod } });
    } else {
      for (const ev of this.events) if (ev.rv > Number(asked)) push(ev);
    }
    this.onWatch?.(n);
  }
}

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const parts: Buffer[] = [];
    req.on('data', (c: Buffer) => parts.push(c));
    req.on('end', () => resolve(Buffer.concat(parts)));
    req.on('error', reject);
  });
}
