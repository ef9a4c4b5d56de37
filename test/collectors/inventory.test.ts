/**
 * Inventory landing (sql/20_land/inventory_*.sql) over the hand-made EKS fixtures in fixtures/inventory.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { copyFileSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { ingest, makeCase, query, tempDir } from '../helpers/case.js';
import type { Row } from '../../src/store/store.js';
import { landQuery, materializePrelude } from '../../src/store/land.js';
import { openStore } from '../../src/store/open-store.js';
import { applyMacros, SQL_DIR } from '../../src/store/lake-views.js';
import { tableDoc } from '../../src/lake/schema.js';

const FIXTURES = path.resolve(__dirname, '..', '..', 'fixtures', 'inventory');
const NODES = path.join(FIXTURES, 'nodes-2026-10-20T09-50-00Z.json');
const PODS = path.join(FIXTURES, 'pods-2026-10-20T09-50-00Z.json');
const SAS = path.join(FIXTURES, 'serviceaccounts-2026-10-20T09-50-00Z.json');
const MIXED = path.join(FIXTURES, 'cluster-2026-10-20T10-05-00Z.json');
const SINGLE_POD = path.join(FIXTURES, 'pod-payments-api-2026-10-20T10-10-00Z.json');

type Obj = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
const fixture = (file: string): Obj => JSON.parse(readFileSync(file, 'utf8')) as Obj;

const cleanups: (() => void)[] = [];
afterEach(() => {
  while (cleanups.length) cleanups.pop()!();
});

function newCase(o: Parameters<typeof makeCase>[0] = {}): string {
  const c = makeCase(o);
  cleanups.push(c.cleanup);
  return c.caseDir;
}

function inputs(files: Record<string, string>): Record<string, string> {
  const t = tempDir('podtrail-inv-');
  cleanups.push(t.cleanup);
  const out: Record<string, string> = {};
  for (const [name, content] of Object.entries(files)) {
    out[name] = path.join(t.dir, name);
    writeFileSync(out[name]!, content);
  }
  return out;
}

/** Output columns and types of a land SQL file, run over an empty `src` (JSON shows as VARCHAR with alias JSON). */
async function landOutputColumns(sqlFile: string): Promise<{ name: string; type: string }[]> {
  const t = tempDir('podtrail-cols-');
  cleanups.push(t.cleanup);
  const store = await openStore({ database: ':memory:', allowedDirectories: [t.dir] });
  try {
    await applyMacros(store);
    await store.run(`create temp view src as select null::VARCHAR as _efid, null::BIGINT as _ordinal, null::BIGINT as _line, '' as _path, null::JSON as _doc where false`);
    await store.run('create temp table pt_seen_event_ids (event_id VARCHAR, s3 BOOLEAN)');
    const sql = landQuery(path.join(SQL_DIR, '20_land', sqlFile));
    const params = { duplicate_keys: [] as string[], evidence_file_id: 'x', window_lo: '2000-01-01 00:00:00.000', window_hi: '2030-01-01 00:00:00.000', snapshot_at: '2026-10-20T09:50:00Z' };
    // the four inventory targets read the records the prelude extracts once per file
    await materializePrelude(store, 'inventory_items', path.join(SQL_DIR, '20_land', 'inventory_items.sql'), params);
    const reader = await (await store.prepare(`select * from (${sql}) limit 0`, params)).runAndReadAll();
    return reader.columnNames().map((name, i) => {
      const type = reader.columnTypes()[i]!;
      return { name, type: type.alias ?? type.toString() };
    });
  } finally {
    store.close();
  }
}

