/**
 * Builders for small hand-made cases: CloudTrail records, Tetragon JSON lines, kubectl Lists and
 * Kubernetes audit lines written in the shapes of the real formats (as the tools write them),
 * with only the fields correlation and the checks read plus what detection needs. Inputs are
 * written under CASE/inputs/ and ingested in place, so an S3 key in the path survives as the
 * file's origin.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { parse, stringify } from 'yaml';
import { makeCase, AS_OF } from './case.js';
import { ingestCase } from '../../src/ingest/ingest-case.js';
import { correlateCase } from '../../src/correlate/correlate-case.js';
import { createClock } from '../../src/core/clock.js';
import { casePaths } from '../../src/case/case-paths.js';
import { queryCase } from '../../src/query/query-case.js';
import { allTableDocs } from '../../src/lake/schema-doc.js';
import type { TableDoc } from '../../src/lake/schema.js';
import { keySql } from './key-sql.js';

export const ACCOUNT = '111122223333';
export const REGION = 'us-west-2';

type Obj = Record<string, unknown>;

// ---------------------------------------------------------------------------------------------
// cases

export interface HandmadeCase {
  caseDir: string;
  cleanup: () => void;
}

/** A fresh case for one hand-made scenario (window 09:00-10:00 UTC on 2026-10-20 by default). */
export function handmadeCase(o: { from?: string; to?: string; margin?: string; namespaces?: string[] } = {}): HandmadeCase {
  return makeCase({ from: o.from ?? '2026-10-20T09:00:00Z', to: o.to ?? '2026-10-20T10:00:00Z', margin: o.margin ?? '15m', namespaces: o.namespaces ?? [] });
}

/** Writes CASE/inputs/<rel> (gzipped when rel ends in .gz) and returns its absolute path. */
export function writeInput(caseDir: string, rel: string, content: string): string {
  const file = path.join(caseDir, 'inputs', rel);
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, rel.endsWith('.gz') ? gzipSync(Buffer.from(content, 'utf8'), { level: 9 }) : content);
  return file;
}

/** Edits case.yaml as a YAML document (podtrail.case/v1), e.g. to add endpoints or an egress map. */
export function editCaseYaml(caseDir: string, edit: (doc: Obj) => void): void {
  const file = casePaths(caseDir).config;
  const doc = parse(readFileSync(file, 'utf8')) as Obj;
  edit(doc);
  writeFileSync(file, stringify(doc));
}

/** Ingests CASE/inputs (or the given paths) in place, acquired at asOf. */
export async function ingestInputs(caseDir: string, o: { paths?: string[]; asOf?: string; collectedAt?: string } = {}): Promise<void> {
  await ingestCase({
    caseDir,
    paths: o.paths ?? [path.join(caseDir, 'inputs')],
    source: null,
    operator: 'tester',
    snapshotAt: null,
    collectedAt: o.collectedAt ?? null,
    clock: createClock(o.asOf ?? AS_OF),
    log: () => {},
  });
}

/** Ingests CASE/inputs and correlates the case. */
export async function ingestAndCorrelate(caseDir: string, o: { asOf?: string } = {}): Promise<void> {
  await ingestInputs(caseDir, o);
  await correlateCase(caseDir);
}

/** ISO instant `seconds` after `iso` (milliseconds kept only when not whole). */
export function at(iso: string, seconds: number): string {
  const d = new Date(Date.parse(iso) + Math.round(seconds * 1000));
  const s = d.toISOString();
  return s.endsWith('.000Z') ? s.replace('.000Z', 'Z') : s;
}

// ---------------------------------------------------------------------------------------------
// CloudTrail

