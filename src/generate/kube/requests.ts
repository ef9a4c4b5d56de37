import type { Human, Pod } from '../model.js';
import { type Ns, isoSeconds, ms, sec } from '../ns-time.js';
import type { World } from '../world.js';
import { uuid } from '../ids.js';
import {
  CONTROL_PLANE_IPS,
  KUBELET_AGENT,
  KUBE_VERSION,
  auditRequest,
  controllerAgent,
  controllerUser,
  humanUser,
  kubeletUser,
  latency,
  podUser,
  resourceVersion,
} from './audit.js';

/** The API requests the scenarios make: pod lifecycle, kubelet token issuance, pod-token use, humans. */

function controllerOf(pod: Pod): string {
  switch (pod.owner.kind) {
    case 'ReplicaSet':
      return 'replicaset-controller';
    case 'StatefulSet':
      return 'statefulset-controller';
    case 'DaemonSet':
      return 'daemon-set-controller';
    case 'Job':
      return 'job-controller';
  }
}

function cp(w: World): string {
  return CONTROL_PLANE_IPS[w.rng.int(CONTROL_PLANE_IPS.length)] as string;
}

function ownerRef(pod: Pod): Record<string, unknown> {
  const apiVersion = pod.owner.kind === 'Job' ? 'batch/v1' : 'apps/v1';
  return { apiVersion, kind: pod.owner.kind, name: pod.owner.name, uid: pod.owner.uid, controller: true, blockOwnerDeletion: true };
}

function podLabels(pod: Pod): Record<string, string> {
  const l: Record<string, string> = { ...pod.workload.labels };
  if (pod.owner.hash) l['pod-template-hash'] = pod.owner.hash;
  return l;
}

export function podCreate(w: World, pod: Pod, at: Ns): void {
  const controller = controllerOf(pod);
  const generated = pod.owner.kind !== 'StatefulSet';
  const meta: Record<string, unknown> = generated
    ? { generateName: `${pod.name.slice(0, pod.name.lastIndexOf('-') + 1)}`, namespace: pod.namespace }
    : { name: pod.name, namespace: pod.namespace };
  const spec = {
    containers: pod.containers.map((c) => ({ name: c.spec.name, image: `${c.spec.imageRepo}:${c.spec.tag}` })),
    serviceAccountName: pod.workload.sa.name,
    ...(pod.workload.hostNetwork ? { hostNetwork: true } : {}),
  };
  auditRequest(w, {
    level: 'RequestResponse',
    verb: 'create',
    requestURI: `/api/v1/namespaces/${pod.namespace}/pods`,
    user: controllerUser(w, controller),
    sourceIP: cp(w),
    userAgent: controllerAgent(controller),
    // the apiserver completes objectRef from the request object only: a generateName create has no name in it at either stage
    objectRefAtReceive: { resource: 'pods', namespace: pod.namespace, apiVersion: 'v1' },
    objectRef: generated ? { resource: 'pods', namespace: pod.namespace, apiVersion: 'v1' } : { resource: 'pods', namespace: pod.namespace, name: pod.name, apiVersion: 'v1' },
    code: 201,
    requestObject: { kind: 'Pod', apiVersion: 'v1', metadata: { ...meta, creationTimestamp: null, labels: podLabels(pod), ownerReferences: [ownerRef(pod)] }, spec, status: {} },
    responseObject: {
      kind: 'Pod',
      apiVersion: 'v1',
      metadata: {
        name: pod.name,
        ...(generated ? { generateName: meta['generateName'] } : {}),
        namespace: pod.namespace,
        uid: pod.uid,
        resourceVersion: resourceVersion(w, at),
        creationTimestamp: isoSeconds(pod.createdNs),
        labels: podLabels(pod),
        ownerReferences: [ownerRef(pod)],
      },
      spec,
      status: { phase: 'Pending', qosClass: 'Burstable' },
    },
    annotations: { 'authorization.k8s.io/reason': `RBAC: allowed by ClusterRoleBinding "system:controller:${controller}" of ClusterRole "system:controller:${controller}" to ServiceAccount "${controller}/kube-system"` },
    at,
    latency: latency(w, 6, 30),
  });
}

export function podBinding(w: World, pod: Pod, at: Ns): void {
  auditRequest(w, {
    level: 'Request',
    verb: 'create',
    requestURI: `/api/v1/namespaces/${pod.namespace}/pods/${pod.name}/binding`,
    user: { username: 'system:kube-scheduler', groups: ['system:authenticated'] },
    sourceIP: cp(w),
    userAgent: `kube-scheduler/${KUBE_VERSION} (linux/amd64) kubernetes/7f9249a/scheduler`,
    objectRef: { resource: 'pods', namespace: pod.namespace, name: pod.name, uid: pod.uid, apiVersion: 'v1', subresource: 'binding' },
    code: 201,
    requestObject: {
      kind: 'Binding',
      apiVersion: 'v1',
      metadata: { name: pod.name, namespace: pod.namespace, uid: pod.uid, creationTimestamp: null },
      target: { kind: 'Node', name: pod.node.name },
    },
    annotations: { 'authorization.k8s.io/reason': 'RBAC: allowed by ClusterRoleBinding "system:kube-scheduler" of ClusterRole "system:kube-scheduler" to User "system:kube-scheduler"' },
    at,
    latency: latency(w, 3, 12),
  });
}

