import type { Human, Node, Pod } from '../model.js';
import { type Ns, NS_PER_MS, isoMicros, ms } from '../ns-time.js';
import type { World } from '../world.js';
import { uuid } from '../ids.js';

/**
 * Kubernetes API audit events (audit.k8s.io/v1), one request at several stages, in the apiserver's
 * field order. Stages that fall in an audit gap (silence, retention) are not written.
 */

export interface AuditUser {
  username: string;
  uid?: string;
  groups: string[];
  extra?: Record<string, string[]>;
}

export type Level = 'Metadata' | 'Request' | 'RequestResponse';

export interface AuditRequest {
  level: Level;
  verb: string;
  requestURI: string;
  user: AuditUser;
  sourceIP: string;
  userAgent: string;
  objectRef: Record<string, unknown>;
  /** objectRef as known when the request arrives (a create has no name yet). */
  objectRefAtReceive?: Record<string, unknown>;
  code: number;
  failure?: { message: string; reason: string; details?: Record<string, unknown> };
  requestObject?: unknown;
  responseObject?: unknown;
  annotations?: Record<string, string>;
  at: Ns;
  latency: Ns;
  /** Long-running requests (exec, watch) also log ResponseStarted this long after arrival. */
  startedAfter?: Ns;
}

export const CONTROL_PLANE_IPS = ['10.0.1.190', '10.0.33.144'];
export const KUBE_VERSION = 'v1.31.2-eks-7f9249a';

export function auditKept(w: World, t: Ns): boolean {
  const g = w.spec.gaps;
  if (g.auditRetainedFrom !== null && t < g.auditRetainedFrom) return false;
  if (g.auditSilence && t >= g.auditSilence.from && t < g.auditSilence.to) return false;
  return true;
}

function line(r: AuditRequest, id: string, stage: string, stageAt: Ns): string {
  const e: Record<string, unknown> = {
    kind: 'Event',
    apiVersion: 'audit.k8s.io/v1',
    level: r.level,
    auditID: id,
    stage,
    requestURI: r.requestURI,
    verb: r.verb,
    user: r.user,
    sourceIPs: [r.sourceIP],
    userAgent: r.userAgent,
    objectRef: stage === 'RequestReceived' ? (r.objectRefAtReceive ?? r.objectRef) : r.objectRef,
  };
  if (stage !== 'RequestReceived') {
    e['responseStatus'] = r.failure
      ? { metadata: {}, status: 'Failure', message: r.failure.message, reason: r.failure.reason, details: r.failure.details ?? {}, code: r.code }
      : { metadata: {}, code: r.code };
    if (stage === 'ResponseComplete') {
      if (r.level !== 'Metadata' && r.requestObject !== undefined) e['requestObject'] = r.requestObject;
      if (r.level === 'RequestResponse' && r.responseObject !== undefined) e['responseObject'] = r.responseObject;
    }
  }
  e['requestReceivedTimestamp'] = isoMicros(r.at);
  e['stageTimestamp'] = isoMicros(stageAt);
  if (stage !== 'RequestReceived') {
    // A Go map: the apiserver writes annotation keys sorted.
    const a: Record<string, string> = {
      ...(r.annotations ?? {}),
      'authorization.k8s.io/decision': r.code === 403 ? 'forbid' : 'allow',
      'authorization.k8s.io/reason': r.code === 403 ? '' : (r.annotations?.['authorization.k8s.io/reason'] ?? ''),
    };
    e['annotations'] = Object.fromEntries(Object.keys(a).sort().map((k) => [k, a[k]]));
  }
  return JSON.stringify(e);
}

/** Writes the request's stages; returns its audit id and whether any stage was logged. */
export function auditRequest(w: World, req: AuditRequest): { auditId: string; kept: boolean } {
  const id = uuid(w.rng);
  // Requests arrive at microsecond precision, never on a scripted round instant.
  const r: AuditRequest = { ...req, at: req.at + BigInt(w.rng.int(1_000_000)) };
  const stages: Array<[string, Ns]> = [['RequestReceived', r.at]];
  if (r.startedAfter !== undefined) stages.push(['ResponseStarted', r.at + r.startedAfter]);
  stages.push(['ResponseComplete', r.at + r.latency]);
  let kept = false;
  for (const [stage, t] of stages) {
    if (!auditKept(w, t)) continue;
    w.audit.push(t, line(r, id, stage, t));
    kept = true;
  }
  return { auditId: id, kept };
}

export function latency(w: World, lo: number, hi: number): Ns {
  return ms(lo) + BigInt(w.rng.int((hi - lo) * 1000)) * 1000n;
}

/** A resourceVersion that grows with time (etcd revisions), without global mutable state. */
export function resourceVersion(w: World, t: Ns): string {
  return (48_213_377n + (t - w.spec.span.from) / (7n * NS_PER_MS)).toString();
}

// Users.

const controllerJti = new WeakMap<World, Map<string, string>>();

export function controllerUser(w: World, controller: string): AuditUser {
  let m = controllerJti.get(w);
  if (!m) {
    m = new Map();
    controllerJti.set(w, m);
  }
  let jti = m.get(controller);
  if (!jti) {
    jti = uuid(w.rng);
    m.set(controller, jti);
  }
  return {
    username: `system:serviceaccount:kube-system:${controller}`,
    uid: jti.split('').reverse().join(''),
    groups: ['system:serviceaccounts', 'system:serviceaccounts:kube-system', 'system:authenticated'],
    extra: { 'authentication.kubernetes.io/credential-id': [`JTI=${jti}`] },
  };
}

export function controllerAgent(controller: string): string {
  return `kube-controller-manager/${KUBE_VERSION} (linux/amd64) kubernetes/7f9249a/system:serviceaccount:kube-system:${controller}`;
}

export function kubeletUser(node: Node): AuditUser {
  return {
    username: `system:node:${node.name}`,
    groups: ['system:nodes', 'system:authenticated'],
    extra: { 'authentication.kubernetes.io/credential-id': [`X509SHA256=${node.x509}`] },
  };
}

export const KUBELET_AGENT = `kubelet/${KUBE_VERSION} (linux/amd64) kubernetes/7f9249a`;

export function podUser(pod: Pod, jti: string): AuditUser {
  const sa = pod.workload.sa;
  return {
    username: `system:serviceaccount:${sa.namespace}:${sa.name}`,
    uid: sa.uid,
    groups: ['system:serviceaccounts', `system:serviceaccounts:${sa.namespace}`, 'system:authenticated'],
    extra: {
      'authentication.kubernetes.io/credential-id': [`JTI=${jti}`],
      'authentication.kubernetes.io/node-name': [pod.node.name],
      'authentication.kubernetes.io/node-uid': [pod.node.uid],
      'authentication.kubernetes.io/pod-name': [pod.name],
      'authentication.kubernetes.io/pod-uid': [pod.uid],
    },
  };
}

/** A person through the EKS authenticator: access-entry username plus the IAM identity in extra. */
export function humanUser(w: World, h: Human): AuditUser {
  return {
    username: h.name,
    uid: `aws-iam-authenticator:${w.account.id}:${h.ssoRole.id}`,
    groups: [...h.kubeGroups, 'system:authenticated'],
    extra: {
      accessKeyId: [h.awsKey],
      arn: [h.iamArn],
      canonicalArn: [`arn:aws:iam::${w.account.id}:role/${h.ssoRole.name}`],
      principalId: [h.ssoRole.id],
      sessionName: [h.name],
    },
  };
}
