/** Pods of the watch tests, and a pod's life played on the loopback API server. */
import type { Cluster } from './k8s-harness.js';

type Obj = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

export function pod(name: string, uid: string, o: { phase?: string; ip?: string; deleting?: { at: string; grace: number } } = {}): Obj {
  return {
    metadata: {
      name,
      namespace: 'payments',
      uid,
      creationTimestamp: '2026-10-20T09:50:01Z',
      ...(o.deleting ? { deletionTimestamp: o.deleting.at, deletionGracePeriodSeconds: o.deleting.grace } : {}),
      ownerReferences: [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'exfil-7f9', uid: 'rs-1', controller: true }],
    },
    spec: { nodeName: 'ip-10-0-29-28.us-west-2.compute.internal', serviceAccountName: 'billing-api', containers: [{ name: 'app', image: 'registry.example/app:1.2' }] },
    status: {
      phase: o.phase ?? 'Pending',
      ...(o.ip ? { podIP: o.ip, podIPs: [{ ip: o.ip }] } : {}),
      ...(o.phase === 'Running'
        ? { containerStatuses: [{ name: 'app', containerID: 'containerd://aa11bb22cc33dd44ee55ff66aa11bb22cc33dd44ee55ff66aa11bb22cc33dd44', image: 'registry.example/app:1.2', imageID: 'registry.example/app@sha256:4d0d588a000d08c3cdfa1e1d60bd6901537c78a0eab96fd27800a561d8cb12d5', state: { running: { startedAt: '2026-10-20T09:50:04Z' } } }] }
        : {}),
    },
  };
}

export const UID = '7e1c2a9b-5f3d-4c8e-9a61-2b4d6f8e0a13';

/** The pod's life: created, running with an IP, deletion requested, deleted. */
export function playPodLife(c: Cluster, gapMs = 40): void {
  const steps: [string, Obj][] = [
    ['ADDED', pod('exfil-7f9-x1', UID)],
    ['MODIFIED', pod('exfil-7f9-x1', UID, { phase: 'Running', ip: '10.0.29.77' })],
    ['MODIFIED', pod('exfil-7f9-x1', UID, { phase: 'Running', ip: '10.0.29.77', deleting: { at: '2026-10-20T09:58:30Z', grace: 30 } })],
    ['DELETED', pod('exfil-7f9-x1', UID, { phase: 'Succeeded', ip: '10.0.29.77', deleting: { at: '2026-10-20T09:58:30Z', grace: 30 } })],
  ];
  steps.forEach(([type, p], i) => setTimeout(() => c.api.emit(type as 'ADDED', p), (i + 1) * gapMs));
}

