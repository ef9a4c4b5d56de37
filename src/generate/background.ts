import type { Human, KubeUse, Peer, Pod } from './model.js';
import { type Ns, NS_PER_S, ms, ymd } from './ns-time.js';
import { Rng } from './prng.js';
import type { World } from './world.js';
import { uuid } from './ids.js';
import { imdsAddr, connect, exit, spawn } from './runtime/actions.js';
import { chainedCred } from './properties/chained-roles.js';
import { runtimeEventsPerMin } from './profiles.js';
import { alive, credFor, pathOf } from './lifecycle.js';
import { awsCall } from './cloud/aws-call.js';
import { sdkAgent } from './cloud/user-agents.js';
import { service } from './aws-catalog.js';
import { humanRequest, podTokenRequest } from './kube/requests.js';
import { KUBELET_AGENT, auditRequest, kubeletUser, latency } from './kube/audit.js';
import type { Cred } from './model.js';

/**
 * Benign background activity, generated one minute at a time: peer connects, exec probes, jobs,
 * IMDS refreshes (runtime, scaled to the event budget), AWS SDK calls and API requests made with
 * pod tokens (scaled by --scale), and people working from outside the cluster.
 */

const TARGET_RUNTIME_EVENTS_PER_SCALE = 50_000;
const MINUTE_NS = 60 * 1e9;

/** Runtime rate multiplier so that scale 1 lands near 50k runtime events whatever the cluster. */
export function runtimeFactor(w: World): number {
  const { from, to } = w.spec.span;
  let perSpan = 0;
  for (const pod of w.cluster.pods) {
    if (!pod.node.sensor) continue;
    const start = pod.startedNs > from ? pod.startedNs : from;
    const end = pod.deletedNs !== null && pod.deletedNs < to ? pod.deletedNs : to;
    if (end <= start) continue;
    perSpan += (Number((end - start) / NS_PER_S) / 60) * runtimeEventsPerMin(pod.workload.profile);
  }
  return perSpan > 0 ? (TARGET_RUNTIME_EVENTS_PER_SCALE * w.scale) / perSpan : 0;
}

function gap(rng: Rng, meanNs: number): Ns {
  return BigInt(Math.floor(rng.exp(meanNs))) + 1n;
}

/** Calls fn at Poisson times with the given per-minute rate, carrying the next time across minutes. */
function poisson(pod: { rng: Rng; next: Map<string, Ns> }, key: string, perMin: number, from: Ns, to: Ns, fn: (t: Ns) => void): void {
  if (perMin <= 0) return;
  const mean = MINUTE_NS / perMin;
  let next = pod.next.get(key);
  if (next === undefined) next = from + gap(pod.rng, mean);
  while (next < to) {
    if (next >= from) fn(next);
    next += gap(pod.rng, mean);
  }
  pod.next.set(key, next);
}

/** Pods with a running main process this minute, by workload name. */
type Live = Map<string, Pod[]>;

function peerAddress(w: World, live: Live, pod: Pod, peer: Peer): string | null {
  if (peer.ip) return peer.ip;
  if (peer.nodes) return (w.cluster.nodes[pod.rng.int(w.cluster.nodes.length)] ?? pod.node).ip;
  const candidates = live.get(peer.workload ?? '') ?? [];
  if (candidates.length === 0) return null;
  return (candidates[pod.rng.int(candidates.length)] as Pod).ip;
}

function fill(template: string, pod: Pod, t: Ns): string {
  const [y, m, d] = ymd(t);
  return template
    .replace('{instanceId}', pod.node.instanceId)
    .replace('{date}', `${y}/${m}/${d}`)
    .replace('{uuid}', uuid(pod.rng))
    .replace('{pod}', pod.name);
}

function kubeCall(w: World, pod: Pod, use: KubeUse, t: Ns): void {
  const ns = pod.namespace;
  const agent = `${pod.workload.name}/v0.0.0 (linux/amd64) kubernetes/$Format`;
  switch (use.kind) {
    case 'lease':
      podTokenRequest(w, pod, t, {
        verb: 'update',
        uri: `/apis/coordination.k8s.io/v1/namespaces/${ns}/leases/${use.name}`,
        objectRef: { resource: 'leases', namespace: ns, name: use.name, apiGroup: 'coordination.k8s.io', apiVersion: 'v1' },
        userAgent: agent,
      });
      return;
    case 'get-configmap':
      podTokenRequest(w, pod, t, {
        verb: 'get',
        uri: `/api/v1/namespaces/${ns}/configmaps/${use.name}`,
        objectRef: { resource: 'configmaps', namespace: ns, name: use.name, apiVersion: 'v1' },
        userAgent: agent,
      });
      return;
    case 'list-pods':
      podTokenRequest(w, pod, t, {
        verb: 'list',
        uri: `/api/v1/namespaces/${ns}/pods?labelSelector=${encodeURIComponent(use.name)}&limit=500`,
        objectRef: { resource: 'pods', namespace: ns, apiVersion: 'v1' },
        userAgent: agent,
      });
      return;
    case 'get-node':
      podTokenRequest(w, pod, t, {
        verb: 'get',
        uri: `/api/v1/nodes/${pod.node.name}`,
        objectRef: { resource: 'nodes', name: pod.node.name, apiVersion: 'v1' },
        userAgent: agent,
      });
      return;
    case 'list-endpointslices':
      podTokenRequest(w, pod, t, {
        verb: 'list',
        uri: '/apis/discovery.k8s.io/v1/endpointslices?limit=500&resourceVersion=0',
        objectRef: { resource: 'endpointslices', apiGroup: 'discovery.k8s.io', apiVersion: 'v1' },
        userAgent: agent,
      });
      return;
  }
}

