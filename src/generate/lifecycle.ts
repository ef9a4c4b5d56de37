import type { Cred, Pod } from './model.js';
import { type Ns, NS_PER_S, minutes, ms, sec } from './ns-time.js';
import type { World } from './world.js';
import type { TruthPath } from './truth.js';
import { accessKeyId, hex } from './ids.js';
import { exit, spawn } from './runtime/actions.js';
import { newProc } from './runtime/processes.js';
import { TOKEN_REFRESH, podBinding, podCreate, podDelete, tokenRequest } from './kube/requests.js';
import { assumeRoleWithWebIdentity, irsaSessionName, podIdentityExchange } from './cloud/sts.js';
import { awsCall } from './cloud/aws-call.js';
import { nodeRoleCred } from './cloud/identities.js';
import { sdkAgent } from './cloud/user-agents.js';

/**
 * Pod lifecycles as timed steps: create (audit), schedule, kubelet token requests, image pull
 * credentials, container start (runtime), SDK credential fetch, token and credential refreshes,
 * delete. Pods that were already running when the span starts get their processes and
 * credentials without the events that created them (those happened before the evidence).
 */

export function alive(pod: Pod, t: Ns): boolean {
  return t >= pod.createdNs && (pod.deletedNs === null || t < pod.deletedNs);
}

export function pathOf(cred: Cred): TruthPath {
  switch (cred.kind) {
    case 'irsa':
      return 'irsa';
    case 'pod-identity':
      return 'pod-identity';
    case 'node-role':
      return 'node-role';
    case 'iam-user':
      return 'static-key';
    case 'sso':
      return 'none';
  }
}

/** The credentials a pod's SDK signs with at time t, if it has any. */
export function credFor(w: World, pod: Pod, t: Ns): Cred | null {
  const wl = pod.workload;
  if (wl.staticKey) return { kind: 'iam-user', keyId: wl.staticKey.keyId, role: null, session: null, creationNs: null, user: wl.staticKey.user, node: null };
  if (wl.sa.binding.kind === 'irsa') return pod.state.irsa;
  if (wl.sa.binding.kind === 'pod-identity') return pod.state.podIdentity;
  if (wl.usesNodeRole) return nodeRoleCred(w.account, pod.node, t, w.rng);
  return null;
}

function audiences(pod: Pod): Array<[string | null, number]> {
  const b = pod.workload.sa.binding;
  const list: Array<[string | null, number]> = [[null, 3607]];
  if (b.kind === 'irsa') list.push(['sts.amazonaws.com', 86400]);
  if (b.kind === 'pod-identity') list.push(['pods.eks.amazonaws.com', 86400]);
  return list;
}

function scheduleTokenRefresh(w: World, pod: Pod, at: Ns): void {
  if (at >= w.spec.span.to) return;
  w.sched.at(at, () => {
    if (!alive(pod, at) || !pod.state.main) return;
    pod.state.jti = tokenRequest(w, pod, at, null, 3607);
    scheduleTokenRefresh(w, pod, at + TOKEN_REFRESH + sec(pod.rng.int(20)));
  });
}

function irsaFetch(w: World, pod: Pod, at: Ns): void {
  const main = pod.state.main;
  if (!main || !alive(pod, at)) return;
  const sdk = pod.workload.sdk;
  const issued = assumeRoleWithWebIdentity(w, {
    pod,
    caller: { kind: 'proc', proc: main, fresh: true },
    at,
    session: irsaSessionName(sdk, at + BigInt(pod.rng.int(1_000_000))),
    userAgent: sdkAgent(sdk, 'sts'),
    truth: { madeBy: pod.uid, path: 'irsa', why: null, incident: false, play: null },
  });
  pod.state.irsa = issued.cred;
  const next = at + minutes(45) + sec(pod.rng.int(600));
  if (next < w.spec.span.to) w.sched.at(next, () => irsaFetch(w, pod, next));
}

/** The kubelet's ECR credential provider (a host binary, not a pod) fetches a pull token. */
function ecrPullToken(w: World, pod: Pod, at: Ns): void {
  const node = pod.node;
  if (!pod.containers.some((c) => c.spec.imageRepo.includes('.dkr.ecr.'))) return;
  if (node.ecrTokenNs !== null && at - node.ecrTokenNs < 12n * 3600n * NS_PER_S) return;
  node.ecrTokenNs = at;
  const proc = spawn(w, node, {
    pod: null,
    container: null,
    binary: '/etc/eks/image-credential-provider/ecr-credential-provider',
    args: 'get-credentials',
    startNs: at,
    parent: node.host.kubelet,
  });
  const r = awsCall(w, {
    api: 'ecr.GetAuthorizationToken',
    cred: nodeRoleCred(w.account, node, at, w.rng),
    caller: { kind: 'proc', proc, fresh: true },
    at: at + ms(3),
    userAgent: 'aws-sdk-go-v2/1.30.3 ua/2.1 os/linux lang/go#1.22.5 md/GOOS#linux md/GOARCH#amd64 api/ecr#1.32.1',
    truth: { madeBy: null, path: 'node-role', why: 'node-host-process', incident: false, play: null },
  });
  exit(w, proc, r.doneAt);
}