export const identity = {
  /** An assumed-role session (IRSA, Pod Identity, node role, ...). */
  assumedRole(o: { role: string; session: string; key: string; webIdentity?: boolean; ec2RoleDelivery?: string; invokedBy?: string; created?: string }): Obj {
    const roleArn = `arn:aws:iam::${ACCOUNT}:role/${o.role}`;
    const sessionContext: Obj = {
      sessionIssuer: { type: 'Role', principalId: 'AROAEXAMPLEROLEID0001', arn: roleArn, accountId: ACCOUNT, userName: o.role },
      attributes: { creationDate: o.created ?? '2026-10-20T08:00:00Z', mfaAuthenticated: 'false' },
    };
    if (o.webIdentity) {
      sessionContext['webIdFederationData'] = { federatedProvider: `arn:aws:iam::${ACCOUNT}:oidc-provider/oidc.eks.${REGION}.amazonaws.com/id/EXAMPLE0CLUSTER`, attributes: {} };
    }
    if (o.ec2RoleDelivery) sessionContext['ec2RoleDelivery'] = o.ec2RoleDelivery;
    const id: Obj = {
      type: 'AssumedRole',
      principalId: `AROAEXAMPLEROLEID0001:${o.session}`,
      arn: `arn:aws:sts::${ACCOUNT}:assumed-role/${o.role}/${o.session}`,
      accountId: ACCOUNT,
      accessKeyId: o.key,
      sessionContext,
    };
    if (o.invokedBy) id['invokedBy'] = o.invokedBy;
    return id;
  },
  iamUser(o: { user: string; key: string }): Obj {
    return { type: 'IAMUser', principalId: 'AIDAEXAMPLEUSERID0001', arn: `arn:aws:iam::${ACCOUNT}:user/${o.user}`, accountId: ACCOUNT, accessKeyId: o.key, userName: o.user };
  },
  webIdentityUser(o: { namespace: string; serviceAccount: string }): Obj {
    const provider = `arn:aws:iam::${ACCOUNT}:oidc-provider/oidc.eks.${REGION}.amazonaws.com/id/EXAMPLE0CLUSTER`;
    const subject = `system:serviceaccount:${o.namespace}:${o.serviceAccount}`;
    return { type: 'WebIdentityUser', principalId: `${provider}:sts.amazonaws.com:${subject}`, userName: subject, identityProvider: provider };
  },
  awsService(service: string): Obj {
    return { type: 'AWSService', invokedBy: service };
  },
};

/** One CloudTrail event (management by default). */
export function ctEvent(o: {
  id: string;
  time: string;
  source: string;
  name: string;
  identity: Obj;
  ip: string;
  params?: Obj | null;
  response?: Obj | null;
  vpce?: string;
  category?: 'Management' | 'Data';
  region?: string;
  readOnly?: boolean;
}): Obj {
  const e: Obj = {
    eventVersion: '1.09',
    userIdentity: o.identity,
    eventTime: o.time,
    eventSource: o.source,
    eventName: o.name,
    awsRegion: o.region ?? REGION,
    sourceIPAddress: o.ip,
    userAgent: o.ip.includes('amazonaws.com') ? o.ip : 'aws-cli/2.18.4',
    requestParameters: o.params ?? null,
    responseElements: o.response ?? null,
    requestID: `req-${o.id}`,
    eventID: o.id,
    readOnly: o.readOnly ?? true,
    eventType: 'AwsApiCall',
    managementEvent: (o.category ?? 'Management') === 'Management',
    recipientAccountId: ACCOUNT,
    eventCategory: o.category ?? 'Management',
  };
  if (o.vpce) {
    e['vpcEndpointId'] = o.vpce;
    e['vpcEndpointAccountId'] = ACCOUNT;
  }
  return e;
}

/** responseElements of an STS call that issued a session key. */
export function stsCredentials(o: { key: string; role: string; session: string; expires?: string }): Obj {
  return {
    credentials: { accessKeyId: o.key, sessionToken: 'IQoJb3JpZ2luX2VjEXAMPLE', expiration: o.expires ?? 'Oct 20, 2026, 11:00:00 AM' },
    assumedRoleUser: { assumedRoleId: `AROAEXAMPLEROLEID0001:${o.session}`, arn: `arn:aws:sts::${ACCOUNT}:assumed-role/${o.role}/${o.session}` },
  };
}

/** CloudTrail's S3 log file body. */
export function ctLogFile(records: Obj[]): string {
  return JSON.stringify({ Records: records });
}

/** The S3 key layout of a CloudTrail log file (under AWSLogs/), delivered at `delivered` (ISO). */
export function ctLogKey(delivered: string, unique: string, region = REGION): string {
  const d = delivered.replace(/[-:]/g, '');
  const [y, m, day] = [d.slice(0, 4), d.slice(4, 6), d.slice(6, 8)];
  return `cloudtrail/AWSLogs/${ACCOUNT}/CloudTrail/${region}/${y}/${m}/${day}/${ACCOUNT}_CloudTrail_${region}_${d.slice(0, 13)}Z_${unique}.json.gz`;
}