export function podDelete(w: World, pod: Pod, at: Ns): void {
  // a finished Job's pods go with the Job (ttlSecondsAfterFinished): the garbage collector deletes them
  const controller = pod.owner.kind === 'Job' ? 'generic-garbage-collector' : controllerOf(pod);
  auditRequest(w, {
    level: 'Metadata',
    verb: 'delete',
    requestURI: `/api/v1/namespaces/${pod.namespace}/pods/${pod.name}`,
    user: controllerUser(w, controller),
    sourceIP: cp(w),
    userAgent: controllerAgent(controller),
    objectRef: { resource: 'pods', namespace: pod.namespace, name: pod.name, apiVersion: 'v1' },
    code: 200,
    at,
    latency: latency(w, 5, 20),
  });
}

/**
 * The kubelet asks for a pod-bound service-account token (TokenRequest). The JTI it is issued is
 * in the annotation; the pod binding (boundObjectRef) only at Request level (kube-system tokens
 * are logged at Metadata level, as many policies do).
 */
export function tokenRequest(w: World, pod: Pod, at: Ns, audience: string | null, expirationSeconds: number): string {
  const sa = pod.workload.sa;
  const jti = uuid(w.rng);
  const level = pod.namespace === 'kube-system' ? 'Metadata' : 'Request';
  auditRequest(w, {
    level,
    verb: 'create',
    requestURI: `/api/v1/namespaces/${sa.namespace}/serviceaccounts/${sa.name}/token`,
    user: kubeletUser(pod.node),
    sourceIP: pod.node.ip,
    userAgent: KUBELET_AGENT,
    objectRef: { resource: 'serviceaccounts', namespace: sa.namespace, name: sa.name, apiVersion: 'v1', subresource: 'token' },
    code: 201,
    requestObject: {
      kind: 'TokenRequest',
      apiVersion: 'authentication.k8s.io/v1',
      metadata: { name: sa.name, namespace: sa.namespace, creationTimestamp: null },
      spec: {
        audiences: audience ? [audience] : null,
        expirationSeconds,
        boundObjectRef: { kind: 'Pod', apiVersion: 'v1', name: pod.name, uid: pod.uid },
      },
      status: { token: '', expirationTimestamp: null },
    },
    annotations: { 'authentication.kubernetes.io/issued-credential-id': `JTI=${jti}` },
    at,
    latency: latency(w, 4, 18),
  });
  return jti;
}

export interface PodTokenUse {
  verb: string;
  uri: string;
  objectRef: Record<string, unknown>;
  code?: number;
  userAgent: string;
  /** When the token is used from somewhere else than the pod (a stolen token). */
  fromIp?: string;
  incident?: boolean;
  play?: string | null;
  failure?: { message: string; reason: string; details?: Record<string, unknown> };
}

/** A request signed with the pod's bound token; returns its audit id when logged. */
export function podTokenRequest(w: World, pod: Pod, at: Ns, u: PodTokenUse): string | null {
  const jti = pod.state.jti;
  if (!jti) return null;
  const ip = u.fromIp ?? pod.ip;
  const { auditId, kept } = auditRequest(w, {
    level: 'Metadata',
    verb: u.verb,
    requestURI: u.uri,
    user: podUser(pod, jti),
    sourceIP: ip,
    userAgent: u.userAgent,
    objectRef: u.objectRef,
    code: u.code ?? 200,
    ...(u.failure ? { failure: u.failure } : {}),
    at,
    latency: latency(w, 2, 25),
  });
  if (!kept) return null;
  const offPod = u.fromIp !== undefined;
  w.truth.addKube({ audit_id: auditId, bound_pod_uid: pod.uid, pod_uid: offPod ? null : pod.uid, off_pod: offPod, source_ip: ip, incident: u.incident ?? false }, u.incident ? (u.play ?? null) : null);
  return auditId;
}

export function humanRequest(w: World, h: Human, at: Ns, verb: string, uri: string, objectRef: Record<string, unknown>): void {
  auditRequest(w, {
    level: 'Metadata',
    verb,
    requestURI: uri,
    user: humanUser(w, h),
    sourceIP: h.ip,
    userAgent: h.kubectlAgent,
    objectRef,
    code: 200,
    at,
    latency: latency(w, 5, 60),
  });
}

/** kubectl exec: pods/exec create, 101 Switching Protocols, ResponseComplete when the session ends. */
export function execRequest(w: World, h: Human, pod: Pod, container: string, command: string[], at: Ns, duration: Ns): string | null {
  const q = command.map((c) => `command=${encodeURIComponent(c)}`).join('&');
  const { auditId, kept } = auditRequest(w, {
    level: 'Metadata',
    verb: 'create',
    requestURI: `/api/v1/namespaces/${pod.namespace}/pods/${pod.name}/exec?${q}&container=${encodeURIComponent(container)}&stdin=true&stdout=true&tty=true`,
    user: humanUser(w, h),
    sourceIP: h.ip,
    userAgent: h.kubectlAgent,
    objectRef: { resource: 'pods', namespace: pod.namespace, name: pod.name, apiVersion: 'v1', subresource: 'exec' },
    code: 101,
    annotations: { 'authorization.k8s.io/reason': `RBAC: allowed by ClusterRoleBinding "platform-admins" of ClusterRole "cluster-admin" to Group "${h.kubeGroups[0] ?? 'system:masters'}"` },
    at,
    startedAfter: ms(30) + BigInt(w.rng.int(20_000)) * 1000n,
    latency: duration,
  });
  return kept ? auditId : null;
}

export const TOKEN_REFRESH = sec(2880);