function created(w: World, pod: Pod): void {
  const t = pod.createdNs;
  podCreate(w, pod, t);
  podBinding(w, pod, t + ms(15 + w.rng.int(30)));
  const tokAt = t + ms(900 + w.rng.int(400));
  audiences(pod).forEach(([aud, exp], i) => {
    const jti = tokenRequest(w, pod, tokAt + ms(i * 7), aud, exp);
    if (aud === null) pod.state.jti = jti;
  });
  scheduleTokenRefresh(w, pod, tokAt + TOKEN_REFRESH + sec(pod.rng.int(20)));
  pod.state.shim = spawn(w, pod.node, {
    pod: null,
    container: null,
    binary: '/usr/bin/containerd-shim-runc-v2',
    args: `-namespace k8s.io -id ${hex(w.rng, 64)} -address /run/containerd/containerd.sock`,
    startNs: t + ms(1500 + w.rng.int(300)),
    parent: pod.node.host.containerd,
  });
  ecrPullToken(w, pod, t + ms(1900 + w.rng.int(200)));
}

function started(w: World, pod: Pod): void {
  if (!alive(pod, pod.startedNs)) return;
  pod.containers.forEach((c, i) => {
    const p = spawn(w, pod.node, {
      pod,
      container: c,
      binary: c.spec.binary,
      args: c.spec.args,
      cwd: c.spec.cwd,
      uid: c.spec.uid,
      startNs: c.startNs,
      parent: pod.state.shim,
      containerInit: true,
    });
    if (i === 0) pod.state.main = p;
  });
  const b = pod.workload.sa.binding;
  const at = pod.startedNs + ms(400 + w.rng.int(2000));
  if (b.kind === 'irsa' && pod.workload.sdk !== 'none') w.sched.at(at, () => irsaFetch(w, pod, at));
  if (b.kind === 'pod-identity' && pod.workload.sdk !== 'none') {
    w.sched.at(at, () => {
      if (!pod.state.main) return;
      pod.state.podIdentity = podIdentityExchange(w, pod, pod.state.main, at, false, null).cred;
    });
  }
}

function deleted(w: World, pod: Pod): void {
  const t = pod.deletedNs as Ns;
  podDelete(w, pod, t);
  const main = pod.state.main;
  const stopAt = t + ms(800 + w.rng.int(2500));
  if (main) exit(w, main, stopAt, 0, null);
  if (pod.state.shim) exit(w, pod.state.shim, stopAt + ms(120 + w.rng.int(80)));
  pod.state.main = null;
  pod.state.shim = null;
}

/** Processes, token and credentials of a pod that was running before the evidence starts. */
function preexisting(w: World, pod: Pod): void {
  const from = w.spec.span.from;
  const node = pod.node;
  pod.state.shim = newProc(node, {
    pod: null,
    container: null,
    binary: '/usr/bin/containerd-shim-runc-v2',
    args: `-namespace k8s.io -id ${hex(w.rng, 64)} -address /run/containerd/containerd.sock`,
    startNs: pod.startedNs - sec(2),
    parent: node.host.containerd,
  });
  pod.containers.forEach((c, i) => {
    const p = newProc(node, { pod, container: c, binary: c.spec.binary, args: c.spec.args, cwd: c.spec.cwd, uid: c.spec.uid, startNs: c.startNs, parent: pod.state.shim, containerInit: true });
    if (i === 0) pod.state.main = p;
  });
  // The current token was issued before the span; its first in-span refresh is logged.
  pod.state.jti = `${hex(w.rng, 8)}-${hex(w.rng, 4)}-4${hex(w.rng, 3)}-9${hex(w.rng, 3)}-${hex(w.rng, 12)}`;
  scheduleTokenRefresh(w, pod, from + sec(pod.rng.int(2880)));
  const b = pod.workload.sa.binding;
  if (b.kind === 'irsa' && pod.workload.sdk !== 'none') {
    const issued = from - sec(60 + pod.rng.int(2400));
    const session = irsaSessionName(pod.workload.sdk, issued);
    pod.state.irsa = { kind: 'irsa', keyId: accessKeyId(w.rng, 'ASIA', w.account.infix), role: b.role, session, creationNs: issued - (issued % NS_PER_S), user: null, node: null };
    const next = issued + minutes(45) + sec(pod.rng.int(600));
    w.sched.at(next < from ? from + sec(pod.rng.int(300)) : next, (ww) => irsaFetch(ww, pod, next < from ? from : next));
  }
  if (b.kind === 'pod-identity' && pod.workload.sdk !== 'none') {
    const issued = from - sec(600 + pod.rng.int(15_000));
    const session = `eks-${w.account.clusterName.slice(0, 10)}-${pod.name.slice(0, 12)}-${hex(w.rng, 8)}-${hex(w.rng, 4)}-4${hex(w.rng, 3)}-8${hex(w.rng, 3)}-${hex(w.rng, 12)}`;
    pod.state.podIdentity = { kind: 'pod-identity', keyId: accessKeyId(w.rng, 'ASIA', w.account.infix), role: b.role, session, creationNs: issued - (issued % NS_PER_S), user: null, node: null };
  }
}

export function scheduleLifecycles(w: World): void {
  const { from, to } = w.spec.span;
  for (const pod of w.cluster.pods) {
    if (pod.createdNs >= to) continue;
    if (pod.deletedNs !== null && pod.deletedNs <= from) continue;
    if (pod.createdNs >= from) {
      w.sched.at(pod.createdNs, () => created(w, pod));
      w.sched.at(pod.startedNs, () => started(w, pod));
    } else {
      preexisting(w, pod);
    }
    if (pod.deletedNs !== null && pod.deletedNs < to) w.sched.at(pod.deletedNs, () => deleted(w, pod));
  }
}