/** `aws cloudtrail lookup-events` output holding these events. */
export function lookupEventsFile(records: Obj[]): string {
  return JSON.stringify(
    {
      Events: records.map((r) => ({
        EventId: r['eventID'],
        EventName: r['eventName'],
        ReadOnly: String(r['readOnly']),
        EventTime: String(r['eventTime']).replace('Z', '+00:00'),
        EventSource: r['eventSource'],
        Resources: [],
        CloudTrailEvent: JSON.stringify(r),
      })),
    },
    null,
    4,
  );
}

/** An EventBridge archive of CloudTrail events: one event a line, each under "detail". */
export function eventBridgeLines(records: Obj[]): string {
  return records
    .map((r, i) =>
      JSON.stringify({
        version: '0',
        id: `00000000-0000-4000-8000-${String(i + 1).padStart(12, '0')}`,
        'detail-type': 'AWS API Call via CloudTrail',
        source: `aws.${String(r['eventSource']).split('.')[0]}`,
        account: ACCOUNT,
        time: r['eventTime'],
        region: r['awsRegion'] ?? REGION,
        resources: [],
        detail: r,
      }),
    )
    .join('\n');
}

// ---------------------------------------------------------------------------------------------
// Tetragon

export interface PodRef {
  namespace: string;
  name: string;
  uid?: string;
  containerId?: string;
  digest?: string;
}

const execId = (node: string, pid: number, t: string): string => Buffer.from(`${node}:${Date.parse(t)}:${pid}`).toString('base64');

function tgProcess(o: { node: string; pid: number; time: string; binary: string; args?: string; pod?: PodRef }): Obj {
  const p: Obj = {
    exec_id: execId(o.node, o.pid, o.time),
    pid: o.pid,
    uid: 0,
    binary: o.binary,
    arguments: o.args ?? '',
    start_time: o.time,
  };
  if (o.pod) {
    const cid = o.pod.containerId ?? `${(o.pod.uid ?? o.pod.name).replace(/[^0-9a-f]/g, '').padEnd(64, 'c').slice(0, 64)}`;
    const pod: Obj = {
      namespace: o.pod.namespace,
      name: o.pod.name,
      container: {
        id: `containerd://${cid}`,
        name: 'app',
        image: { id: `docker.io/example/app@sha256:${(o.pod.digest ?? 'a'.repeat(64)).replace('sha256:', '')}`, name: 'docker.io/example/app:1' },
      },
    };
    if (o.pod.uid) pod['uid'] = o.pod.uid;
    p['pod'] = pod;
  }
  return p;
}

/** A process_kprobe tcp_connect with its sock_arg (a host process when pod is omitted). */
/** A Tetragon tcp_connect (AF_INET unless family says AF_INET6). */
export function tgConnect(o: { time: string; node: string; saddr: string; daddr: string; dport?: number; pod?: PodRef; pid?: number; family?: 'AF_INET' | 'AF_INET6' }): string {
  const pid = o.pid ?? 4000 + (Date.parse(o.time) % 1000);
  return JSON.stringify({
    process_kprobe: {
      process: tgProcess({ node: o.node, pid, time: o.time, binary: '/usr/local/bin/aws', args: 'sts get-caller-identity', pod: o.pod }),
      function_name: 'tcp_connect',
      args: [
        {
          sock_arg: {
            family: o.family ?? 'AF_INET',
            type: 'SOCK_STREAM',
            protocol: 'IPPROTO_TCP',
            saddr: o.saddr,
            daddr: o.daddr,
            sport: 40000 + (pid % 20000),
            dport: o.dport ?? 443,
            cookie: String(18446629105810990208n + BigInt(Date.parse(o.time))),
            state: 'TCP_SYN_SENT',
          },
        },
      ],
      action: 'KPROBE_ACTION_POST',
      policy_name: 'podtrail-tcp-connect',
    },
    node_name: o.node,
    time: o.time,
  });
}

