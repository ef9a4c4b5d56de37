/**
 * The loopback cluster of the sensor tests: the fake API server of test/servers/k8s-api with the
 * endpoints `podtrail sensor` uses added through its extra routes (same authentication, RBAC
 * refusals and faults): namespaces, service accounts, config maps, cluster roles and bindings,
 * DaemonSets (create, list by label, delete with preconditions.uid), a DaemonSet controller that
 * puts a pod on each node that can take one (and fails the way real nodes fail: Fargate, Windows,
 * untolerated taints, a kernel without BTF, an admission refusal), namespace termination, events,
 * and pod logs as the kubelet serves them (timestamps=true, sinceTime kept to the second by the API
 * server, tailLines, follow, a stream cut mid-line, a rotated log file).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createHash, randomUUID } from 'node:crypto';
import type { FakeKubeApi } from '../servers/k8s-api/fake-api-server.js';
import * as S from '../servers/k8s-api/status.js';

type Obj = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

/** How a node treats a sensor pod. */
export type NodeBehaviour = 'ok' | 'no-btf' | 'admission-refused' | 'image-pull';

interface LogLine {
  ts: string;
  text: string;
}

interface Follower {
  key: string;
  push: (l: LogLine) => void;
  end: () => void;
}

/** RFC 3339 with the fraction's trailing zeros trimmed, as the kubelet writes RFC3339Nano. */
export function kubeletTs(ms: number, nsExtra = 0): string {
  const iso = new Date(ms).toISOString(); // ...sss Z
  const frac = `${iso.slice(20, 23)}${String(nsExtra).padStart(6, '0')}`.replace(/0+$/, '');
  return `${iso.slice(0, 19)}${frac ? `.${frac}` : ''}Z`;
}

export class SensorCluster {
  namespaces: Obj[] = [];
  objects: Record<string, Obj[]> = { serviceaccounts: [], configmaps: [], clusterroles: [], clusterrolebindings: [], daemonsets: [], pods: [], events: [] };
  nodes: Obj[] = [];
  behaviour: Record<string, NodeBehaviour> = {};
  /** Node clock minus real clock, per node (kubelet timestamps). */
  nodeSkewMs: Record<string, number> = {};
  /** Milliseconds a deleted namespace stays Terminating (its objects still listed). */
  terminateMs = 300;
  logs = new Map<string, LogLine[]>();
  private followers = new Set<Follower>();
  /** Log requests to cut: the next request for this key is cut after n lines, the next line half sent. */
  cuts: { key: string; afterLines: number }[] = [];
  private rv = 5000;

  constructor(readonly api: FakeKubeApi) {
    this.install();
  }

  setNodes(nodes: Obj[]): void {
    this.nodes = nodes;
    this.api.load('nodes', nodes);
  }

  /** A sensor that was there before podtrail: a DaemonSet and its pods. */
  addForeignDaemonSet(ds: Obj, podsOnNodes: string[]): void {
    const d = this.stamp(structuredClone(ds));
    this.objects.daemonsets!.push(d);
    for (const n of podsOnNodes) this.objects.pods!.push(this.podFor(d, n, 'ok'));
  }

  logKey(ns: string, pod: string, container: string): string {
    return `${ns}/${pod}/${container}`;
  }

  /** A line the sensor writes now (on `node`'s clock), served to followers. */
  writeLog(ns: string, pod: string, container: string, text: string, at = Date.now(), nsExtra = 0): LogLine {
    const node = this.objects.pods!.find((p) => p.metadata.namespace === ns && p.metadata.name === pod)?.spec?.nodeName as string | undefined;
    const line = { ts: kubeletTs(at + (node ? (this.nodeSkewMs[node] ?? 0) : 0), nsExtra), text };
    const key = this.logKey(ns, pod, container);
    if (!this.logs.has(key)) this.logs.set(key, []);
    this.logs.get(key)!.push(line);
    for (const f of this.followers) if (f.key === key) f.push(line);
    return line;
  }

  /** The kubelet rotates the container's log file: what was written so far is no longer served. */
  rotate(ns: string, pod: string, container: string): void {
    this.logs.set(this.logKey(ns, pod, container), []);
  }

  sensorPods(): Obj[] {
    return this.objects.pods!.filter((p) => p.metadata.labels?.['app.kubernetes.io/managed-by'] === 'podtrail');
  }

  /** Every object podtrail could have left behind (for "nothing is left"). */
  allLabelled(selector: string): Obj[] {
    const [k, v] = selector.split('=');
    const all = [...this.namespaces, ...Object.values(this.objects).flat()];
    return all.filter((o) => o.metadata?.labels?.[k!] === v);
  }

