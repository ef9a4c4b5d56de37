/**
 * `podtrail sensor deploy`, `collect` and `remove` against the loopback API server, in order, on one
 * case: exactly the labelled objects created, read and deleted; nodes without a sensor pod named as
 * gaps with their reason; enrichment verified per node; node clocks against the API server; a log
 * stream cut mid-line resumed without loss or doubling; a rotated log recorded as a possible loss;
 * removal proven by empty lists; every step in custody.
 */
import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deploySensor, type DeployResult } from '../../src/collect/sensor/deploy.js';
import { collectSensor } from '../../src/collect/sensor/collect-sensor.js';
import { removeSensor } from '../../src/collect/sensor/remove.js';
import { correlateCase } from '../../src/correlate/correlate-case.js';
import { checkCase } from '../../src/check/check-case.js';
import { createClock } from '../../src/core/clock.js';
import { query, AS_OF } from '../helpers/case.js';
import { NODES, runSensor, startSensorEnv, type SensorEnv } from './sensor-harness.js';

type Obj = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

describe('podtrail sensor: deploy, collect, remove (loopback)', () => {
  let env: SensorEnv;
  let sensor: ReturnType<typeof runSensor>;
  let deployed: DeployResult;
  beforeAll(async () => {
    env = await startSensorEnv();
    env.sc.nodeSkewMs = { [NODES.a]: 7000 };
    sensor = runSensor(env.sc, { events: 'tetragon', enrichedOn: [NODES.a] });
  });
  afterAll(async () => {
    sensor.stop();
    await env.c.cleanup();
  });

  it('deploys: creates exactly the rendered objects, strict, labelled; names each node without a sensor pod and why', async () => {
    deployed = await deploySensor({ ...env.opts(), kind: 'tetragon', dryRun: false, waitSeconds: 2, verifySeconds: 1.5, clockInterval: 1 });
    const creates = env.c.api.received.filter((r) => r.method === 'POST' && r.verb === 'create' && r.resource !== 'selfsubjectreviews');
    expect(creates.map((r) => `${r.resource}`)).toEqual(['namespaces', 'serviceaccounts', 'clusterroles', 'clusterrolebindings', 'configmaps', 'configmaps', 'configmaps', 'daemonsets']);
    expect(creates.every((r) => r.query['fieldValidation'] === 'Strict')).toBe(true);
    const selector = `podtrail.io/deployment=${deployed.deploymentId}`;
    expect(env.sc.allLabelled(selector).filter((o) => !o.metadata.ownerReferences)).toHaveLength(8);
    const ns = env.sc.namespaces.find((n) => n.metadata.name === deployed.rendered.namespace)!;
    expect(ns.metadata.labels['pod-security.kubernetes.io/enforce']).toBe('privileged');
    expect(ns.metadata.labels['podtrail.io/case']).toBeDefined();
    const ds = env.sc.objects.daemonsets!.find((d) => d.metadata.namespace === deployed.rendered.namespace)!;
    expect(ds.spec.template.spec.containers[0].image).toMatch(/^quay\.io\/cilium\/tetragon:v1\.7\.0@sha256:[0-9a-f]{64}$/);
    const states = Object.fromEntries(deployed.nodes.map((n) => [n.node, `${n.state}:${n.reason ?? ''}`]));
    expect(states).toEqual({
      [NODES.a]: 'running:',
      [NODES.b]: 'running:',
      [NODES.btf]: 'no-sensor:no-btf',
      [NODES.refused]: 'no-sensor:admission-refused',
      [NODES.fargate]: 'no-sensor:fargate',
      [NODES.windows]: 'no-sensor:windows',
    });
    const rows = await query(env.c.caseDir, `select record, node_name, state, reason, filter_id, alerts_every_outbound_connect from sensor_log where record in ('node', 'deployment') order by record, node_name`);
    expect(rows.filter((r) => r['record'] === 'node' && r['state'] === 'no-sensor').map((r) => r['reason']).sort()).toEqual(['admission-refused', 'fargate', 'no-btf', 'windows']);
    expect(rows.find((r) => r['record'] === 'deployment')).toMatchObject({ filter_id: 'podtrail-tetragon-tcp-connect/v1', alerts_every_outbound_connect: true });
  });

  it('verifies enrichment at deploy per node and measures node clocks against the API server', async () => {
    const enr = await query(env.c.caseDir, `select node_name, state, reason, share_pod_uid, share_image_digest, share_service_account from sensor_log where record = 'enrichment' order by node_name`);
    expect(enr).toEqual([
      { node_name: NODES.a, state: 'ok', reason: 'enrichment-complete', share_pod_uid: 1, share_image_digest: 1, share_service_account: 1 },
      { node_name: NODES.b, state: 'gap', reason: 'enrichment-partial', share_pod_uid: 0, share_image_digest: 0, share_service_account: 0 },
    ]);
    const clocks = await query(env.c.caseDir, `select node_name, clock_offset_ms, clock_uncertainty_ms, timesync from sensor_log where record = 'clock' order by node_name, logged_at`);
    const a = clocks.filter((r) => r['node_name'] === NODES.a);
    const b = clocks.filter((r) => r['node_name'] === NODES.b);
    expect(a.length).toBeGreaterThan(0);
    expect(b.length).toBeGreaterThan(0);
    for (const r of a) expect(Math.abs(Number(r['clock_offset_ms']) - 7000)).toBeLessThan(1500);
    for (const r of b) expect(Math.abs(Number(r['clock_offset_ms']))).toBeLessThan(1500);
    expect(a[0]).toMatchObject({ clock_uncertainty_ms: 1000, timesync: 'synchronized' });
  });

  it('collects: a stream cut mid-line resumes without loss or doubling; a rotated log is a possible loss, never claimed away', async () => {
    const podA = env.sc.sensorPods().find((p) => p.spec.nodeName === NODES.a)!;
    const podB = env.sc.sensorPods().find((p) => p.spec.nodeName === NODES.b)!;
    env.sc.cuts.push({ key: env.sc.logKey(podA.metadata.namespace, podA.metadata.name, 'export-stdout'), afterLines: 3 });
    const keyB = env.sc.logKey(podB.metadata.namespace, podB.metadata.name, 'export-stdout');
    setTimeout(() => {
      env.sc.rotate(podB.metadata.namespace, podB.metadata.name, 'export-stdout');
      env.sc.endStreams(keyB);
    }, 300);
    setTimeout(() => sensor.stop(), 1600);
    const r = await collectSensor({ ...env.opts(), kind: 'tetragon', seconds: 2, pods: [] });
    expect(r.run).toBe(2);
    const dir = path.join(env.c.caseDir, 'collect', deployed.deploymentId);
    const filesA = readdirSync(dir).filter((f) => f.startsWith(`events-${NODES.a}-`)).sort();
    expect(filesA).toEqual([`events-${NODES.a}-run0001.jsonl`, `events-${NODES.a}-run0002.jsonl`]);
    const got = filesA.flatMap((f) => readFileSync(path.join(dir, f), 'utf8').split('\n').filter(Boolean));
    const written = sensor.written.get(NODES.a)!;
    // every line the sensor wrote, from deploy to the end, once and in order, across the two runs
    expect(got).toEqual(written);
    expect(written.length).toBeGreaterThan(40);
    const cut = await query(env.c.caseDir, `select message from collection_log where resource = 'pods/log' and message like '%cut short%'`);
    expect(cut.length).toBeGreaterThan(0); // the cut happened mid-line, and the line came again whole
    const dups = await query(env.c.caseDir, `select count(*)::INTEGER as n from collection_log where resource = 'pods/log' and regexp_matches(message, '[1-9][0-9]* duplicates dropped')`);
    expect(dups[0]!['n']).toBeGreaterThan(0); // the reconnects were served lines already kept, and dropped them
    const gaps = await query(env.c.caseDir, `select node_name, reason, gap_from < gap_to as spans from sensor_log where record = 'gap' order by node_name`);
    expect(gaps.filter((g) => g['node_name'] === NODES.b && g['reason'] === 'log-rotation-possible').length).toBeGreaterThan(0);
    expect(gaps.some((g) => g['node_name'] === NODES.a)).toBe(false);
    const landed = await query(env.c.caseDir, `select count(*)::INTEGER as n from runtime_events where node_name = '${NODES.a}'`);
    expect(landed[0]!['n']).toBe(got.length);
    const segs = readFileSync(path.join(env.c.caseDir, 'custody.jsonl'), 'utf8').split('\n').filter((l) => l.includes('"sensor-log-segment"'));
    expect(segs.length).toBeGreaterThan(2);
  });

  it('the gaps checks report the nodes without a sensor, the rotation, enrichment per node and the node clock', async () => {
    await correlateCase(env.c.caseDir, () => {}, createClock(AS_OF));
    const v = await checkCase(env.c.caseDir, () => {}, createClock(AS_OF));
    const findings = v.checks.flatMap((c) => c.findings.map((f) => ({ check: c.id, kind: f['kind'], node: f['node_name'], status: f['status'] })));
    const of = (check: string, kind: string): string[] => findings.filter((f) => f.check === check && f.kind === kind).map((f) => String(f.node)).sort();
    expect(of('sensor-coverage', 'sensor-not-deployed')).toEqual([NODES.fargate, NODES.btf, NODES.refused, NODES.windows].sort());
    expect(of('sensor-coverage', 'sensor-log-gap')).toContain(NODES.b);
    expect(of('runtime-enrichment', 'enrichment-complete')).toEqual([NODES.a]);
    expect(of('runtime-enrichment', 'enrichment-partial')).toEqual([NODES.b]);
    expect(of('clock', 'node-clock-offset')).toEqual([NODES.a]);
    expect(of('clock', 'node-clock-reported')).toEqual([NODES.b]);
    expect(v.checks.find((c) => c.id === 'runtime-enrichment')!.status).toBe('gap');
  });

  it('removes exactly what deploy created and proves it: every list by label empty, hashes of deployed and removed manifests in custody', async () => {
    const before = env.c.api.received.length;
    const r = await removeSensor({ ...env.opts(), kind: 'tetragon', waitSeconds: 5 });
    expect(r.removed).toBe(true);
    expect(r.deployedSha256).toBe(r.removedSha256);
    const deletes = env.c.api.received.slice(before).filter((x) => x.method === 'DELETE');
    expect(deletes.map((x) => x.resource)).toEqual(['daemonsets', 'configmaps', 'configmaps', 'configmaps', 'clusterrolebindings', 'clusterroles', 'serviceaccounts', 'namespaces']);
    expect(env.sc.allLabelled(`podtrail.io/deployment=${deployed.deploymentId}`)).toEqual([]);
    const removal = await query(env.c.caseDir, `select state, sha256, detail::VARCHAR as detail from sensor_log where record = 'removal'`);
    expect(removal).toHaveLength(1);
    const detail = JSON.parse(String(removal[0]!['detail'])) as Obj;
    expect(removal[0]!['state']).toBe('removed');
    expect(detail['deployed_sha256']).toBe(detail['removed_sha256']);
    expect((detail['proof'] as Obj[]).map((p) => `${p['resource']}:${p['items']}`)).toEqual(['daemonsets:0', 'pods:0', 'configmaps:0', 'serviceaccounts:0', 'clusterrolebindings:0', 'clusterroles:0', 'namespaces:0']);
    const custody = readFileSync(path.join(env.c.caseDir, 'custody.jsonl'), 'utf8');
    expect(custody).toContain('"sensor-removal"');
    expect(custody).toContain(r.deployedSha256);
    expect(custody).not.toContain('loopback-token');
    await expect(removeSensor({ ...env.opts(), kind: 'tetragon', waitSeconds: 1 })).rejects.toThrow(/no tetragon sensor deployed by podtrail in this case is left to remove/);
  });

  it('asked nothing the time-boxed sensor role does not grant', () => {
    const role = parse(readFileSync(path.resolve(__dirname, '..', '..', 'deploy', 'podtrail-sensor-clusterrole.yaml'), 'utf8')) as { rules: { resources: string[]; verbs: string[] }[] };
    const allowed = new Set(role.rules.flatMap((r) => r.resources.flatMap((res) => r.verbs.map((v) => `${v} ${res}`))));
    const asked = [...new Set(env.c.api.received.map((r) => `${r.verb} ${r.resource}`))].sort();
    expect(asked.filter((a) => !allowed.has(a))).toEqual([]);
    expect(asked).toEqual(expect.arrayContaining(['create daemonsets', 'delete namespaces', 'get pods/log', 'list events']));
  });
});
