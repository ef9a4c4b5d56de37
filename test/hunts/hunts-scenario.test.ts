import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildGeneratedCase, type Truth } from '../helpers/generated-case.js';
import { huntCase } from '../../src/query/query-case.js';
import { CaseSession } from '../../src/query/session.js';

/**
 * Every hunt of queries/ on one generated case (scenario mixed: the five incidents), checked
 * against the scenario's ground truth (truth.json) and against the correlation tables.
 */

let caseDir: string;
let truth: Truth;
let cleanup: () => void;
let session: CaseSession;

beforeAll(async () => {
  ({ caseDir, truth, cleanup } = await buildGeneratedCase('mixed', 7, 0.05));
  session = await CaseSession.open(caseDir);
}, 600_000);
afterAll(() => {
  session?.close();
  cleanup?.();
});

type Obj = Record<string, unknown>;

async function hunt(name: string, params: Record<string, string> = {}): Promise<Obj[]> {
  const r = await session.rows({ hunt: name, params });
  return r.rows.map((row) => Object.fromEntries(r.columns.map((c, i) => [c, row[i]])));
}

async function sql(text: string): Promise<Obj[]> {
  const r = await session.rows({ sql: text, params: {} });
  return r.rows.map((row) => Object.fromEntries(r.columns.map((c, i) => [c, row[i]])));
}

const incident = (play: string) => {
  const i = truth.incidents.find((x) => x.play === play);
  if (!i) throw new Error(`no incident ${play} in truth.json`);
  return i;
};
const cloud = (id: string) => truth.cloud_events.find((c) => c.event_id === id)!;
const sorted = (xs: unknown[]) => [...xs].map(String).sort();

