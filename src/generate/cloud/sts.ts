import type { Cred, Pod, Proc, Sdk } from '../model.js';
import { type Ns, NS_PER_MS, NS_PER_S, awsResponseDate, hours, ms } from '../ns-time.js';
import type { World } from '../world.js';
import { service } from '../aws-catalog.js';
import { accessKeyId, sessionToken, uuid } from '../ids.js';
import { agentAddr, connect } from '../runtime/actions.js';
import { awsService, nodeRoleCred, userIdentity, webIdentityUser } from './identities.js';
import { type Caller, reach } from './reach.js';
import { type CallTruth, buildRecord, emitRecord } from './record.js';

/** Credential issuance: IRSA (AssumeRoleWithWebIdentity) and EKS Pod Identity (eks-auth + pods.eks AssumeRole). */

/** The session name an SDK picks for AssumeRoleWithWebIdentity. */
export function irsaSessionName(sdk: Sdk | 'cli', t: Ns): string {
  switch (sdk) {
    case 'boto3':
    case 'cli':
      return `botocore-session-${(t / NS_PER_S).toString()}`;
    case 'java':
      return `aws-sdk-java-${(t / NS_PER_MS).toString()}`;
    default:
      return t.toString();
  }
}

function credentials(w: World, key: string, expires: Ns): Record<string, unknown> {
  return { accessKeyId: key, sessionToken: sessionToken(w.rng), expiration: awsResponseDate(expires) };
}

export interface IrsaAssume {
  pod: Pod;
  caller: Caller;
  at: Ns;
  session: string;
  userAgent: string;
  truth: CallTruth;
}

export interface Issued {
  cred: Cred;
  eventTime: Ns;
  doneAt: Ns;
  eventId: string;
}

export function assumeRoleWithWebIdentity(w: World, a: IrsaAssume): Issued {
  const sa = a.pod.workload.sa;
  if (sa.binding.kind !== 'irsa') throw new Error(`${sa.namespace}/${sa.name} has no IRSA role`);
  const role = sa.binding.role;
  const svc = service(w.account, 'sts');
  const reached = reach(w, svc, a.caller, a.at);
  const key = accessKeyId(w.rng, 'ASIA', w.account.infix);
  const subject = `system:serviceaccount:${sa.namespace}:${sa.name}`;
  const record = buildRecord(w, {
    eventVersion: '1.08',
    userIdentity: webIdentityUser(w.account, sa.namespace, sa.name),
    svc,
    eventName: 'AssumeRoleWithWebIdentity',
    reached,
    userAgent: a.userAgent,
    requestParameters: { roleArn: role.arn, roleSessionName: a.session },
    responseElements: {
      credentials: credentials(w, key, reached.eventTime + hours(1)),
      subjectFromWebIdentityToken: subject,
      assumedRoleUser: { assumedRoleId: `${role.id}:${a.session}`, arn: `arn:aws:sts::${w.account.id}:assumed-role/${role.name}/${a.session}` },
      provider: w.account.oidcProviderArn,
      audience: 'sts.amazonaws.com',
    },
    readOnly: true,
    resources: [{ accountId: w.account.id, type: 'AWS::IAM::Role', ARN: role.arn }],
    category: 'Management',
  });
  const eventId = emitRecord(w, record, reached.eventTime, a.truth, reached.runtimeEvidence, reached.relayPod?.uid ?? null);
  return {
    cred: { kind: 'irsa', keyId: key, role, session: a.session, creationNs: reached.eventTime, user: null, node: null },
    eventTime: reached.eventTime,
    doneAt: reached.doneAt,
    eventId,
  };
}

/**
 * EKS Pod Identity: the app asks the node-local agent (169.254.170.23:80); the agent, a hostNetwork
 * pod using the node role, calls eks-auth AssumeRoleForPodIdentity through the NAT; EKS then has
 * pods.eks.amazonaws.com call sts:AssumeRole with the pod's session tags, in the same second.
 */