describe('inventory: output contract', () => {
  it.each([
    ['inventory_nodes.sql', 'k8s_nodes'],
    ['inventory_pods.sql', 'k8s_pods'],
    ['inventory_service_accounts.sql', 'k8s_service_accounts'],
  ])('%s emits exactly the %s columns with their types, then _disposition', async (file, table) => {
    const expected = tableDoc(table)!.columns.map((c) => ({ name: c.name, type: c.type }));
    expect(await landOutputColumns(file)).toEqual([...expected, { name: '_disposition', type: 'VARCHAR' }]);
  });

  it('inventory_other.sql emits only the provenance columns and _disposition', async () => {
    expect((await landOutputColumns('inventory_other.sql')).map((c) => c.name)).toEqual(['row_id', 'evidence_file_id', 'line', 'record_path', '_disposition']);
  });
});

describe('inventory: the per-kind files of one snapshot', () => {
  let caseDir = '';
  let cleanup = (): void => {};
  const files = new Map<string, Row>();
  let nodes: Row[] = [];
  let pods: Row[] = [];
  let sas: Row[] = [];

  beforeAll(async () => {
    // a window far from the snapshot: inventory is never out of window
    const c = makeCase({ from: '2030-01-01T00:00:00Z', to: '2030-01-02T00:00:00Z' });
    caseDir = c.caseDir;
    cleanup = c.cleanup;
    await ingest(caseDir, [NODES, PODS, SAS]);
    for (const r of await query(caseDir, 'select * from evidence_files')) files.set(String(r['origin']), r);
    nodes = await query(caseDir, 'select * from k8s_nodes order by name');
    pods = await query(caseDir, 'select * from k8s_pods order by namespace, name');
    sas = await query(caseDir, 'select * from k8s_service_accounts order by namespace, name');
  });
  afterAll(() => cleanup());

  it('accounts for every item: landed, or rejected with a reason; never out of window', () => {
    expect(files.get(NODES)).toMatchObject({ source_type: 'inventory', status: 'landed', records_total: '2', records_landed: '2', records_out_of_window: '0', snapshot_at: '2026-10-20 09:50:00' });
    expect(files.get(PODS)).toMatchObject({ records_total: '5', records_landed: '4', records_rejected: '1', records_out_of_window: '0' });
    expect(files.get(SAS)).toMatchObject({ records_total: '4', records_landed: '4' });
  });

  it('nodes: instance id from providerID, zone from the label else providerID, addresses by type', () => {
    expect(nodes).toHaveLength(2);
    const efid = files.get(NODES)!['evidence_file_id'];
    expect(nodes[0]).toMatchObject({
      row_id: `${efid}-00000001-000001`,
      evidence_file_id: efid,
      line: null,
      record_path: '/items/0',
      snapshot_at: '2026-10-20 09:50:00',
      name: 'ip-10-0-10-170.ec2.internal',
      uid: '6f1c2d9e-3b8a-4f7e-9c1d-2a5b8e7f0c31',
      provider_id: 'aws:///us-east-1a/i-08736224042c4ee75',
      instance_id: 'i-08736224042c4ee75',
      zone: 'us-east-1a',
      internal_ips: ['10.0.10.170'],
      external_ips: [],
      created_at: '2026-10-18 07:12:41',
    });
    expect(JSON.parse(String(nodes[0]!['labels']))['eks.amazonaws.com/nodegroup']).toBe('workers');
    // no topology label: the zone comes from providerID
    expect(nodes[1]).toMatchObject({
      name: 'ip-10-0-11-23.ec2.internal',
      instance_id: 'i-0a1b2c3d4e5f60718',
      zone: 'us-east-1b',
      internal_ips: ['10.0.11.23'],
      external_ips: ['54.87.120.19'],
      record_path: '/items/1',
    });
  });

  it('pods: IPs, hostNetwork, service account, owner and lifecycle times', () => {
    const byName = new Map(pods.map((p) => [String(p['name']), p]));
    expect(pods).toHaveLength(4);
    expect(byName.get('payments-api-7d9c6b5f4-x2x9k')).toMatchObject({
      uid: '3f6b2c1a-9d4e-4b7a-8e21-5c0d7f9a1b23',
      namespace: 'payments',
      node_name: 'ip-10-0-10-170.ec2.internal',
      service_account: 'payments-api',
      pod_ips: ['10.0.10.45'],
      host_ip: '10.0.10.170',
      host_network: false,
      phase: 'Running',
      owner_kind: 'ReplicaSet',
      owner_name: 'payments-api-7d9c6b5f4',
      created_at: '2026-10-20 08:41:02',
      started_at: '2026-10-20 08:41:02',
      deleted_at: null,
      snapshot_at: '2026-10-20 09:50:00',
      record_path: '/items/0',
    });
    // hostNetwork: the pod IP is the node IP
    const awsNode = byName.get('aws-node-7xk2p')!;
    expect(awsNode).toMatchObject({ host_network: true, pod_ips: ['10.0.10.170'], host_ip: '10.0.10.170', owner_kind: 'DaemonSet', service_account: 'aws-node' });
    // podIP only (no podIPs), no serviceAccountName, terminating
    expect(byName.get('ledger-export-29212345-vq8mz')).toMatchObject({
      pod_ips: ['10.0.11.87'],
      service_account: 'default',
      deleted_at: '2026-10-20 09:50:21',
      owner_kind: 'Job',
    });
    // pending: no IP, no started container
    expect(byName.get('payments-api-7d9c6b5f4-q4l7w')).toMatchObject({ pod_ips: [], phase: 'Pending', container_ids: [], image_digests: [] });
  });

  it('pods: container ids without the runtime prefix, image digests, per-container JSON (init containers too)', () => {
    const src = fixture(PODS)['items'][0];
    const statuses: Obj[] = [...src.status.containerStatuses, ...src.status.initContainerStatuses];
    const ids = statuses.map((s) => String(s['containerID']).replace('containerd://', ''));
    const digests = statuses.map((s) => String(s['imageID']).split('@')[1]);
    const api = pods.find((p) => p['name'] === 'payments-api-7d9c6b5f4-x2x9k')!;
    expect(api['container_ids']).toEqual(ids);
    expect(ids.every((id) => /^[0-9a-f]{64}$/.test(id))).toBe(true);
    expect(api['image_digests']).toEqual(digests);
    expect(JSON.parse(String(api['containers']))).toEqual([
      { name: 'api', container_id: ids[0], image: src.status.containerStatuses[0].image, image_id: src.status.containerStatuses[0].imageID, image_digest: digests[0], started_at: '2026-10-20T08:41:12Z' },
      { name: 'envoy', container_id: ids[1], image: 'docker.io/envoyproxy/envoy:v1.31.2', image_id: src.status.containerStatuses[1].imageID, image_digest: digests[1], started_at: '2026-10-20T08:41:13Z' },
      { name: 'wait-db', container_id: ids[2], image: 'docker.io/library/busybox:1.36', image_id: src.status.initContainerStatuses[0].imageID, image_digest: digests[2], started_at: '2026-10-20T08:41:05Z' },
    ]);
    const pending = pods.find((p) => p['name'] === 'payments-api-7d9c6b5f4-q4l7w')!;
    expect(JSON.parse(String(pending['containers']))).toEqual([
      { name: 'api', container_id: null, image: '823571991546.dkr.ecr.us-east-1.amazonaws.com/payments-api:1.14.2', image_id: null, image_digest: null, started_at: null },
    ]);
  });

  it('pods: an item without metadata.uid is rejected as missing_id', async () => {
    const rejects = await query(caseDir, 'select reject_id, record_path, reason from ingest_rejects');
    expect(rejects).toEqual([{ reject_id: `${files.get(PODS)!['evidence_file_id']}-00000001-000005`, record_path: '/items/4', reason: 'missing_id' }]);
  });

  it('service accounts: IRSA, Azure and GKE workload identity bindings from annotations', () => {
    const byName = new Map(sas.map((s) => [`${s['namespace']}/${s['name']}`, s]));
    expect(byName.get('payments/payments-api')).toMatchObject({
      uid: '9e1c3a5b-7d9f-4b1d-8f3a-5c7e9a1b3d75',
      irsa_role_arn: 'arn:aws:iam::823571991546:role/payments-api',
      azure_client_id: null,
      gcp_service_account: null,
      created_at: '2026-10-18 07:20:11',
      snapshot_at: '2026-10-20 09:50:00',
    });
    expect(JSON.parse(String(byName.get('payments/payments-api')!['annotations']))).toEqual({
      'eks.amazonaws.com/role-arn': 'arn:aws:iam::823571991546:role/payments-api',
      'eks.amazonaws.com/token-expiration': '86400',
    });
    expect(byName.get('payments/default')).toMatchObject({ irsa_role_arn: null, annotations: null });
    expect(byName.get('analytics/reporter')).toMatchObject({ azure_client_id: '6c1f2e3d-4b5a-4f69-8e7d-9c0b1a2f3e4d', irsa_role_arn: null });
    expect(byName.get('analytics/bq-loader')).toMatchObject({ gcp_service_account: 'bq-loader@analytics-prod.iam.gserviceaccount.com' });
  });
});

