import type { Cred, IamRole, Pod, Workload } from '../model.js';
import { type Ns, awsResponseDate, hours, minutes } from '../ns-time.js';
import type { World } from '../world.js';
import type { Base } from '../base-cluster.js';
import { ACCOUNT_ID, makeRole, service } from '../aws-catalog.js';
import { accessKeyId, sessionToken } from '../ids.js';
import { Rng } from '../prng.js';
import { userIdentity } from '../cloud/identities.js';
import { reach } from '../cloud/reach.js';
import { buildRecord, emitRecord } from '../cloud/record.js';
import { sdkAgent } from '../cloud/user-agents.js';
import { pathOf } from '../lifecycle.js';

/**
 * Property "chained roles": a workload's SDK assumes a second role with the credentials it holds
 * (IRSA, Pod Identity or the node role): sts:AssumeRole called with the pod's key, from the pod,
 * returning a new session key that the workload's AWS calls then sign with. The chained key is
 * renewed when the parent key changes or after 50 minutes (the default 1 h session). CloudTrail
 * shows the AssumeRole with the parent's accessKeyId and the new key in responseElements; later
 * calls show an AssumedRole of the chained role (no webIdFederationData, no ec2RoleDelivery).
 */

const chained = new WeakMap<Workload, IamRole>();
const held = new WeakMap<Pod, { parent: string; cred: Cred; at: Ns }>();
const RENEW = minutes(50);

/** Makes each named workload of the scenario chain into a role of its own (<workload>-chained). */
export function chainRoles(base: Base, seed: number, workloads: string[]): void {
  const rng = Rng.stream(seed, 'chained-roles');
  for (const name of workloads) {
    const wl = base.b.cluster.workloads.find((x) => x.name === name);
    if (!wl) throw new Error(`chained roles: no workload ${name}`);
    chained.set(wl, makeRole(rng, base.b.cluster.account.infix, `${name}-chained-access`));
  }
}

/** The credentials the pod signs with: its own, or the chained role's (assuming it when due). */
export function chainedCred(w: World, pod: Pod, parent: Cred | null, t: Ns, caller: Parameters<typeof reach>[2]): { cred: Cred | null; at: Ns } {
  const role = chained.get(pod.workload);
  if (!role || !parent || parent.kind === 'iam-user' || parent.kind === 'sso') return { cred: parent, at: t };
  const h = held.get(pod);
  if (h && h.parent === parent.keyId && t - h.at < RENEW) return { cred: h.cred, at: t };
  const sts = service(w.account, 'sts');
  const reached = reach(w, sts, caller, t);
  const key = accessKeyId(w.rng, 'ASIA', w.account.infix);
  const session = `${pod.workload.name}-${(reached.eventTime / 1_000_000_000n).toString()}`.slice(0, 64);
  const record = buildRecord(w, {
    eventVersion: '1.08',
    userIdentity: userIdentity(w.account, parent),
    svc: sts,
    eventName: 'AssumeRole',
    reached,
    userAgent: sdkAgent(pod.workload.sdk, 'sts'),
    requestParameters: { roleArn: role.arn, roleSessionName: session, durationSeconds: 3600 },
    responseElements: {
      credentials: { accessKeyId: key, sessionToken: sessionToken(w.rng), expiration: awsResponseDate(reached.eventTime + hours(1)) },
      assumedRoleUser: { assumedRoleId: `${role.id}:${session}`, arn: `arn:aws:sts::${ACCOUNT_ID}:assumed-role/${role.name}/${session}` },
    },
    readOnly: true,
    resources: [{ accountId: ACCOUNT_ID, type: 'AWS::IAM::Role', ARN: role.arn }],
    category: 'Management',
  });
  emitRecord(w, record, reached.eventTime, { madeBy: pod.uid, path: pathOf(parent), why: null, incident: false, play: null }, reached.runtimeEvidence, reached.relayPod?.uid ?? null);
  const cred: Cred = { kind: parent.kind, keyId: key, role, session, creationNs: reached.eventTime, user: null, node: parent.node, parentKeyId: parent.keyId };
  held.set(pod, { parent: parent.keyId, cred, at: reached.eventTime });
  return { cred, at: reached.doneAt };
}