/** A process_exec (a host process when pod is omitted). */
export function tgExec(o: { time: string; node: string; pod?: PodRef; pid?: number; binary?: string; args?: string }): string {
  const pid = o.pid ?? 2000 + (Date.parse(o.time) % 1000);
  return JSON.stringify({
    process_exec: { process: tgProcess({ node: o.node, pid, time: o.time, binary: o.binary ?? '/bin/sh', args: o.args ?? '-c true', pod: o.pod }) },
    node_name: o.node,
    time: o.time,
  });
}

/** Tetragon's report of events it dropped. */
export function tgRateLimit(o: { time: string; node: string; dropped: number }): string {
  return JSON.stringify({ rate_limit_info: { number_of_dropped_process_events: String(o.dropped) }, node_name: o.node, time: o.time });
}

/** Host process execs on a node every `everySeconds` over [from, to): sensor heartbeat. */
export function tgHeartbeat(node: string, from: string, to: string, everySeconds = 60): string[] {
  const out: string[] = [];
  for (let t = Date.parse(from), i = 0; t < Date.parse(to); t += everySeconds * 1000, i++) {
    out.push(tgExec({ time: new Date(t).toISOString(), node, pid: 100 + i }));
  }
  return out;
}

export const lines = (xs: string[]): string => xs.join('\n') + '\n';

// ---------------------------------------------------------------------------------------------
// inventory (kubectl get ... -o json)

export function kubeList(items: Obj[]): string {
  return JSON.stringify({ apiVersion: 'v1', kind: 'List', items, metadata: { resourceVersion: '' } }, null, 2);
}

/** A Node; with ip6, dual-stack (its IPv6 InternalIP second, as the kubelet lists it). */
export function node(o: { name: string; instanceId: string; ip: string; ip6?: string; created?: string; zone?: string }): Obj {
  const zone = o.zone ?? `${REGION}a`;
  return {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: {
      name: o.name,
      uid: `node-uid-${o.name}`,
      creationTimestamp: o.created ?? '2026-10-19T00:00:00Z',
      labels: { 'kubernetes.io/hostname': o.name, 'topology.kubernetes.io/zone': zone },
    },
    spec: { providerID: `aws:///${zone}/${o.instanceId}` },
    status: {
      addresses: [
        { address: o.ip, type: 'InternalIP' },
        ...(o.ip6 ? [{ address: o.ip6, type: 'InternalIP' }] : []),
        { address: o.name, type: 'Hostname' },
      ],
    },
  };
}

export function pod(o: {
  uid: string;
  namespace: string;
  name: string;
  node: string;
  ip: string;
  hostIP?: string;
  serviceAccount?: string;
  hostNetwork?: boolean;
  created?: string;
  deleted?: string;
  containerId?: string;
  digest?: string;
}): Obj {
  const cid = o.containerId ?? o.uid.replace(/[^0-9a-f]/g, '').padEnd(64, 'c').slice(0, 64);
  const digest = (o.digest ?? 'a'.repeat(64)).replace('sha256:', '');
  const metadata: Obj = { name: o.name, namespace: o.namespace, uid: o.uid, creationTimestamp: o.created ?? '2026-10-20T08:00:00Z' };
  if (o.deleted) metadata['deletionTimestamp'] = o.deleted;
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata,
    spec: { nodeName: o.node, serviceAccountName: o.serviceAccount ?? 'default', hostNetwork: o.hostNetwork ?? false, containers: [{ name: 'app', image: 'docker.io/example/app:1' }] },
    status: {
      phase: 'Running',
      hostIP: o.hostIP ?? '10.0.0.1',
      podIP: o.ip,
      podIPs: [{ ip: o.ip }],
      startTime: o.created ?? '2026-10-20T08:00:00Z',
      containerStatuses: [
        {
          name: 'app',
          containerID: `containerd://${cid}`,
          image: 'docker.io/example/app:1',
          imageID: `docker.io/example/app@sha256:${digest}`,
          ready: true,
          started: true,
          state: { running: { startedAt: o.created ?? '2026-10-20T08:00:00Z' } },
        },
      ],
    },
  };
}

export function serviceAccount(o: { namespace: string; name: string; roleArn?: string }): Obj {
  const annotations: Obj = {};
  if (o.roleArn) annotations['eks.amazonaws.com/role-arn'] = o.roleArn;
  return { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: o.name, namespace: o.namespace, uid: `sa-uid-${o.namespace}-${o.name}`, creationTimestamp: '2026-10-01T00:00:00Z', annotations } };
}