function podMinute(w: World, live: Live, pod: Pod, from: Ns, to: Ns): void {
  const main = pod.state.main;
  if (!main || !alive(pod, from)) return;
  const start = main.startNs > from ? main.startNs : from;
  const end = pod.deletedNs !== null && pod.deletedNs < to ? pod.deletedNs : to;
  if (end <= start) return;
  const prof = pod.workload.profile;
  const state = { rng: pod.rng, next: pod.state.next };
  const f = w.runtimeFactor;
  if (w.runtime.anySensor(pod.node)) {
    poisson(state, 'connect', prof.connectsPerMin * f, start, end, (t) => {
      const peer = prof.peers[pod.rng.int(prof.peers.length)];
      const ip = peer ? peerAddress(w, live, pod, peer) : null;
      if (peer && ip) connect(w, main, t, ip, peer.port, 'plain');
    });
    const probe = prof.probe;
    if (probe) {
      poisson(state, 'probe', (60 / prof.probeEverySec) * f, start, end, (t) => {
        const c = pod.containers[0];
        if (!c) return;
        const p = spawn(w, pod.node, { pod, container: c, binary: probe[0], args: probe[1], startNs: t, parent: pod.state.shim, probe: true });
        exit(w, p, t + ms(4 + pod.rng.int(60)));
      });
    }
    const job = prof.job;
    if (job) {
      poisson(state, 'job', prof.jobsPerMin * f, start, end, (t) => {
        const c = pod.containers[0];
        if (!c) return;
        const p = spawn(w, pod.node, { pod, container: c, binary: job.binary, args: job.args, cwd: c.spec.cwd, uid: c.spec.uid, startNs: t, parent: main });
        let at = t + ms(20 + pod.rng.int(200));
        for (const peer of job.peers) {
          const ip = peerAddress(w, live, pod, peer);
          if (ip) connect(w, p, at, ip, peer.port, 'plain');
          at += ms(5 + pod.rng.int(300));
        }
        exit(w, p, at + ms(10 + pod.rng.int(800)));
      });
    }
    poisson(state, 'imds', prof.imdsPerMin * f, start, end, (t) => {
      connect(w, main, t, imdsAddr(main), 80, 'imds');
      connect(w, main, t + ms(2 + pod.rng.int(5)), imdsAddr(main), 80, 'imds');
    });
  }
  for (const use of prof.aws) {
    poisson(state, `aws:${use.api}:${use.params['bucket'] ?? ''}`, use.perMin * w.scale, start, end, (t) => {
      const own = credFor(w, pod, t);
      if (!own) return;
      if (own.kind === 'node-role' && pod.state.imdsKey !== own.keyId) {
        // the SDK fetches the instance role's current key from IMDS (token, then credentials), then calls
        pod.state.imdsKey = own.keyId;
        if (w.runtime.anySensor(pod.node)) {
          connect(w, main, t, imdsAddr(main), 80, 'imds');
          connect(w, main, t + ms(3 + pod.rng.int(5)), imdsAddr(main), 80, 'imds');
        }
        t += ms(20);
      }
      // a workload that chains into a role of its own assumes it with its key first (when due)
      const chain = chainedCred(w, pod, own, t, { kind: 'proc', proc: main, fresh: true });
      const cred = chain.cred;
      if (!cred) return;
      if (chain.at !== t) t = chain.at + ms(5);
      // A kept-alive connection exists only if this pod reached the same service within the idle
      // timeout AWS endpoints apply (60 s): a request after a longer pause opens a new one.
      const svcKey = `last:${use.api.split('.')[0] ?? ''}`;
      const last = pod.state.next.get(svcKey);
      pod.state.next.set(svcKey, t);
      const fresh = !pod.rng.chance(use.keepAlive) || last === undefined || t - last > KEEPALIVE_IDLE_NS;
      if (use.api === 'sqs.SendMessage') {
        // SQS data events are not on the trail: runtime evidence only.
        if (fresh) connect(w, main, t, service(w.account, 'sqs').publicIps[0] ?? '52.119.184.10', 443, 'aws');
        return;
      }
      const params: Record<string, string> = {};
      for (const [k, v] of Object.entries(use.params)) params[k] = fill(v, pod, t);
      awsCall(w, {
        api: use.api,
        params,
        cred,
        caller: { kind: 'proc', proc: main, fresh },
        at: t,
        userAgent: sdkAgent(pod.workload.sdk, use.api.split('.')[0] ?? 'sts'),
        truth: { madeBy: pod.uid, path: pathOf(cred), why: null, incident: false, play: null },
      });
    });
  }
  for (const use of prof.kube) poisson(state, `kube:${use.kind}`, use.perMin * w.scale, start, end, (t) => kubeCall(w, pod, use, t));
}