describe('hunts on a generated incident (mixed, seed 7)', () => {
  it('api-calls-by-pod: the incident pod\'s calls attributed proven or strong, and ambiguous calls listing it', async () => {
    for (const play of ['irsa-exfil', 'imds-node-role', 'churn']) {
      const inc = incident(play);
      const rows = await hunt('api-calls-by-pod', { pod_uid: inc.pod_uid });
      const attributed = await sql(`select event_id, confidence from attributions where pod_uid = '${inc.pod_uid}'`);
      expect(sorted(rows.filter((r) => r['link'] === 'attributed').map((r) => r['event_id']))).toEqual(sorted(attributed.map((r) => r['event_id'])));
      const expected = inc.cloud_event_ids.filter((id) => attributed.some((a) => a['event_id'] === id && ['proven', 'strong'].includes(String(a['confidence']))));
      expect(expected.length, `${play}: some incident calls are attributed`).toBeGreaterThan(0);
      for (const id of expected) expect(rows.map((r) => r['event_id'])).toContain(id);
      for (const r of rows.filter((x) => x['link'] === 'attributed')) expect(cloud(String(r['event_id'])).made_by_pod_uid, `${r['event_id']} made by ${play} pod`).toBe(inc.pod_uid);
      for (const r of rows.filter((x) => x['link'] === 'candidate')) {
        const c = await sql(`select candidates from attributions where event_id = '${r['event_id']}'`);
        expect(JSON.stringify(c[0]!['candidates'])).toContain(inc.pod_uid);
      }
      const times = rows.map((r) => String(r['ts']));
      expect(times).toEqual([...times].sort());
    }
  });

  it('pod-credentials: the keys the IRSA pod obtained and the key the IMDS pod created', async () => {
    const irsa = incident('irsa-exfil');
    const rows = await hunt('pod-credentials', { pod_uid: irsa.pod_uid });
    const issued = irsa.cloud_event_ids.filter((id) => cloud(id).event_name === 'AssumeRoleWithWebIdentity' && cloud(id).made_by_pod_uid === irsa.pod_uid && cloud(id).logged);
    expect(issued.length).toBeGreaterThan(0);
    for (const id of issued) {
      const row = rows.find((r) => r['issuing_event_id'] === id);
      expect(row, `key issued by ${id}`).toBeDefined();
      expect(row!['links']).toContain('issued-by-pod');
      expect(row!['subject']).toBe(`${irsa.namespace}:${'billing-api'}`);
    }
    const imds = incident('imds-node-role');
    const created = imds.cloud_event_ids.find((id) => cloud(id).event_name === 'CreateAccessKey')!;
    const imdsRows = await hunt('pod-credentials', { pod_uid: imds.pod_uid });
    const key = imdsRows.find((r) => r['issuing_event_id'] === created);
    expect(key?.['links']).toEqual(['issued-by-pod', 'used-by-pod']);
    expect(key?.['subject_type']).toBe('iam-user');
    expect(Number(key?.['calls_elsewhere'])).toBeGreaterThan(0);
  });

  it('pods-reaching-imds: includes the pod that took the node role, not the IRSA pod', async () => {
    const rows = await hunt('pods-reaching-imds');
    const uids = rows.map((r) => r['pod_uid']);
    expect(uids).toContain(incident('imds-node-role').pod_uid);
    expect(uids).not.toContain(incident('irsa-exfil').pod_uid);
    const victim = rows.find((r) => r['pod_uid'] === incident('imds-node-role').pod_uid)!;
    expect(victim['node_name']).toBe(incident('imds-node-role').node);
    expect(victim['binaries']).toEqual(['/usr/bin/curl']);
  });

  it('new-access-keys: the key created from the IMDS pod, then used from the pod and from the attacker', async () => {
    const imds = incident('imds-node-role');
    const created = imds.cloud_event_ids.find((id) => cloud(id).event_name === 'CreateAccessKey')!;
    const rows = (await hunt('new-access-keys')).filter((r) => r['created_by_event_id'] === created);
    expect(rows.length).toBeGreaterThan(1);
    expect(rows[0]!['creator_pod_uid']).toBe(imds.pod_uid);
    expect(rows.map((r) => Number(r['use_no']))).toEqual(rows.map((_, i) => i + 1));
    expect(rows.some((r) => r['used_by_pod_uid'] === imds.pod_uid)).toBe(true);
    const fromAttacker = rows.filter((r) => imds.attacker_ips.includes(String(r['source_ip'])));
    expect(fromAttacker.length).toBeGreaterThan(0);
    for (const r of fromAttacker) expect(r['used_by_pod_uid']).toBeNull();
    const logged = truth.cloud_events.filter((c) => imds.cloud_event_ids.includes(c.event_id) && c.logged && c.event_time > cloud(created).event_time);
    expect(sorted(rows.map((r) => r['used_by_event_id']))).toEqual(sorted(logged.map((c) => c.event_id)));
    const two = await hunt('new-access-keys', { uses: '2' });
    expect(two.filter((r) => r['created_by_event_id'] === created).map((r) => r['use_no'])).toEqual(['1', '2']);
  });

  it('exec-then-cloud-calls: the people who exec\'d into the incident pods, and the calls that followed', async () => {
    const rows = await hunt('exec-then-cloud-calls');
    const pairs = new Set(rows.map((r) => `${r['user_name']} ${r['pod_uid']}`));
    const withHuman = truth.incidents.filter((i) => i.human !== null);
    expect(withHuman.length).toBe(2);
    for (const i of withHuman) {
      expect(pairs).toContain(`${i.human} ${i.pod_uid}`);
      const calls = rows.filter((r) => r['pod_uid'] === i.pod_uid).map((r) => String(r['event_id']));
      expect(calls.some((id) => i.cloud_event_ids.includes(id))).toBe(true);
      const exec = rows.find((r) => r['pod_uid'] === i.pod_uid)!;
      expect(i.audit_ids).toContain(exec['audit_id']);
    }
    for (const r of rows) {
      expect(Number(r['seconds_after'])).toBeGreaterThanOrEqual(-5);
      expect(Number(r['seconds_after'])).toBeLessThanOrEqual(3600);
    }
    const short = await hunt('exec-then-cloud-calls', { minutes: '1' });
    expect(short.length).toBeLessThan(rows.length);
    for (const r of short) expect(Number(r['seconds_after'])).toBeLessThanOrEqual(60);
  });

  it('pod-tokens-off-pod: exactly the Kubernetes requests made with a stolen pod token', async () => {
    const rows = await hunt('pod-tokens-off-pod');
    const expected = truth.kube_requests.filter((k) => k.off_pod).map((k) => k.audit_id);
    expect(expected.length).toBeGreaterThan(0);
    expect(sorted(rows.map((r) => r['audit_id']))).toEqual(sorted(expected));
    for (const r of rows) expect(r['pod_uid']).toBe(truth.kube_requests.find((k) => k.audit_id === r['audit_id'])!.bound_pod_uid);
  });

  it('unattributed-calls: every ambiguous or unattributed call, the attacker\'s calls among them, candidates listed', async () => {
    const rows = await hunt('unattributed-calls');
    const open = await sql(`select event_id, candidate_count from attributions where confidence in ('ambiguous', 'unattributed')`);
    expect(sorted([...new Set(rows.map((r) => r['event_id']))])).toEqual(sorted(open.map((r) => r['event_id'])));
    for (const o of open) {
      const n = rows.filter((r) => r['event_id'] === o['event_id'] && r['candidate_pod_uid'] !== null).length;
      expect(n).toBe(Number(o['candidate_count']));
    }
    const attacker = truth.cloud_events.filter((c) => c.logged && c.why_not_pod === 'external-attacker').map((c) => c.event_id);
    expect(attacker.length).toBeGreaterThan(0);
    for (const id of attacker) expect(rows.map((r) => r['event_id'])).toContain(id);
    const amb = rows.filter((r) => r['confidence'] === 'ambiguous');
    expect(amb.length).toBeGreaterThan(0);
    expect(amb.map((r) => r['candidate_pod_uid'])).toContain(incident('imds-node-role').pod_uid);
  });

  it('pod-egress-to-aws: the incident pods connected to the services of the calls they made', async () => {
    for (const play of ['imds-node-role', 'static-keys-nat', 'irsa-exfil']) {
      const inc = incident(play);
      const rows = await hunt('pod-egress-to-aws', { pod_uid: inc.pod_uid });
      const services = new Set(rows.map((r) => r['service']));
      const made = truth.cloud_events.filter((c) => c.made_by_pod_uid === inc.pod_uid && c.incident && c.logged && (c as { runtime_evidence?: boolean }).runtime_evidence);
      expect(made.length).toBeGreaterThan(0);
      for (const c of made) expect(services, `${play} ${c.event_name}`).toContain((c as unknown as { event_source: string }).event_source);
      for (const r of rows) expect(r['pod_name']).toBe(inc.pod_name);
    }
    const imds = await hunt('pod-egress-to-aws', { pod_uid: incident('imds-node-role').pod_uid });
    expect(imds.some((r) => r['service'] === 'imds' && r['dst_ip'] === '169.254.169.254')).toBe(true);
  });

  it('role-assumptions: the logged role assumptions of the window, and of a narrower one', async () => {
    const names = ['AssumeRole', 'AssumeRoleWithWebIdentity', 'AssumeRoleWithSAML', 'AssumeRoleForPodIdentity'];
    const inWindow = (from: string, to: string) =>
      truth.cloud_events.filter((c) => c.logged && names.includes(c.event_name) && c.event_time >= from && c.event_time <= to).map((c) => c.event_id);
    const rows = await hunt('role-assumptions');
    expect(sorted(rows.map((r) => r['event_id']))).toEqual(sorted(inWindow(truth.window.from, truth.window.to)));
    const narrow = await hunt('role-assumptions', { from: '2026-10-20T08:30:00Z', to: '2026-10-20T09:00:00Z' });
    expect(sorted(narrow.map((r) => r['event_id']))).toEqual(sorted(inWindow('2026-10-20T08:30:00Z', '2026-10-20T09:00:00Z')));
    expect(narrow.length).toBeLessThan(rows.length);
    const irsa = incident('irsa-exfil');
    const mine = rows.filter((r) => r['pod_uid'] === irsa.pod_uid);
    for (const r of mine) expect(r['web_identity_subject']).toBe('system:serviceaccount:payments:billing-api');
  });

  it('image-digest-changes: the canary runs the re-pushed tag\'s second digest', async () => {
    const churn = incident('churn');
    const rows = await hunt('image-digest-changes');
    const canary = rows.filter((r) => (r['pod_uids'] as string[] | null)?.includes(churn.pod_uid));
    expect(canary.length).toBe(1);
    expect(Number(canary[0]!['digest_no'])).toBeGreaterThanOrEqual(2);
    expect(canary[0]!['previous_digest']).not.toBeNull();
    expect(String(canary[0]!['image'])).toMatch(/storefront\/web:2\.3\.0$/);
  });

  it('processes-around-event: the AWS CLI ran in the pod seconds before the call it made', async () => {
    const imds = incident('imds-node-role');
    const id = imds.cloud_event_ids.find((e) => cloud(e).event_name === 'DescribeInstances')!;
    const rows = await hunt('processes-around-event', { event_id: id, seconds: '30' });
    expect(rows.length).toBeGreaterThan(0);
    for (const r of rows) {
      expect(r['pod_uid']).toBe(imds.pod_uid);
      expect(Math.abs(Number(r['seconds_from_event']))).toBeLessThanOrEqual(30);
    }
    const cli = rows.filter((r) => r['kind'] === 'exec' && String(r['binary']).endsWith('/aws'));
    expect(cli.length).toBeGreaterThan(0);
    expect(cli.some((r) => Number(r['seconds_from_event']) <= 0 && Number(r['seconds_from_event']) > -5)).toBe(true);
  });

  it('rejects-by-file: one row per damaged file and reason, at its first damaged line, counting every damaged line', async () => {
    const rows = await hunt('rejects-by-file');
    // every damage the generator writes (cut short, two records on one line, a truncated tail) is invalid JSON
    expect(new Set(rows.map((r) => r['reason']))).toEqual(new Set(['invalid_json']));
    const want = new Map<string, number[]>();
    for (const m of truth.malformed) want.set(m.file, [...(want.get(m.file) ?? []), m.line]);
    expect(want.size).toBeGreaterThanOrEqual(3);
    expect([...want.values()].some((lines) => lines.length > 1)).toBe(true);
    expect(rows.map((r) => `${r['origin']}:${r['first_line']}:${r['rejects']}`).sort()).toEqual(
      [...want].map(([file, lines]) => `${file}:${Math.min(...lines)}:${lines.length}`).sort(),
    );
  });

  it('out-of-scope-counts: totals agree with the catalog and with runtime_events; namespaces outside the scope only', async () => {
    const rows = await hunt('out-of-scope-counts');
    const windowSum = rows.filter((r) => r['scope'] === 'window').reduce((a, r) => a + Number(r['records']), 0);
    const catalog = await sql(`select sum(records_out_of_window)::BIGINT as n from evidence_files`);
    expect(windowSum).toBe(Number(catalog[0]!['n']));
    expect(windowSum).toBeGreaterThan(0);
    const nsSum = rows.filter((r) => r['scope'] === 'namespace').reduce((a, r) => a + Number(r['records']), 0);
    const outside = await sql(`select count(*) as n from runtime_events where not in_scope`);
    expect(nsSum).toBe(Number(outside[0]!['n']));
    const scope = await sql(`select unnest(namespaces) as ns from case_settings`);
    for (const r of rows.filter((x) => x['scope'] === 'namespace' && x['namespace'] !== null)) expect(scope.map((s) => s['ns'])).not.toContain(r['namespace']);
  });

  it('node-clock-offsets: every node, with the correlation\'s offsets; the skewed node is listed', async () => {
    const rows = await hunt('node-clock-offsets');
    const nodes = await sql(`select distinct name from k8s_nodes`);
    for (const n of nodes) expect(rows.map((r) => r['node_name'])).toContain(n['name']);
    for (const node of Object.keys(truth.clock_offsets)) expect(rows.map((r) => r['node_name'])).toContain(node);
    const table = await sql(`select node_name, method, offset_seconds from node_clock_offsets`);
    for (const t of table) {
      const r = rows.find((x) => x['node_name'] === t['node_name'])!;
      expect([r['method'], r['offset_seconds']]).toEqual([t['method'], t['offset_seconds']]);
      if (t['method'] === 'measured') expect(Math.abs(Number(t['offset_seconds']) - (truth.clock_offsets[String(t['node_name'])] ?? 0))).toBeLessThan(2);
    }
  });

  it('event-chain: call, attribution, key created from the pod through the node role, the pod and its runtime evidence', async () => {
    const imds = incident('imds-node-role');
    const created = imds.cloud_event_ids.find((id) => cloud(id).event_name === 'CreateAccessKey')!;
    const id = imds.cloud_event_ids.find((e) => cloud(e).event_name === 'DescribeInstances')!;
    const rows = await hunt('event-chain', { event_id: id });
    const steps = rows.map((r) => r['step']);
    expect(steps.slice(0, 2)).toEqual(['cloud-event', 'attribution']);
    const creds = rows.filter((r) => r['step'] === 'credential');
    expect(creds.map((r) => r['depth'])).toEqual([0, 1]);
    expect(rows.find((r) => r['step'] === 'issuing-call')?.['ref_id']).toBe(created);
    expect(rows.find((r) => r['step'] === 'pod')?.['pod_uid']).toBe(imds.pod_uid);
    expect(rows.filter((r) => r['step'] === 'runtime-evidence').length).toBeGreaterThan(0);
    const stepNos = rows.map((r) => Number(r['step_no']));
    expect(stepNos).toEqual([...stepNos].sort((a, b) => a - b));

    const irsa = incident('irsa-exfil');
    const secret = irsa.cloud_event_ids.find((e) => cloud(e).event_name === 'GetSecretValue' && cloud(e).made_by_pod_uid === irsa.pod_uid)!;
    const chain = await hunt('event-chain', { event_id: secret });
    const human = chain.find((r) => r['step'] === 'human-action');
    expect(String(human?.['summary'])).toContain(irsa.human!);
    expect(chain.some((r) => r['step'] === 'pod-token-off-pod')).toBe(true);
    expect(chain.find((r) => r['step'] === 'issuing-call')?.['pod_uid']).toBe(irsa.pod_uid);

    expect(await hunt('event-chain', { event_id: 'no-such-event' })).toEqual([]);
  });

  it('kube-requests-by-pod: the IRSA pod\'s token, including its use off the pod', async () => {
    const irsa = incident('irsa-exfil');
    const rows = await hunt('kube-requests-by-pod', { pod_uid: irsa.pod_uid });
    const expected = truth.kube_requests.filter((k) => k.bound_pod_uid === irsa.pod_uid).map((k) => k.audit_id);
    expect(sorted(rows.map((r) => r['audit_id']))).toEqual(sorted(expected));
    expect(rows.filter((r) => r['off_pod'] === true).map((r) => r['audit_id'])).toEqual(truth.kube_requests.filter((k) => k.bound_pod_uid === irsa.pod_uid && k.off_pod).map((k) => k.audit_id));
  });

  it('human-pod-actions: the people of the incidents, once per request', async () => {
    const rows = await hunt('human-pod-actions');
    const ids = rows.map((r) => r['audit_id']);
    expect(new Set(ids).size).toBe(ids.length);
    for (const i of truth.incidents.filter((x) => x.human)) {
      expect(rows.some((r) => r['user_name'] === i.human && r['pod_uid'] === i.pod_uid && r['action'] === 'exec')).toBe(true);
    }
  });

  it('calls-from-address: the attacker\'s logged calls from their address, none pinned to a pod', async () => {
    const irsa = incident('irsa-exfil');
    const ip = irsa.attacker_ips[0]!;
    const rows = await hunt('calls-from-address', { source_ip: ip });
    const expected = truth.cloud_events.filter((c) => c.logged && c.source_ip === ip).map((c) => c.event_id);
    expect(sorted(rows.map((r) => r['event_id']))).toEqual(sorted(expected));
    for (const r of rows) expect(r['pod_uid']).toBeNull();
  });

  it('refuses a missing or unknown parameter and a value of the wrong type, naming them', async () => {
    await expect(huntCase(caseDir, 'api-calls-by-pod', {})).rejects.toThrow(/needs --param pod_uid=<varchar>/);
    await expect(huntCase(caseDir, 'api-calls-by-pod', { pod_uid: 'x', pod: 'y' })).rejects.toThrow(/has no parameter \$pod \(it takes: \$pod_uid varchar\)/);
    await expect(huntCase(caseDir, 'role-assumptions', { from: 'yesterday' })).rejects.toThrow(/--param from=yesterday: not a valid timestamp/);
    await expect(huntCase(caseDir, 'new-access-keys', { uses: 'many' })).rejects.toThrow(/not a valid bigint/);
    await expect(huntCase(caseDir, 'api-calls-by-po', { pod_uid: 'x' })).rejects.toThrow(/did you mean api-calls-by-pod/);
  });

  it('binds values, never splices them: a quote in a value is just text', async () => {
    expect(await hunt('api-calls-by-pod', { pod_uid: "x' or '1'='1" })).toEqual([]);
    expect(await hunt('calls-from-address', { source_ip: "1.2.3.4'; drop table attributions; --" })).toEqual([]);
    expect((await sql('select count(*) as n from attributions'))[0]!['n']).not.toBe('0');
  });

});
