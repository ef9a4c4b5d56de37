/**
 * truth.json's decidability (src/generate/decidable.ts): every pod-made call is marked decidable or
 * not, with what decides it or why nothing does, computed from what the generator wrote; calls no
 * pod made carry no mark; the world's properties are named on each call.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { generateScenario } from '../../src/generate/generate.js';
import { tempDir } from '../helpers/case.js';

interface CloudTruth {
  event_id: string;
  made_by_pod_uid: string | null;
  runtime_evidence: boolean;
  relay_pod_uid: string | null;
  logged: boolean;
  decidable: boolean | null;
  decidable_by: string | null;
  undecidable_why: string | null;
  properties: string[];
  via: string | null;
  why_not_pod: string | null;
  path: string;
}

const t = tempDir('podtrail-decidable-');
afterAll(() => t.cleanup());

function truth(scenario: string): CloudTruth[] {
  const dir = path.join(t.dir, scenario);
  generateScenario({ scenario, seed: 5, scale: 0.05, outDir: dir });
  return (JSON.parse(readFileSync(path.join(dir, 'truth.json'), 'utf8')) as { cloud_events: CloudTruth[] }).cloud_events;
}

const BY = ['pod-identity-tag', 'source-ip', 'runtime-connect', 'relay-connect', 'aws-range-connect', 'single-pod', 'carry', 'inherit'];
const WHY = ['no-runtime-evidence', 'no-sensor', 'competing-connect', 'competing-keepalive', 'candidate-unobserved', 'not-logged', 'no-trigger', 'not-a-pod', 'chain-link-undecidable', 'pod-unseen'];

describe.each(['relay-egress', 'nat-public', 'mixed', 'churn'])('%s', (scenario) => {
  const events = truth(scenario);

  it('marks every pod-made call decidable or not, with one reason, and no other call', () => {
    for (const e of events) {
      if (e.made_by_pod_uid === null) {
        expect([e.decidable, e.decidable_by, e.undecidable_why], e.event_id).toEqual([null, null, null]);
        continue;
      }
      expect(typeof e.decidable, e.event_id).toBe('boolean');
      if (e.decidable) expect(BY, e.event_id).toContain(e.decidable_by);
      else expect(WHY, e.event_id).toContain(e.undecidable_why);
      expect(e.decidable ? e.undecidable_why : e.decidable_by).toBeNull();
    }
  });

  it('a call not logged is never decidable; one decided by its own connect wrote that connect', () => {
    for (const e of events.filter((x) => x.made_by_pod_uid !== null)) {
      if (!e.logged) expect(e.decidable, e.event_id).toBe(false);
      if (e.decidable_by === 'runtime-connect' || e.decidable_by === 'relay-connect' || e.decidable_by === 'aws-range-connect') expect(e.runtime_evidence, e.event_id).toBe(true);
    }
  });

  it('names the properties of the world on each call', () => {
    for (const e of events) expect(e.properties.length, e.event_id).toBeGreaterThan(0);
    if (scenario === 'relay-egress') {
      const relayed = events.filter((e) => e.relay_pod_uid !== null);
      expect(relayed.length).toBeGreaterThan(10);
      for (const e of relayed) expect(e.properties).toContain('relay');
    }
    if (scenario === 'nat-public') expect(events.some((e) => e.properties.includes('nat-public'))).toBe(true);
    if (scenario === 'mixed') expect(events.every((e) => !e.properties.includes('relay'))).toBe(true);
  });

  it.runIf(scenario === 'mixed')('replays the keys of pods gone from outside (no pod made those calls), and chains roles', () => {
    const replayed = events.filter((e) => e.why_not_pod === 'replayed-outside');
    expect(replayed.length).toBeGreaterThanOrEqual(2);
    for (const e of replayed) expect([e.made_by_pod_uid, e.decidable]).toEqual([null, null]);
    for (const e of events.filter((x) => x.properties.includes('chained-role'))) expect(['irsa', 'node-role', 'pod-identity']).toContain(e.path);
  });

  it.runIf(scenario === 'mixed')('leaves undecidable the calls of the pods on the node without a sensor', () => {
    expect(events.some((e) => e.undecidable_why === 'no-sensor' || e.undecidable_why === 'candidate-unobserved')).toBe(true);
  });

  it.runIf(scenario === 'mixed')('runs Falco alone on two nodes: every connect written where case.yaml declares it, only the stock rules elsewhere', () => {
    const dir = path.join(t.dir, scenario);
    const falcoOnly = readdirSync(path.join(dir, 'inputs/falco'))
      .map((f) => f.replace(/\.json$/, ''))
      .filter((n) => !existsSync(path.join(dir, 'inputs/tetragon', `${n}.json`)))
      .sort();
    expect(falcoOnly).toHaveLength(2);
    const yaml = readFileSync(path.join(dir, 'case.yaml'), 'utf8');
    const sensors = (/^sensors:\n((?:[ -].*\n)+)/m.exec(yaml)?.[1] ?? '');
    const every = falcoOnly.filter((n) => sensors.includes(n));
    expect(every).toHaveLength(1);
    expect(sensors).toMatch(/alerts_every_outbound_connect: true/);
    const alerts = (n: string): Array<{ rule: string; output_fields: Record<string, unknown> }> =>
      readFileSync(path.join(dir, 'inputs/falco', `${n}.json`), 'utf8')
        .split('\n')
        .filter((l) => l.startsWith('{') && l.endsWith('}'))
        .map((l) => JSON.parse(l) as { rule: string; output_fields: Record<string, unknown> });
    const everyAlerts = alerts(every[0] as string);
    // every connect, in-cluster ones too (not only AWS on 443 and the metadata service on 80)
    expect(everyAlerts.some((a) => a.rule === 'Outbound Connection' && a.output_fields['fd.sport'] !== 443 && a.output_fields['fd.sport'] !== 80)).toBe(true);
    expect(everyAlerts.every((a) => a.rule === 'Outbound Connection' || a.rule === 'Terminal shell in container')).toBe(true);
    const stock = alerts(falcoOnly.find((n) => !every.includes(n)) as string);
    expect(stock.length).toBeGreaterThan(0);
    for (const a of stock) expect(['Outbound Connection to AWS API from Container', 'Contact EC2 Instance Metadata Service From Container', 'Terminal shell in container']).toContain(a.rule);
    const onFalco = events.filter((e) => e.properties.includes('falco-only'));
    expect(onFalco.length).toBeGreaterThan(0);
    expect(onFalco.some((e) => e.decidable)).toBe(true);
  });
});
