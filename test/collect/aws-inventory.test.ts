import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { findScenario } from '../../src/generate/scenarios/index.js';
import { ingestCase } from '../../src/ingest/ingest-case.js';
import { collectAws, type CollectAwsOptions, type CollectAwsResult } from '../../src/collect/aws/collect-aws.js';
import { openCaseStore } from '../../src/store/case-store.js';
import { casePaths } from '../../src/case/case-paths.js';
import { createClock } from '../../src/core/clock.js';
import { FakeAws } from '../servers/aws/aws-server.js';
import { cloudTrailService, stsService } from '../servers/aws/services.js';
import { ec2Service, eksService, iamService, logsService, type LogsState } from '../servers/aws/inventory-services.js';
import { clusterFixture, type ClusterFixture } from '../servers/aws/cluster-fixture.js';
import { ACCESS_KEY, CALLER, TEST_RETRY, useTestCredentials } from './aws-harness.js';
import { AS_OF, makeCase, tempDir } from '../helpers/case.js';

/**
 * `podtrail collect aws --cluster` over the wire: the loopback EC2 (EC2 query protocol), IAM
 * (query), EKS (REST-JSON) and CloudWatch Logs (JSON 1.1) servers, built from a generated
 * scenario's world, serve small pages, throttle, fail and refuse; what the collector lands is the
 * same, row for row, as the same answers saved with the AWS CLI and given to `podtrail ingest`.
 */
const WINDOW = { from: '2026-10-20T07:30:00Z', to: '2026-10-20T09:30:00Z' };
const INVENTORY_TABLES = ['aws_instances', 'aws_network_interfaces', 'aws_nat_gateways', 'aws_elastic_ips', 'aws_route_tables', 'aws_vpc_endpoints', 'aws_prefix_lists', 'aws_eks_clusters', 'aws_pod_identity_associations', 'aws_iam_roles'];

function auditEvent(i: number, at: string): string {
  return JSON.stringify({
    kind: 'Event', apiVersion: 'audit.k8s.io/v1', level: 'Metadata', auditID: `5e1c0000-0000-4000-8000-${String(i).padStart(12, '0')}`, stage: 'ResponseComplete',
    requestURI: '/api/v1/namespaces/payments/pods', verb: 'list', user: { username: 'alice', groups: ['system:authenticated'] }, sourceIPs: ['10.0.3.4'],
    objectRef: { resource: 'pods', namespace: 'payments', apiVersion: 'v1' }, responseStatus: { metadata: {}, code: 200 }, requestReceivedTimestamp: at, stageTimestamp: at,
  });
}

function auditLog(): LogsState {
  const events = [];
  for (let i = 0; i < 11; i++) {
    const ts = Date.parse('2026-10-20T07:40:00Z') + i * 600_000;
    events.push({ logStreamName: `kube-apiserver-audit-${i % 2 ? 'a1b2' : 'c3d4'}`, timestamp: ts, ingestionTime: ts + 90_000, message: auditEvent(i, new Date(ts).toISOString().replace('Z', '000Z')), eventId: `3${String(i).padStart(55, '0')}` });
  }
  // another stream of the group (the authenticator), and an audit event long after the window
  events.push({ logStreamName: 'authenticator-0f0f', timestamp: Date.parse('2026-10-20T08:00:00Z'), ingestionTime: Date.parse('2026-10-20T08:00:05Z'), message: 'time="2026-10-20T08:00:00Z" level=info msg="access granted"', eventId: `4${'0'.repeat(55)}` });
  events.push({ logStreamName: 'kube-apiserver-audit-a1b2', timestamp: Date.parse('2026-10-21T08:00:00Z'), ingestionTime: Date.parse('2026-10-21T08:00:01Z'), message: auditEvent(99, '2026-10-21T08:00:00.000000Z'), eventId: `5${'0'.repeat(55)}` });
  return { groups: new Map([['/aws/eks/' + fx().clusterName + '/cluster', events]]), maxPage: 4 };
}

let fixture: ClusterFixture | null = null;
const fx = (): ClusterFixture => (fixture ??= clusterFixture(findScenario('pod-identity')!.build(1)));

async function account(o: { logs?: LogsState } = {}): Promise<FakeAws> {
  const f = fx();
  return new FakeAws({ accessKeys: [ACCESS_KEY] })
    .register(stsService(CALLER))
    .register(cloudTrailService({ events: new Map(), keys: new Map(), lookupTps: 1000 }))
    .register(ec2Service({ ...f.ec2, maxPage: 5 }))
    .register(eksService({ ...f.eks, maxPage: 2 }))
    .register(iamService(f.roles))
    .register(logsService(o.logs ?? auditLog()))
    .start();
}