  private stamp(o: Obj): Obj {
    o.metadata = { ...(o.metadata ?? {}), uid: randomUUID(), resourceVersion: String(++this.rv), creationTimestamp: new Date().toISOString().replace(/\.\d+Z$/, 'Z') };
    return o;
  }

  private podFor(ds: Obj, node: string, behaviour: NodeBehaviour): Obj {
    const tpl = ds.spec.template;
    const name = `${ds.metadata.name}-${createHash('sha256').update(node).digest('hex').slice(0, 5)}`;
    const containers: Obj[] = tpl.spec.containers;
    const started = new Date().toISOString().replace(/\.\d+Z$/, 'Z');
    const status =
      behaviour === 'ok'
        ? { phase: 'Running', containerStatuses: containers.map((c) => ({ name: c.name, ready: true, restartCount: 0, image: c.image, imageID: c.image, state: { running: { startedAt: started } } })) }
        : behaviour === 'no-btf'
          ? { phase: 'Running', containerStatuses: containers.map((c, i) => (i === 0 ? { name: c.name, ready: false, restartCount: 4, state: { waiting: { reason: 'CrashLoopBackOff', message: 'back-off 1m20s restarting failed container' } }, lastState: { terminated: { exitCode: 1, reason: 'Error', message: 'level=fatal msg="Failed to start tetragon" error="kernel BTF not found: /sys/kernel/btf/vmlinux does not exist"' } } } : { name: c.name, ready: true, restartCount: 0, state: { running: { startedAt: started } } })) }
          : { phase: 'Pending', containerStatuses: containers.map((c) => ({ name: c.name, ready: false, restartCount: 0, state: { waiting: { reason: 'ImagePullBackOff', message: `Back-off pulling image "${c.image}"` } } })) };
    return this.stamp({ metadata: { name, namespace: ds.metadata.namespace, labels: { ...tpl.metadata.labels }, ownerReferences: [{ apiVersion: 'apps/v1', kind: 'DaemonSet', name: ds.metadata.name, uid: ds.metadata.uid, controller: true }] }, spec: { ...structuredClone(tpl.spec), nodeName: node }, status });
  }

  /** The DaemonSet controller: a pod on every node the DaemonSet can run on. */
  private schedule(ds: Obj): void {
    const spec = ds.spec.template.spec;
    for (const n of this.nodes) {
      const name = n.metadata.name as string;
      const labels = n.metadata.labels ?? {};
      if (labels['eks.amazonaws.com/compute-type'] === 'fargate') continue;
      if (Object.entries(spec.nodeSelector ?? {}).some(([k, v]) => labels[k] !== v)) continue;
      const taints: Obj[] = n.spec?.taints ?? [];
      const tols: Obj[] = spec.tolerations ?? [];
      if (taints.some((t) => !tols.some((x) => x.operator === 'Exists' && !x.key))) continue;
      const b = this.behaviour[name] ?? 'ok';
      if (b === 'admission-refused') {
        this.objects.events!.push(this.stamp({ metadata: { name: `${ds.metadata.name}.${name}`, namespace: ds.metadata.namespace }, reason: 'FailedCreate', type: 'Warning', involvedObject: { kind: 'DaemonSet', name: ds.metadata.name }, message: `Error creating: admission webhook "policy.example.com" denied the request: privileged containers are not allowed on node ${name}` }));
        continue;
      }
      this.objects.pods!.push(this.podFor(ds, name, b));
    }
  }