describe('inventory: mixed Lists, single objects, snapshot time', () => {
  it('a kubectl get nodes,pods,sa,cm List is split into the three tables; the ConfigMap is rejected as unsupported_kind', async () => {
    const caseDir = newCase();
    await ingest(caseDir, [MIXED]);
    const ef = (await query(caseDir, 'select * from evidence_files'))[0]!;
    expect(ef).toMatchObject({ status: 'landed', records_total: '5', records_landed: '4', records_rejected: '1', snapshot_at: '2026-10-20 10:05:00' });
    const counts = await query(
      caseDir,
      `select (select count(*) from k8s_nodes)::INTEGER as nodes, (select count(*) from k8s_pods)::INTEGER as pods,
              (select count(*) from k8s_service_accounts)::INTEGER as sas`,
    );
    expect(counts).toEqual([{ nodes: 1, pods: 2, sas: 1 }]);
    const paths = await query(
      caseDir,
      `select 'node' as t, record_path from k8s_nodes union all select 'pod', record_path from k8s_pods
       union all select 'sa', record_path from k8s_service_accounts order by record_path`,
    );
    expect(paths).toEqual([
      { t: 'node', record_path: '/items/0' },
      { t: 'pod', record_path: '/items/1' },
      { t: 'pod', record_path: '/items/2' },
      { t: 'sa', record_path: '/items/3' },
    ]);
    const rejects = await query(caseDir, 'select reject_id, record_path, reason, message from ingest_rejects');
    expect(rejects).toEqual([
      {
        reject_id: `${ef['evidence_file_id']}-00000001-000005`,
        record_path: '/items/4',
        reason: 'unsupported_kind',
        message: expect.stringContaining('only Node, Pod, ServiceAccount'),
      },
    ]);
  });

  it('a single Pod object is its own record (record_path "", row id without element)', async () => {
    const caseDir = newCase();
    await ingest(caseDir, [SINGLE_POD]);
    const rows = await query(caseDir, 'select row_id, record_path, line, uid, snapshot_at, evidence_file_id from k8s_pods');
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ record_path: '', line: null, uid: '3f6b2c1a-9d4e-4b7a-8e21-5c0d7f9a1b23', snapshot_at: '2026-10-20 10:10:00' });
    expect(rows[0]!['row_id']).toBe(`${rows[0]!['evidence_file_id']}-00000001`);
  });

  it('--snapshot-at overrides the file name (offsets converted to UTC)', async () => {
    const caseDir = newCase();
    await ingest(caseDir, [NODES, SAS], { snapshotAt: '2026-10-21T14:00:00+02:00' });
    const rows = await query(
      caseDir,
      `select distinct snapshot_at from (select snapshot_at from k8s_nodes union all select snapshot_at from k8s_service_accounts
       union all select snapshot_at from evidence_files)`,
    );
    expect(rows).toEqual([{ snapshot_at: '2026-10-21 12:00:00' }]);
  });

  it('a file without a time in its name is refused with how to give one; nothing lands', async () => {
    const caseDir = newCase();
    const t = tempDir('podtrail-inv-');
    cleanups.push(t.cleanup);
    const timeless = path.join(t.dir, 'pods.json');
    copyFileSync(PODS, timeless);
    const r = await ingest(caseDir, [timeless]);
    expect(r.files[0]!.status).toBe('refused');
    expect(r.files[0]!.message).toMatch(/snapshot/);
    expect(r.files[0]!.message).toContain('--snapshot-at');
    expect(r.files[0]!.message).toMatch(/pods-2026-10-20T09-50-00Z\.json/);
    const ef = (await query(caseDir, 'select status, refusal_reason, records_landed from evidence_files'))[0]!;
    expect(ef).toMatchObject({ status: 'refused', records_landed: '0' });
    expect(await query(caseDir, 'select count(*)::INTEGER as n from k8s_pods')).toEqual([{ n: 0 }]);
  });

  it('an 800-pod List (2.8 MB) lands within the memory limit (a lateral unnest join ran out of it)', async () => {
    const caseDir = newCase();
    const list = fixture(PODS);
    const items = Array.from({ length: 800 }, (_, i) => {
      const p = JSON.parse(JSON.stringify(list['items'][i % 4])) as Obj;
      p['metadata']['uid'] = `uid-${i}`;
      p['metadata']['annotations'] = { note: `pod ${i} `.repeat(200) };
      return p;
    });
    const f = inputs({ 'pods-2026-10-20T12-00-00Z.json': JSON.stringify({ ...list, items }, null, 1) });
    const r = await ingest(caseDir, Object.values(f));
    expect(r.files[0]!.landing).toMatchObject({ landed: 800, rejected: 0 });
    expect(await query(caseDir, 'select count(distinct uid)::INTEGER as n, max(record_path) as hi from k8s_pods')).toEqual([{ n: 800, hi: '/items/99' }]);
  });

  it('bad inventory values: items not an array, non-object items, items without a kind, other kinds, JSON lines of Pods', async () => {
    const caseDir = newCase();
    const pod = fixture(SINGLE_POD);
    const f = inputs({
      'pods-2026-10-20T11-00-00Z.jsonl': [
        JSON.stringify(pod),
        JSON.stringify({ apiVersion: 'v1', kind: 'PodList', items: { not: 'an array' } }),
        JSON.stringify({ apiVersion: 'v1', kind: 'List', items: [pod, 7, { metadata: { name: 'no-kind', uid: 'u-1' } }, { kind: 'Secret', metadata: { uid: 'u-2' } }] }),
        JSON.stringify({ apiVersion: 'v1', kind: 'ServiceAccountList', items: [{ metadata: { name: 'default', namespace: 'ns', uid: 'sa-uid-1' } }] }),
      ].join('\n') + '\n',
    });
    await ingest(caseDir, Object.values(f));
    const ef = (await query(caseDir, 'select * from evidence_files'))[0]!;
    expect(ef).toMatchObject({ status: 'landed', layout: 'lines', records_total: '7', records_landed: '3', records_rejected: '4' });
    const pods = await query(caseDir, 'select line, record_path from k8s_pods order by line, record_path');
    expect(pods).toEqual([
      { line: '1', record_path: '' },
      { line: '3', record_path: '/items/0' },
    ]);
    // a ServiceAccountList item without kind is a ServiceAccount
    expect(await query(caseDir, 'select line, record_path, uid from k8s_service_accounts')).toEqual([{ line: '4', record_path: '/items/0', uid: 'sa-uid-1' }]);
    const rejects = await query(caseDir, 'select line, record_path, reason from ingest_rejects order by reject_id');
    expect(rejects).toEqual([
      { line: '2', record_path: '/items', reason: 'invalid_envelope' },
      { line: '3', record_path: '/items/1', reason: 'invalid_envelope' },
      { line: '3', record_path: '/items/2', reason: 'unsupported_kind' },
      { line: '3', record_path: '/items/3', reason: 'unsupported_kind' },
    ]);
  });
});