function options(caseDir: string, aws: FakeAws, logs: string[]): CollectAwsOptions {
  return {
    caseDir, profile: null, regions: [fx().region], eventSources: [], trail: null, accounts: [], cluster: fx().clusterName, endpoint: aws.url, timeoutMs: 3000, retry: TEST_RETRY,
    roles: [...fx().roles.values()].map((r) => String(r['Arn'])), lookupRatePerSecond: 50, inventoryPageSize: 5, auditPageSize: 4, operator: 'tester', clock: createClock(AS_OF), now: () => Date.parse('2026-10-20T09:40:00Z'), log: (l) => logs.push(l),
  };
}

async function tableRows(caseDir: string, table: string): Promise<string[]> {
  const store = await openCaseStore(casePaths(caseDir), { write: false });
  try {
    const rows = await store.rows(`select * exclude (row_id, evidence_file_id, line, record_path, snapshot_at) from ${table}`);
    return rows.map((r) => JSON.stringify(r, Object.keys(r).sort())).sort();
  } finally {
    store.close();
  }
}

useTestCredentials();
const c = makeCase({ ...WINDOW, margin: '15m' });
let aws: FakeAws;
let result: CollectAwsResult;
const logs: string[] = [];

beforeAll(async () => {
  useTestCredentials();
  aws = await account();
  // failures on the way: EC2 throttles, EKS fails once, IAM refuses one role
  aws.faults.push({ request: 'ec2:DescribeNetworkInterfaces', times: 2, action: { kind: 'error', status: 503, code: 'RequestLimitExceeded', message: 'Request limit exceeded.' } });
  aws.faults.push({ request: 'eks:DescribePodIdentityAssociation', action: { kind: 'error', status: 500, code: 'ServerException', message: 'internal' } });
  aws.faults.push({ request: 'logs:FilterLogEvents', action: { kind: 'error', status: 400, code: 'ThrottlingException', message: 'Rate exceeded' } });
  result = await collectAws(options(c.caseDir, aws, logs));
}, 180_000);

afterAll(async () => {
  await aws?.stop();
  c.cleanup();
});