  private install(): void {
    const api = this.api;
    const created = (res: ServerResponse, send: (c: number, b: Obj) => void, list: Obj[], body: Buffer, ns: string | null, query: Record<string, string>): Obj | null => {
      const o = JSON.parse(body.toString('utf8')) as Obj;
      if (query['fieldValidation'] !== 'Strict') {
        send(400, { kind: 'Status', apiVersion: 'v1', status: 'Failure', message: 'test server: create without fieldValidation=Strict', reason: 'BadRequest', code: 400 });
        return null;
      }
      if (ns !== null && o.metadata?.namespace && o.metadata.namespace !== ns) {
        send(400, { kind: 'Status', apiVersion: 'v1', status: 'Failure', message: 'namespace mismatch', reason: 'BadRequest', code: 400 });
        return null;
      }
      if (ns !== null && !this.namespaces.some((n) => n.metadata.name === ns && !n.metadata.deletionTimestamp)) {
        send(404, S.notFound(`namespaces "${ns}"`));
        return null;
      }
      if (list.some((x) => x.metadata.name === o.metadata.name && (ns === null || x.metadata.namespace === ns))) {
        send(409, { kind: 'Status', apiVersion: 'v1', status: 'Failure', message: `"${o.metadata.name}" already exists`, reason: 'AlreadyExists', code: 409 });
        return null;
      }
      const s = this.stamp(o);
      list.push(s);
      send(201, s);
      void res;
      return s;
    };
    const remove = (send: (c: number, b: Obj) => void, list: Obj[], name: string, ns: string | null, body: Buffer, onDelete?: (o: Obj) => void): void => {
      const i = list.findIndex((x) => x.metadata.name === name && (ns === null || x.metadata.namespace === ns));
      if (i === -1) return send(404, S.notFound(name));
      const opts = JSON.parse(body.toString('utf8') || '{}') as Obj;
      const uid = opts.preconditions?.uid;
      if (uid && list[i]!.metadata.uid !== uid) return send(409, { kind: 'Status', apiVersion: 'v1', status: 'Failure', message: `Precondition failed: UID in precondition: ${uid}, UID in object meta: ${list[i]!.metadata.uid}`, reason: 'Conflict', code: 409 });
      const [o] = onDelete ? [list[i]!] : list.splice(i, 1);
      onDelete?.(o!);
      send(200, { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Success', details: { name, uid: o!.metadata.uid } });
    };
    const byLabel = (items: Obj[], q: Record<string, string>): Obj[] => {
      let out = items;
      if (q['labelSelector']) {
        const pairs = q['labelSelector'].split(',').map((x) => x.split('='));
        out = out.filter((o) => pairs.every(([k, v]) => o.metadata?.labels?.[k!] === v));
      }
      if (q['fieldSelector']) {
        const m = /^metadata\.name=(.*)$/.exec(q['fieldSelector']);
        if (m) out = out.filter((o) => o.metadata?.name === m[1]);
      }
      return out;
    };
    const list = (kind: string, items: Obj[]): Obj => ({ kind, apiVersion: 'v1', metadata: { resourceVersion: String(this.rv) }, items });
    const ns = (kind: string, plural: string, group = '/api/v1'): void => {
      api.routes.push(
        { method: 'POST', path: new RegExp(`^${group}/namespaces/([^/]+)/${plural}$`), verb: 'create', resource: plural, handle: (_q, res, o) => void created(res, o.send, this.objects[plural]!, o.body, o.match[1]!, o.query) },
        { method: 'DELETE', path: new RegExp(`^${group}/namespaces/([^/]+)/${plural}/([^/]+)$`), verb: 'delete', resource: plural, handle: (_q, _r, o) => remove(o.send, this.objects[plural]!, o.match[2]!, o.match[1]!, o.body, plural === 'daemonsets' ? undefined : undefined) },
        { method: 'GET', path: new RegExp(`^${group}/${plural}$`), verb: 'list', resource: plural, handle: (_q, _r, o) => o.send(200, list(kind, byLabel(this.objects[plural]!, o.query))) },
        { method: 'GET', path: new RegExp(`^${group}/namespaces/([^/]+)/${plural}$`), verb: 'list', resource: plural, handle: (_q, _r, o) => o.send(200, list(kind, byLabel(this.objects[plural]!.filter((x) => x.metadata.namespace === o.match[1]), o.query))) },
      );
    };
    const cluster = (kind: string, plural: string): void => {
      const group = '/apis/rbac.authorization.k8s.io/v1';
      api.routes.push(
        { method: 'POST', path: new RegExp(`^${group}/${plural}$`), verb: 'create', resource: plural, handle: (_q, res, o) => void created(res, o.send, this.objects[plural]!, o.body, null, o.query) },
        { method: 'DELETE', path: new RegExp(`^${group}/${plural}/([^/]+)$`), verb: 'delete', resource: plural, handle: (_q, _r, o) => remove(o.send, this.objects[plural]!, o.match[1]!, null, o.body) },
        { method: 'GET', path: new RegExp(`^${group}/${plural}$`), verb: 'list', resource: plural, handle: (_q, _r, o) => o.send(200, list(kind, byLabel(this.objects[plural]!, o.query))) },
      );
    };
    // pod logs first: their path also matches the namespaced pods routes' prefix
    api.routes.push({ method: 'GET', path: /^\/api\/v1\/namespaces\/([^/]+)\/pods\/([^/]+)\/log$/, verb: 'get', resource: 'pods/log', handle: (req, res, o) => this.serveLog(req, res, o.match[1]!, o.match[2]!, o.query, o.send) });
    ns('ServiceAccountList', 'serviceaccounts');
    ns('ConfigMapList', 'configmaps');
    ns('PodList', 'pods');
    ns('EventList', 'events');
    ns('DaemonSetList', 'daemonsets', '/apis/apps/v1');
    cluster('ClusterRoleList', 'clusterroles');
    cluster('ClusterRoleBindingList', 'clusterrolebindings');
    // every pod of the cluster (the sensor's remove proof lists them by label)
    api.routes.push({ method: 'GET', path: /^\/api\/v1\/pods$/, verb: 'list', resource: 'pods', handle: (_q, _r, o) => o.send(200, list('PodList', byLabel(this.objects.pods!, o.query))) });
    // a DaemonSet create also runs the controller
    const dsCreate = api.routes.find((r) => r.method === 'POST' && r.resource === 'daemonsets')!;
    dsCreate.handle = (_q, res, o) => {
      const d = created(res, o.send, this.objects.daemonsets!, o.body, o.match[1]!, o.query);
      if (d) setTimeout(() => this.schedule(d), 30);
    };
    const dsDelete = api.routes.find((r) => r.method === 'DELETE' && r.resource === 'daemonsets')!;
    dsDelete.handle = (_q, _r, o) =>
      remove(o.send, this.objects.daemonsets!, o.match[2]!, o.match[1]!, o.body, (d) => {
        this.objects.daemonsets = this.objects.daemonsets!.filter((x) => x !== d);
        setTimeout(() => {
          this.objects.pods = this.objects.pods!.filter((p) => p.metadata.ownerReferences?.[0]?.uid !== d.metadata.uid);
        }, 50);
      });
    // namespaces: create, list, delete (terminating for a while, then gone with everything in it)
    api.routes.push(
      { method: 'POST', path: /^\/api\/v1\/namespaces$/, verb: 'create', resource: 'namespaces', handle: (_q, res, o) => void created(res, o.send, this.namespaces, o.body, null, o.query) },
      { method: 'GET', path: /^\/api\/v1\/namespaces$/, verb: 'list', resource: 'namespaces', handle: (_q, _r, o) => o.send(200, list('NamespaceList', byLabel(this.namespaces, o.query))) },
      {
        method: 'DELETE',
        path: /^\/api\/v1\/namespaces\/([^/]+)$/,
        verb: 'delete',
        resource: 'namespaces',
        handle: (_q, _r, o) =>
          remove(o.send, this.namespaces, o.match[1]!, null, o.body, (n) => {
            n.metadata.deletionTimestamp = new Date().toISOString();
            n.status = { phase: 'Terminating' };
            setTimeout(() => {
              this.namespaces = this.namespaces.filter((x) => x !== n);
              for (const k of Object.keys(this.objects)) this.objects[k] = this.objects[k]!.filter((x) => x.metadata?.namespace !== n.metadata.name);
            }, this.terminateMs);
          }),
      },
    );
  }

  private serveLog(req: IncomingMessage, res: ServerResponse, ns: string, pod: string, q: Record<string, string>, send: (c: number, b: Obj) => void): void {
    const p = this.objects.pods!.find((x) => x.metadata.namespace === ns && x.metadata.name === pod);
    if (!p) return send(404, S.notFound(`pods "${pod}"`));
    const container = q['container'] ?? p.spec.containers[0].name;
    const key = this.logKey(ns, pod, container);
    const ts = q['timestamps'] === 'true';
    // the API server passes sinceTime on as metav1.Time: whole seconds
    const since = q['sinceTime'] ? Date.parse(q['sinceTime'].replace(/\.\d+Z$/, 'Z')) : null;
    const cutIdx = this.cuts.findIndex((c) => c.key === key);
    const cut = cutIdx === -1 ? null : this.cuts.splice(cutIdx, 1)[0]!;
    res.writeHead(200, { 'Content-Type': 'text/plain', 'Transfer-Encoding': 'chunked', Date: new Date().toUTCString() });
    let sent = 0;
    let closed = false;
    const follower: Follower = {
      key,
      push: (l) => {
        if (closed) return;
        const text = `${ts ? `${l.ts} ` : ''}${l.text}\n`;
        if (cut && sent >= cut.afterLines) {
          closed = true;
          this.followers.delete(follower);
          res.write(text.slice(0, Math.floor(text.length / 2)), () => res.socket?.destroy());
          return;
        }
        res.write(text);
        sent++;
      },
      end: () => {
        closed = true;
        this.followers.delete(follower);
        res.end();
      },
    };
    const existing = (this.logs.get(key) ?? []).filter((l) => since === null || Date.parse(l.ts.replace(/(\.\d{3})\d*Z$/, '$1Z')) >= since);
    const tail = q['tailLines'] !== undefined ? existing.slice(existing.length - Math.min(existing.length, Number(q['tailLines']))) : existing;
    for (const l of tail) follower.push(l);
    if (closed) return;
    if (q['follow'] !== 'true') {
      res.end();
      return;
    }
    this.followers.add(follower);
    req.on('close', () => {
      closed = true;
      this.followers.delete(follower);
    });
  }

  /** Ends the open log streams of a container cleanly (as an API server's timeout does). */
  endStreams(key: string): void {
    for (const f of [...this.followers]) if (f.key === key) f.end();
  }
}