/** Snapshot file name kubectl output is saved under: <kind>-2026-10-20T09-00-00Z.json. */
export function snapshotName(kind: 'pods' | 'nodes' | 'serviceaccounts', iso: string): string {
  return `inventory/${kind}-${iso.replace(/:/g, '-').replace(/\.\d+Z$/, 'Z')}.json`;
}

// ---------------------------------------------------------------------------------------------
// Kubernetes audit (audit.k8s.io/v1, one JSON object per line)

export function auditEvent(o: {
  id: string;
  time: string;
  verb: string;
  resource: string;
  namespace?: string;
  name?: string;
  subresource?: string;
  user?: string;
  groups?: string[];
  extra?: Record<string, string[]>;
  sourceIP?: string;
  code?: number;
  stage?: string;
  responseObject?: Obj;
  uri?: string;
}): string {
  const objectRef: Obj = { resource: o.resource, apiVersion: 'v1' };
  if (o.namespace) objectRef['namespace'] = o.namespace;
  if (o.name) objectRef['name'] = o.name;
  if (o.subresource) objectRef['subresource'] = o.subresource;
  const e: Obj = {
    kind: 'Event',
    apiVersion: 'audit.k8s.io/v1',
    level: o.responseObject ? 'RequestResponse' : 'Metadata',
    auditID: o.id,
    stage: o.stage ?? 'ResponseComplete',
    requestURI: o.uri ?? `/api/v1/${o.namespace ? `namespaces/${o.namespace}/` : ''}${o.resource}${o.name ? `/${o.name}` : ''}${o.subresource ? `/${o.subresource}` : ''}`,
    verb: o.verb,
    user: { username: o.user ?? 'system:serviceaccount:kube-system:replicaset-controller', groups: o.groups ?? ['system:serviceaccounts', 'system:authenticated'], ...(o.extra ? { extra: o.extra } : {}) },
    sourceIPs: [o.sourceIP ?? '10.0.0.5'],
    userAgent: 'kube-controller-manager/v1.31.2',
    objectRef,
    responseStatus: { metadata: {}, code: o.code ?? 200 },
    requestReceivedTimestamp: o.time,
    stageTimestamp: o.time,
    annotations: { 'authorization.k8s.io/decision': 'allow', 'authorization.k8s.io/reason': '' },
  };
  if (o.responseObject) e['responseObject'] = o.responseObject;
  return JSON.stringify(e);
}

/** Kubelet lease renewals every `everySeconds` over [from, to): a steady audit stream. */
export function auditHeartbeat(from: string, to: string, everySeconds = 10, node = 'node-a'): string[] {
  const out: string[] = [];
  for (let t = Date.parse(from), i = 0; t < Date.parse(to); t += everySeconds * 1000, i++) {
    const time = new Date(t).toISOString().replace('Z', '').padEnd(23, '0') + '123Z';
    out.push(
      auditEvent({
        id: `lease-${node}-${i}`,
        time,
        verb: 'update',
        resource: 'leases',
        namespace: 'kube-node-lease',
        name: node,
        user: `system:node:${node}`,
        groups: ['system:nodes', 'system:authenticated'],
      }),
    );
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// SQL assertions (test/sql/assertions) on a hand-made case

export const ASSERTIONS_DIR = path.resolve(__dirname, '..', 'sql', 'assertions');

/**
 * Runs the named assertion files on a case: the failing rows of each file that has any. A name
 * `keys:<table>` runs the key check generated from that table's documented key (test/helpers/key-sql.ts).
 */
export async function assertionFailures(caseDir: string, files: string[]): Promise<Record<string, unknown[]>> {
  const out: Record<string, unknown[]> = {};
  for (const f of files) {
    const sql = f.startsWith('keys:') ? keySql(tableDoc(f.slice('keys:'.length))) : readFileSync(path.join(ASSERTIONS_DIR, f), 'utf8');
    const r = await queryCase(caseDir, sql, {});
    if (r.rows.length > 0) out[f] = r.rows.slice(0, 5);
  }
  return out;
}

function tableDoc(name: string): TableDoc {
  const t = allTableDocs().find((d) => d.name === name);
  if (!t) throw new Error(`no documented table ${name}`);
  return t;
}