describe('collect aws --cluster over the wire', () => {
  it('pages every Describe call, retries throttling and server errors, and finishes', () => {
    expect(result.failure).toBeNull();
    const inv = result.steps.find((s) => s.step.startsWith('cluster inventory'))!;
    expect(inv.state).toBe('done');
    const f = fx();
    const enis = f.ec2.regions.get(f.region)!.NetworkInterfaces.length;
    expect(aws.requests('ec2:DescribeNetworkInterfaces').length).toBe(Math.ceil(enis / 5) + 2);
    expect(aws.requests('ec2:DescribeNetworkInterfaces').every((r) => new URLSearchParams(r.body.toString()).get('Filter.1.Value.1') === f.vpcId)).toBe(true);
    const assocs = f.eks.associations.get(f.clusterName)!;
    expect(assocs.length).toBeGreaterThan(0);
    expect(aws.requests('eks:ListPodIdentityAssociations').length).toBe(Math.ceil(assocs.length / 2));
    expect(aws.requests('eks:DescribePodIdentityAssociation').length).toBe(assocs.length + 1);
    expect(aws.requests('iam:GetRole').length).toBe(f.roles.size);
  });

  it('uses exactly the cluster actions the IAM policy in deploy/ grants, all read-only', () => {
    const policy = JSON.parse(readFileSync(path.resolve(__dirname, '..', '..', 'deploy', 'podtrail-collector-aws-policy.json'), 'utf8')) as { Statement: { Action: string[] }[] };
    const granted = new Set(policy.Statement.flatMap((x) => x.Action).filter((x) => /^(ec2|eks|iam|logs):/.test(x)));
    const used = new Set(aws.received.filter((x) => /^(ec2|eks|iam|logs)$/.test(x.service)).map((x) => `${x.service}:${x.operation}`));
    expect(used).toEqual(granted);
    expect([...granted].every((x) => /:(Describe|List|Get|Filter)/.test(x))).toBe(true);
  });

  it('lands the inventory as snapshot tables, the trust policies decoded, the associations with their roles', async () => {
    const store = await openCaseStore(casePaths(c.caseDir), { write: false });
    try {
      const assoc = await store.rows(`select namespace, service_account, role_arn, disable_session_tags, described from aws_pod_identity_associations where described order by 1, 2`);
      expect(assoc.length).toBe(fx().eks.associations.get(fx().clusterName)!.length);
      expect(assoc.every((a) => typeof a['role_arn'] === 'string' && a['disable_session_tags'] === false)).toBe(true);
      const roles = await store.rows(`select role_arn, trust_policy ->> '$.Statement[0].Principal.Service' as svc, trust_policy ->> '$.Statement[0].Principal.Federated' as fed from aws_iam_roles`);
      expect(roles.length).toBe(fx().roles.size);
      expect(roles.every((r) => r['svc'] === 'pods.eks.amazonaws.com' || String(r['fed']).includes(':oidc-provider/'))).toBe(true);
      const pods = await store.rows(`select count(*) as n, count(*) filter (where len(secondary_ips) > 0) as with_secondary, count(*) filter (where len(ipv4_prefixes) > 0) as with_prefixes from aws_network_interfaces where interface_type = 'interface'`);
      expect(Number(pods[0]!['with_secondary'])).toBeGreaterThan(0);
      expect(Number(pods[0]!['with_prefixes'])).toBe(1);
      const cl = await store.rows(`select cluster_name, oidc_issuer, vpc_id, audit_logging, created_at::VARCHAR as created from aws_eks_clusters`);
      expect(cl).toEqual([{ cluster_name: fx().clusterName, oidc_issuer: expect.stringMatching(/^https:\/\/oidc\.eks\./), vpc_id: fx().vpcId, audit_logging: true, created: '2026-01-05 10:00:00' }]);
      const snap = await store.rows(`select count(distinct snapshot_at) as n, min(snapshot_at) is not null as ok from aws_nat_gateways`);
      expect(snap[0]!['ok']).toBe(true);
    } finally {
      store.close();
    }
  });

  it('keeps delegated IPv6 prefixes: ipv6PrefixSet on the wire, Ipv6Prefixes in the evidence, ipv6_prefixes in the lake', async () => {
    const f = fx();
    const dual = f.ec2.regions.get(f.region)!.NetworkInterfaces.filter((e) => (e['Ipv6Prefixes'] ?? []).length > 0);
    expect(dual).toHaveLength(1);
    const eni = String(dual[0]!['NetworkInterfaceId']);
    const prefix = String(dual[0]!['Ipv6Prefixes'][0]['Ipv6Prefix']);
    const address = String(dual[0]!['Ipv6Addresses'][0]['Ipv6Address']);
    const files = (readdirSync(path.join(c.caseDir, 'collect'), { recursive: true }) as string[]).filter((x) => path.basename(x).startsWith('ec2-describe-network-interfaces-'));
    const read = (ext: string): string => files.filter((x) => x.endsWith(ext)).map((x) => readFileSync(path.join(c.caseDir, 'collect', x), 'utf8')).join('');
    expect(read('.xml')).toContain(`<ipv6PrefixSet><item><ipv6Prefix>${prefix}</ipv6Prefix></item></ipv6PrefixSet>`);
    expect(read('.json')).toContain(`"Ipv6Prefixes": [\n                {\n                    "Ipv6Prefix": "${prefix}"`);
    const store = await openCaseStore(casePaths(c.caseDir), { write: false });
    try {
      expect(await store.rows(`select eni_id, ipv6_addresses, ipv6_prefixes from aws_network_interfaces where len(ipv6_prefixes) > 0`)).toEqual([{ eni_id: eni, ipv6_addresses: [address], ipv6_prefixes: [prefix] }]);
    } finally {
      store.close();
    }
  });

  it('lands the EKS audit stream from CloudWatch Logs through the EKS wrapper, paged, other streams left out', async () => {
    const audit = result.steps.find((s) => s.step.startsWith('EKS audit'))!;
    expect(audit).toMatchObject({ state: 'done', detail: '11 events in 3 pages' });
    const req = aws.requests('logs:FilterLogEvents').map((r) => JSON.parse(r.body.toString()) as Record<string, unknown>);
    expect(req[0]).toMatchObject({ logGroupName: `/aws/eks/${fx().clusterName}/cluster`, logStreamNamePrefix: 'kube-apiserver-audit', startTime: Date.parse('2026-10-20T07:15:00Z'), endTime: Date.parse('2026-10-20T10:00:00Z') });
    const store = await openCaseStore(casePaths(c.caseDir), { write: false });
    try {
      const rows = await store.rows(`select count(*) as n, min(wrapper) as w from kube_audit_events`);
      expect(Number(rows[0]!['n'])).toBe(11);
      expect(rows[0]!['w']).toBe('eks-cloudwatch');
    } finally {
      store.close();
    }
  });

  it('records the part of the audit log that may still arrive as a gap when collected before the delivery allowance ends', async () => {
    const store = await openCaseStore(casePaths(c.caseDir), { write: false });
    try {
      const gaps = await store.rows(`select gap, resource, message from collection_log where record = 'gap' order by resource`);
      expect(gaps.some((g) => String(g['resource']).startsWith('logs/') && String(g['message']).includes('may still arrive'))).toBe(true);
    } finally {
      store.close();
    }
  });

  it('lands the same rows when the same answers are saved with the AWS CLI and ingested', async () => {
    const f = fx();
    const other = makeCase({ ...WINDOW, margin: '15m' });
    try {
      const t = tempDir('podtrail-cli-');
      const dir = path.join(t.dir, 'aws');
      mkdirSync(dir);
      const stamp = '2026-10-20T09-40-00Z';
      const ec2 = f.ec2.regions.get(f.region)!;
      const write = (name: string, doc: unknown): void => writeFileSync(path.join(dir, `${name}-${f.region}-${stamp}.json`), `${JSON.stringify(doc, null, 4)}\n`);
      write('ec2-describe-instances', { Reservations: ec2.Reservations });
      write('ec2-describe-network-interfaces', { NetworkInterfaces: ec2.NetworkInterfaces });
      write('ec2-describe-nat-gateways', { NatGateways: ec2.NatGateways });
      write('ec2-describe-addresses', { Addresses: ec2.Addresses });
      write('ec2-describe-route-tables', { RouteTables: ec2.RouteTables });
      write('ec2-describe-vpc-endpoints', { VpcEndpoints: ec2.VpcEndpoints });
      write('ec2-describe-prefix-lists', { PrefixLists: ec2.PrefixLists });
      write('eks-describe-cluster', { cluster: f.eks.clusters.get(f.clusterName) });
      for (const a of f.eks.associations.get(f.clusterName)!) write(`eks-describe-pod-identity-association-${a['associationId']}`, { association: a });
      write('eks-list-pod-identity-associations', { associations: f.eks.associations.get(f.clusterName)!.map((a) => ({ clusterName: a['clusterName'], namespace: a['namespace'], serviceAccount: a['serviceAccount'], associationArn: a['associationArn'], associationId: a['associationId'] })) });
      for (const [name, role] of f.roles) writeFileSync(path.join(dir, `iam-get-role-${name}-${stamp}.json`), JSON.stringify({ Role: role }, null, 4)); // the CLI prints the trust policy decoded
      const r = await ingestCase({ caseDir: other.caseDir, paths: [dir], source: null, operator: 'tester', snapshotAt: null, clock: createClock(AS_OF), log: () => {} });
      expect(r.files.filter((x) => x.status !== 'landed')).toEqual([]);
      for (const table of INVENTORY_TABLES) {
        const wire = await tableRows(c.caseDir, table);
        const cli = await tableRows(other.caseDir, table);
        expect({ table, rows: cli }).toEqual({ table, rows: wire });
      }
      t.cleanup();
    } finally {
      other.cleanup();
    }
  });

  it('says what it could not get: a refused role, no audit log group', async () => {
    const d = makeCase({ ...WINDOW, margin: '15m' });
    const logs2: string[] = [];
    const a2 = await account({ logs: { groups: new Map() } });
    try {
      const [first] = [...fx().roles.keys()].sort();
      a2.faults.push({ request: 'iam:GetRole', match: (r) => new URLSearchParams(r.body.toString()).get('RoleName') === first, times: 10, action: { kind: 'error', status: 403, code: 'AccessDenied', message: `User is not authorized to perform: iam:GetRole on resource: role ${first}` } });
      const r = await collectAws(options(d.caseDir, a2, logs2));
      const inv = r.steps.find((s) => s.step.startsWith('cluster inventory'))!;
      expect(inv.state).toBe('forbidden');
      expect(r.steps.find((s) => s.step.startsWith('EKS audit'))!.state).toBe('done');
      const store = await openCaseStore(casePaths(d.caseDir), { write: false });
      try {
        const gaps = (await store.rows(`select gap, resource, message from collection_log where record = 'gap' order by resource`)) as { gap: string; resource: string; message: string }[];
        expect(gaps.find((g) => g.resource.endsWith(`iam:GetRole:${first}`))?.gap).toBe('forbidden');
        expect(gaps.find((g) => g.resource.startsWith('logs/'))?.message).toMatch(/audit logging is off/);
        expect(Number((await store.rows(`select count(*) as n from aws_iam_roles`))[0]!['n'])).toBe(fx().roles.size - 1);
      } finally {
        store.close();
      }
      expect(readdirSync(path.join(d.caseDir, 'collect')).length).toBe(1);
    } finally {
      await a2.stop();
      d.cleanup();
    }
  });
});
