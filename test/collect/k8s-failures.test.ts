/**
 * Every bad condition of `podtrail collect k8s` against the loopback API server gives a clear
 * message naming the server and leaves a valid case: what was collected is landed, what was not is
 * a gap in collection_log, every attempt is in custody.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { EXEC_PLUGIN, TOKEN, USER, startCluster, type Cluster } from './k8s-harness.js';
import { query } from '../helpers/case.js';
import { readCustody, verifyChain } from '../../src/custody/custody-log.js';
import { casePaths } from '../../src/case/case-paths.js';
import { writeKubeconfig } from '../servers/k8s-api/kubeconfig.js';
import { makeTestPki } from '../servers/k8s-api/pki.js';
import { correlateCase } from '../../src/correlate/correlate-case.js';
import { checkCase } from '../../src/check/check-case.js';
import { createClock } from '../../src/core/clock.js';
import { AS_OF } from '../helpers/case.js';

/** The collection gaps the gaps checks report (check coverage, kind collection-gap). */
async function collectionFindings(c: Cluster): Promise<string[]> {
  await correlateCase(c.caseDir, () => {}, createClock(AS_OF));
  await checkCase(c.caseDir, () => {}, createClock(AS_OF));
  const rows = await query(c.caseDir, `select status, source, message from gap_findings where kind = 'collection-gap' order by finding_id`);
  return rows.map((r) => `${r['status']} ${r['source']}: ${r['message']}`);
}

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!();
});

async function cluster(o: Parameters<typeof startCluster>[0] = {}): Promise<Cluster> {
  const c = await startCluster(o);
  cleanups.push(c.cleanup);
  return c;
}

/** The case is valid: custody chain intact, and what was collected landed. */
async function expectValidCase(c: Cluster): Promise<void> {
  const { lines } = readCustody(casePaths(c.caseDir).custody);
  expect(verifyChain(lines)).toEqual([]);
  const runs = await query(c.caseDir, `select state from collection_log where record = 'run' order by logged_at, row_id`);
  expect(runs.length).toBeGreaterThan(0);
}

async function requests(c: Cluster, resource: string): Promise<string[]> {
  const rows = await query(c.caseDir, `select coalesce(status::VARCHAR, '-') || ' ' || outcome as r from collection_log where record = 'request' and resource = '${resource}' order by seq`);
  return rows.map((r) => String(r['r']));
}

async function gaps(c: Cluster): Promise<string[]> {
  const rows = await query(c.caseDir, `select gap || ' ' || verb || ' ' || resource as g from collection_log where record = 'gap' order by row_id`);
  return rows.map((r) => String(r['g']));
}