const humanStreams = new WeakMap<World, Map<string, { rng: Rng; next: Map<string, Ns> }>>();

function ssoCred(h: Human): Cred {
  return { kind: 'sso', keyId: h.awsKey, role: h.ssoRole, session: h.name, creationNs: null, user: null, node: null };
}

function humanMinute(w: World, h: Human, i: number, from: Ns, to: Ns): void {
  let streams = humanStreams.get(w);
  if (!streams) {
    streams = new Map();
    humanStreams.set(w, streams);
  }
  let s = streams.get(h.name);
  if (!s) {
    s = { rng: Rng.stream(w.seed, `human:${h.name}`), next: new Map() };
    streams.set(h.name, s);
  }
  const ns = ['shop', 'kube-system', 'default'][i % 3] ?? 'default';
  poisson(s, 'kubectl', 0.03 * w.scale, from, to, (t) =>
    humanRequest(w, h, t, 'list', `/api/v1/namespaces/${ns}/pods?limit=500`, { resource: 'pods', namespace: ns, apiVersion: 'v1' }),
  );
  poisson(s, 'aws', 0.012 * w.scale, from, to, (t) => {
    const cred = { ...ssoCred(h), creationNs: t - (t % (3600n * NS_PER_S)) };
    awsCall(w, {
      api: i % 2 === 0 ? 'eks.DescribeCluster' : 'sm.ListSecrets',
      cred,
      caller: { kind: 'external', ip: h.ip },
      at: t,
      userAgent: h.awsAgent,
      truth: { madeBy: null, path: 'none', why: 'human-outside-cluster', incident: false, play: null },
    });
  });
}

const NODE_LEASE_RENEW_NS = 10n * NS_PER_S;
/** AWS service endpoints close a connection idle this long (ELB idle timeout); it cannot be reused after. */
const KEEPALIVE_IDLE_NS = 60n * NS_PER_S;

/**
 * Every kubelet renews its node lease (kube-node-lease/<node>) every 10 s: the steady heartbeat of
 * a real audit log. Not scaled: it is per node, not per workload.
 */
function nodeLeaseMinute(w: World, from: Ns, to: Ns): void {
  w.cluster.nodes.forEach((node, i) => {
    if (node.createdNs > to) return;
    const phase = (BigInt(i) * 3_137_000_000n) % NODE_LEASE_RENEW_NS;
    // first renewal at or after `from` on this node's 10 s grid
    const offset = (((phase - from) % NODE_LEASE_RENEW_NS) + NODE_LEASE_RENEW_NS) % NODE_LEASE_RENEW_NS;
    for (let t = from + offset; t < to; t += NODE_LEASE_RENEW_NS) {
      if (t < node.createdNs) continue;
      auditRequest(w, {
        level: 'Metadata',
        verb: 'update',
        requestURI: `/apis/coordination.k8s.io/v1/namespaces/kube-node-lease/leases/${node.name}?timeout=10s`,
        user: kubeletUser(node),
        sourceIP: node.ip,
        userAgent: KUBELET_AGENT,
        objectRef: { resource: 'leases', namespace: 'kube-node-lease', name: node.name, apiGroup: 'coordination.k8s.io', apiVersion: 'v1' },
        code: 200,
        at: t,
        latency: latency(w, 2, 9),
      });
    }
  });
}

export function backgroundMinute(w: World, from: Ns, to: Ns): void {
  nodeLeaseMinute(w, from, to);
  const live: Live = new Map();
  for (const pod of w.cluster.pods) {
    if (!pod.state.main || !alive(pod, from)) continue;
    const list = live.get(pod.workload.name);
    if (list) list.push(pod);
    else live.set(pod.workload.name, [pod]);
  }
  for (const pod of w.cluster.pods) podMinute(w, live, pod, from, to);
  w.cluster.humans.forEach((h, i) => humanMinute(w, h, i, from, to));
}