export function podIdentityExchange(w: World, pod: Pod, app: Proc | null, at: Ns, incident: boolean, play: string | null): Issued {
  const sa = pod.workload.sa;
  if (sa.binding.kind !== 'pod-identity') throw new Error(`${sa.namespace}/${sa.name} has no Pod Identity association`);
  const role = sa.binding.role;
  const agent = w.cluster.podIdentityAgents.get(pod.node.name);
  let t = at;
  if (app) {
    connect(w, app, t, agentAddr(app), 80, 'plain');
    t += ms(1 + w.rng.int(3));
  }
  const eksAuth = service(w.account, 'eks-auth');
  const agentProc = agent?.state.main ?? null;
  const caller: Caller = agentProc ? { kind: 'proc', proc: agentProc, fresh: true } : { kind: 'quiet', node: pod.node, srcIp: pod.node.ip };
  const reached = reach(w, eksAuth, caller, t);
  const nodeCred = nodeRoleCred(w.account, pod.node, reached.eventTime, w.rng);
  const authRecord = buildRecord(w, {
    eventVersion: '1.09',
    userIdentity: userIdentity(w.account, nodeCred),
    svc: eksAuth,
    eventName: 'AssumeRoleForPodIdentity',
    reached,
    userAgent: 'aws-sdk-go-v2/1.30.4 os/linux lang/go#1.22.7 md/GOOS#linux md/GOARCH#amd64 api/eksauth#1.7.2',
    requestParameters: { clusterName: w.account.clusterName, token: 'HIDDEN_DUE_TO_SECURITY_REASONS' },
    responseElements: null,
    readOnly: true,
    category: 'Management',
  });
  emitRecord(
    w,
    authRecord,
    reached.eventTime,
    { madeBy: agent?.uid ?? null, path: 'node-role', why: agent ? null : 'node-host-process', incident: false, play: null, onBehalf: pod.uid },
    reached.runtimeEvidence,
    reached.relayPod?.uid ?? null,
  );

  const sts = service(w.account, 'sts');
  const stsReached = reach(w, sts, { kind: 'aws', name: 'pods.eks.amazonaws.com' }, reached.eventTime - ms(999));
  const key = accessKeyId(w.rng, 'ASIA', w.account.infix);
  const session = `eks-${w.account.clusterName.slice(0, 10)}-${pod.name.slice(0, 12)}-${uuid(w.rng)}`;
  const tags = [
    { key: 'eks-cluster-arn', value: w.account.clusterArn },
    { key: 'eks-cluster-name', value: w.account.clusterName },
    { key: 'kubernetes-namespace', value: pod.namespace },
    { key: 'kubernetes-service-account', value: sa.name },
    { key: 'kubernetes-pod-name', value: pod.name },
    { key: 'kubernetes-pod-uid', value: pod.uid },
  ];
  const stsRecord = buildRecord(w, {
    eventVersion: '1.08',
    userIdentity: awsService('pods.eks.amazonaws.com'),
    svc: sts,
    eventName: 'AssumeRole',
    reached: stsReached,
    userAgent: 'pods.eks.amazonaws.com',
    requestParameters: {
      roleArn: role.arn,
      roleSessionName: session,
      durationSeconds: 21600,
      tags,
      transitiveTagKeys: tags.map((x) => x.key),
    },
    responseElements: {
      credentials: credentials(w, key, stsReached.eventTime + hours(6)),
      assumedRoleUser: { assumedRoleId: `${role.id}:${session}`, arn: `arn:aws:sts::${w.account.id}:assumed-role/${role.name}/${session}` },
      packedPolicySize: 55 + w.rng.int(3),
    },
    readOnly: true,
    resources: [{ accountId: w.account.id, type: 'AWS::IAM::Role', ARN: role.arn }],
    category: 'Management',
    sharedEventID: uuid(w.rng),
    tls: false,
  });
  const eventId = emitRecord(w, stsRecord, stsReached.eventTime, { madeBy: pod.uid, path: 'pod-identity', why: null, via: 'aws-service', incident, play }, false);
  return {
    cred: { kind: 'pod-identity', keyId: key, role, session, creationNs: stsReached.eventTime, user: null, node: null },
    eventTime: stsReached.eventTime,
    doneAt: reached.doneAt,
    eventId,
  };
}