describe('collect k8s: failures', () => {
  it('API unreachable: bounded retries, a message naming the server, every step a gap, a valid case', async () => {
    const c = await cluster();
    await c.api.stop();
    const r = await c.collect();
    expect(r.failure).toMatch(new RegExp(`^${c.api.url.replaceAll('.', '\\.')}: gave up after 3 attempts: .*unreachable \\(ECONNREFUSED\\)`));
    expect(r.complete).toBe(false);
    await expectValidCase(c);
    expect(await requests(c, 'selfsubjectreviews')).toEqual(['- unreachable', '- unreachable', '- unreachable']);
    expect(await gaps(c)).toEqual(['not-collected list pods', 'not-collected list nodes', 'not-collected list serviceaccounts']);
    cleanups.pop(); // the server is already stopped
    await c.cleanup().catch(() => undefined);
  });

  it('TLS failure: a server certificate the kubeconfig CA did not sign is refused at once', async () => {
    const c = await cluster();
    const other = makeTestPki(c.dir, 'other');
    const kubeconfig = writeKubeconfig(path.join(c.dir, 'wrong-ca.yaml'), { server: c.api.url, caFile: other.caFile, user: { token: TOKEN } });
    const r = await c.collect({ kube: { kubeconfig } });
    expect(r.failure).toContain(`${c.api.url}: create selfsubjectreviews: TLS failure`);
    expect(await requests(c, 'selfsubjectreviews')).toEqual(['- tls']);
    expect(c.api.received).toEqual([]);
    await expectValidCase(c);
  });

  it('401: refused credentials stop the collection with the Status message, not retried', async () => {
    const c = await cluster();
    const kubeconfig = writeKubeconfig(path.join(c.dir, 'bad-token.yaml'), { server: c.api.url, caFile: c.pki.caFile, user: { token: 'not-the-token' } });
    const r = await c.collect({ kube: { kubeconfig } });
    expect(r.failure).toBe(`${c.api.url}: create selfsubjectreviews: HTTP 401 Unauthorized: Unauthorized`);
    expect(await requests(c, 'selfsubjectreviews')).toEqual(['401 unauthorized']);
    await expectValidCase(c);
  });

  it('403 on service accounts: names the verb and resource, keeps what it may read, records the gap', async () => {
    const c = await cluster({ forbid: ['list serviceaccounts'], selfSubjectReview: 'forbidden' });
    const r = await c.collect();
    expect(r.complete).toBe(false);
    // no right to ask who it is: the identity is what the kubeconfig names, and says why
    expect(r.identity).toBe('kubeconfig user responder (token)');
    expect(r.identitySource).toBe('kubeconfig (create selfsubjectreviews is not allowed)');
    expect(r.steps.map((s) => `${s.step} ${s.state}`)).toEqual(['opening snapshot of pods done', 'opening snapshot of nodes done', 'opening snapshot of serviceaccounts forbidden']);
    const g = await query(c.caseDir, `select gap, verb, resource, message from collection_log where record = 'gap'`);
    expect(g.map((x) => `${x['gap']} ${x['verb']} ${x['resource']}`)).toEqual(['forbidden list serviceaccounts']);
    expect(String(g[0]!['message'])).toContain('forbidden: list serviceaccounts (all namespaces) is not allowed');
    expect(String(g[0]!['message'])).toContain(`User "${USER}" cannot list resource "serviceaccounts"`);
    expect(String(g[0]!['message'])).toContain('podtrail-collector-clusterrole.yaml');
    const counts = await query(c.caseDir, `select (select count(*) from k8s_pods)::INTEGER as pods, (select count(*) from k8s_nodes)::INTEGER as nodes, (select count(*) from k8s_service_accounts)::INTEGER as sas`);
    expect(counts).toEqual([{ pods: 4, nodes: 2, sas: 0 }]); // the fifth fixture pod has no uid: rejected, as from a file
    expect(await requests(c, 'serviceaccounts')).toEqual(['403 forbidden']);
    const findings = await collectionFindings(c);
    expect(findings.length).toBe(1);
    expect(findings[0]).toMatch(/^gap inventory: forbidden \(list serviceaccounts, collection k8s-.* run 1\): forbidden: list serviceaccounts/);
    // once the role is granted, the same command continues the same collection
    c.api['o'].forbid = [];
    const again = await c.collect();
    expect(again.collectionId).toBe(r.collectionId);
    expect(again.complete).toBe(true);
    expect(c.api.received.filter((q) => q.verb === 'list' && q.resource === 'pods').length).toBe(1); // not listed again
    expect(await collectionFindings(c)).toEqual([]); // the gap is filled
  });

  it('transient failures are retried with backoff: 429 with Retry-After, 5xx, a slow answer, a response cut mid-body, an expired continue token', async () => {
    const c = await cluster();
    c.api.faults.push({ request: 'list pods', action: { kind: 'status', code: 503 } });
    c.api.faults.push({ request: 'list pods', continued: true, action: { kind: 'status', code: 410 } });
    c.api.faults.push({ request: 'list nodes', action: { kind: 'status', code: 429, retryAfter: 1 } });
    c.api.faults.push({ request: 'list nodes', action: { kind: 'slow', ms: 1500 } });
    c.api.faults.push({ request: 'list serviceaccounts', continued: true, action: { kind: 'cut', afterBytes: 300 } });
    const r = await c.collect({ timeoutMs: 600, pageSize: 2 });
    expect(r.complete, c.logs.join('\n')).toBe(true);
    // 503 retried; the continue token expired after page 1: the List restarted from the start
    expect(await requests(c, 'pods')).toEqual(['503 server', '200 ok', '410 expired', '200 ok', '200 ok', '200 ok']);
    // 429: waited the Retry-After second; then a slow answer timed out and was retried
    expect(await requests(c, 'nodes')).toEqual(['429 throttled', '- timeout', '200 ok']);
    const nodes = c.api.received.filter((q) => q.resource === 'nodes');
    expect(nodes[1]!.at - nodes[0]!.at).toBeGreaterThanOrEqual(950);
    expect(c.logs.join('\n')).toContain('nodes: throttled (attempt 1); retrying in 1.0 s (Retry-After)');
    // the second page was cut mid-body: asked again
    expect(await requests(c, 'serviceaccounts')).toEqual(['200 ok', '200 cut', '200 ok']);
    const landed = await query(c.caseDir, `select
        (select count(*) from evidence_files where origin like '%/pods-%')::INTEGER as pod_pages,
        (select count(distinct snapshot_at) from evidence_files where origin like '%/pods-%')::INTEGER as pod_instants,
        (select sum(records_total) from evidence_files where origin like '%/pods-%')::INTEGER as pods,
        (select count(*) from k8s_service_accounts)::INTEGER as sas`);
    // the pages before the expired token are set aside (kept in collect/, never landed): each pod once
    expect(landed).toEqual([{ pod_pages: 3, pod_instants: 1, pods: 5, sas: 4 }]);
    const restarted = readCustody(casePaths(c.caseDir).custody).entries.filter((e) => e.object['kind'] === 'list-restarted');
    expect(restarted.length).toBe(1);
  });

  it('5xx that never ends: gives up after the bounded attempts and records the gap', async () => {
    const c = await cluster();
    c.api.faults.push({ request: 'list nodes', times: 10, action: { kind: 'status', code: 500 } });
    const r = await c.collect();
    expect(r.steps.find((s) => s.step === 'opening snapshot of nodes')!.state).toBe('failed');
    expect(await requests(c, 'nodes')).toEqual(['500 server', '500 server', '500 server']);
    expect(await gaps(c)).toEqual(['not-collected list nodes']);
    await expectValidCase(c);
  });

  it('a cluster without SelfSubjectReview (before 1.28): the identity is what the kubeconfig names', async () => {
    const c = await cluster({ selfSubjectReview: 'absent' });
    const r = await c.collect();
    expect(r.complete).toBe(true);
    expect(r.identity).toBe('kubeconfig user responder (token)');
    expect(r.identitySource).toContain('no SelfSubjectReview API');
    const ids = await query(c.caseDir, `select distinct identity from collection_log where record = 'request' and resource = 'pods'`);
    expect(ids).toEqual([{ identity: 'kubeconfig user responder (token)' }]);
  });

  it('an exec credential plugin supplies the token (a node script printing an ExecCredential)', async () => {
    const c = await cluster();
    const kubeconfig = writeKubeconfig(path.join(c.dir, 'exec.yaml'), {
      server: c.api.url,
      caFile: c.pki.caFile,
      user: { exec: { command: process.execPath, args: [EXEC_PLUGIN], env: [{ name: 'PODTRAIL_TEST_TOKEN', value: TOKEN }] } },
    });
    const r = await c.collect({ kube: { kubeconfig } });
    expect(r.complete).toBe(true);
    expect(r.identity).toContain(USER);
    expect(c.api.received.every((q) => q.authorization === `Bearer ${TOKEN}`)).toBe(true);
    const runs = await query(c.caseDir, `select identity_source from collection_log where record = 'run' limit 1`);
    expect(runs[0]!['identity_source']).toBe('SelfSubjectReview');
  });

  it('--in-cluster reads the service account token and CA where a pod has them', async () => {
    const c = await cluster();
    const root = path.join(c.dir, 'pod-root');
    const sa = path.join(root, 'var', 'run', 'secrets', 'kubernetes.io', 'serviceaccount');
    mkdirSync(sa, { recursive: true });
    writeFileSync(path.join(sa, 'token'), TOKEN);
    writeFileSync(path.join(sa, 'ca.crt'), c.pki.caPem);
    writeFileSync(path.join(sa, 'namespace'), 'ir');
    const url = new URL(c.api.url);
    const saved = { host: process.env['KUBERNETES_SERVICE_HOST'], port: process.env['KUBERNETES_SERVICE_PORT'] };
    process.env['KUBERNETES_SERVICE_HOST'] = url.hostname;
    process.env['KUBERNETES_SERVICE_PORT'] = url.port;
    try {
      const r = await c.collect({ kube: { inCluster: true, inClusterRoot: root } });
      expect(r.complete).toBe(true);
      expect(r.server).toBe(c.api.url);
      expect(r.identity).toContain(USER);
    } finally {
      if (saved.host === undefined) delete process.env['KUBERNETES_SERVICE_HOST'];
      else process.env['KUBERNETES_SERVICE_HOST'] = saved.host;
      if (saved.port === undefined) delete process.env['KUBERNETES_SERVICE_PORT'];
      else process.env['KUBERNETES_SERVICE_PORT'] = saved.port;
    }
  });
});
