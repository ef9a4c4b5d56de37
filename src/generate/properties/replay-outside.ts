import { type Ns, minutes } from '../ns-time.js';
import type { Play, World } from '../world.js';
import type { Base } from '../base-cluster.js';
import { ATTACKER_AGENT, externalCalls } from '../plays/kit.js';
import { alive } from '../lifecycle.js';

/**
 * Property "credentials replayed from outside after the pod is gone": the last session key a pod
 * held (IRSA or Pod Identity), lifted before the pod was deleted, is used from an address outside
 * the cluster once the pod no longer runs. No pod made those calls (why_not_pod replayed-outside);
 * credential_misuse should list every one of them. The evidence ties the key to its pod when the
 * trail shows it issued (a web identity call or Pod Identity's tagged AssumeRole) or the pod used it
 * in the window; a key issued before the window and never used in it by its pod (a pod deleted
 * early in the span) is tied only to its service account (the call's session name or web identity
 * federation, and the role the account uses), so the pod is not part of the truth.
 */
export function replayOutside(base: Base, o: { at: Ns; ip: string; play?: string }): Play {
  // the pods with a pod-level binding deleted before the replay (two at most, first gone first)
  const pods = base.b.cluster.pods
    .filter((p) => p.deletedNs !== null && p.deletedNs < o.at && (p.workload.sa.binding.kind === 'irsa' || p.workload.sa.binding.kind === 'pod-identity'))
    .sort((a, b) => (a.deletedNs! < b.deletedNs! ? -1 : a.deletedNs! > b.deletedNs! ? 1 : a.uid < b.uid ? -1 : 1))
    .slice(0, 2);
  return {
    name: o.play ?? 'replay-outside',
    schedule(w: World): void {
      pods.forEach((pod, i) => {
        const at = o.at + minutes(i * 3);
        w.sched.at(at, () => {
          if (alive(pod, at)) return;
          const cred = pod.state.irsa ?? pod.state.podIdentity;
          if (!cred) return;
          const path = cred.kind === 'pod-identity' ? 'pod-identity' : 'irsa';
          externalCalls(w, at, o.ip, cred, ATTACKER_AGENT, [{ api: 'sm.ListSecrets' }, { api: 's3.ListBuckets' }], null, path, 'replayed-outside');
        });
      });
    },
  };
}
