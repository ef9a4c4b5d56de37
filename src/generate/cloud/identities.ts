import type { Account, Cred, Node } from '../model.js';
import { type Ns, NS_PER_S, hours, isoSeconds } from '../ns-time.js';
import type { Rng } from '../prng.js';
import { accessKeyId } from '../ids.js';

/** CloudTrail userIdentity blocks, by credential kind (awsdocs user-identity reference shapes). */

function sessionIssuer(account: Account, role: { name: string; arn: string; id: string }): Record<string, unknown> {
  return { type: 'Role', principalId: role.id, arn: role.arn, accountId: account.id, userName: role.name };
}

export function userIdentity(account: Account, cred: Cred, invokedBy: string | null = null): Record<string, unknown> {
  let ui: Record<string, unknown>;
  if (cred.kind === 'iam-user' && cred.user) {
    ui = { type: 'IAMUser', principalId: cred.user.id, arn: cred.user.arn, accountId: account.id, accessKeyId: cred.keyId, userName: cred.user.name };
  } else if (cred.role && cred.session) {
    const ctx: Record<string, unknown> = { sessionIssuer: sessionIssuer(account, cred.role) };
    if (cred.kind === 'irsa' && !cred.parentKeyId) ctx['webIdFederationData'] = { federatedProvider: account.oidcProviderArn, attributes: {} };
    ctx['attributes'] = { creationDate: isoSeconds(cred.creationNs ?? 0n), mfaAuthenticated: 'false' };
    if (cred.kind === 'node-role' && !cred.parentKeyId) ctx['ec2RoleDelivery'] = '2.0';
    ui = {
      type: 'AssumedRole',
      principalId: `${cred.role.id}:${cred.session}`,
      arn: `arn:aws:sts::${account.id}:assumed-role/${cred.role.name}/${cred.session}`,
      accountId: account.id,
      accessKeyId: cred.keyId,
      sessionContext: ctx,
    };
  } else {
    throw new Error(`credential ${cred.kind} has no identity`);
  }
  if (invokedBy) ui['invokedBy'] = invokedBy;
  return ui;
}

export function webIdentityUser(account: Account, namespace: string, sa: string): Record<string, unknown> {
  return {
    type: 'WebIdentityUser',
    principalId: `${account.oidcProviderArn}:sts.amazonaws.com:system:serviceaccount:${namespace}:${sa}`,
    userName: `system:serviceaccount:${namespace}:${sa}`,
    identityProvider: account.oidcProviderArn,
  };
}

export function awsService(invokedBy: string): Record<string, unknown> {
  return { type: 'AWSService', invokedBy };
}

/**
 * The node's instance-profile credentials at time t: IMDS hands out a new key every hour
 * (session name = instance id, creationDate = issue time). The issuance is never in CloudTrail.
 */
export function nodeRoleCred(account: Account, node: Node, t: Ns, rng: Rng): Cred {
  const period = hours(1);
  const k = Number((t - node.keyPhaseNs) / period);
  let key = node.keys.get(k);
  if (!key) {
    key = accessKeyId(rng, 'ASIA', account.infix);
    node.keys.set(k, key);
  }
  const creationNs = node.keyPhaseNs + BigInt(k) * period;
  return {
    kind: 'node-role',
    keyId: key,
    role: account.nodeRole,
    session: node.instanceId,
    creationNs: creationNs - (creationNs % NS_PER_S),
    user: null,
    node,
  };
}
