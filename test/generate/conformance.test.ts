import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateScenario, type GenerateSummary } from '../../src/generate/generate.js';
import { cloudRecords, lines, lookupEvents, type Rec } from './read-outputs.js';
import { SAMPLES, describeSamples } from '../helpers/samples.js';

/**
 * Generated records against the real examples in ../shared/samples: no key the real tools do not
 * write (or that the tools' documentation does not show), and keys in the order the tools write them.
 * The samples are read in place, never copied.
 */

const tmp = mkdtempSync(path.join(os.tmpdir(), 'podtrail-conf-'));
let dir = '';
let summary: GenerateSummary;

function sampleJson(rel: string): Rec {
  return JSON.parse(readFileSync(path.join(SAMPLES, rel), 'utf8')) as Rec;
}

/** Dotted key paths of an object, not descending into free-form maps (labels). */
function keysDeep(v: unknown, into: Set<string>, prefix = ''): void {
  if (!v || typeof v !== 'object' || Array.isArray(v)) return;
  for (const [k, x] of Object.entries(v as Rec)) {
    into.add(prefix + k);
    if (k === 'pod_labels') continue;
    if (x && typeof x === 'object' && !Array.isArray(x)) keysDeep(x, into, `${prefix}${k}.`);
  }
}

/** True when the keys common to both appear in the same relative order. */
function sameOrder(ours: string[], theirs: string[]): boolean {
  const common = ours.filter((k) => theirs.includes(k));
  return JSON.stringify(common) === JSON.stringify(theirs.filter((k) => common.includes(k)));
}

beforeAll(() => {
  dir = path.join(tmp, 'pod-identity');
  summary = generateScenario({ scenario: 'pod-identity', seed: 11, scale: 0.03, outDir: dir });
});
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describeSamples('conformance with ../shared/samples', () => {
  it('Tetragon process, pod and sock_arg keys are ones the samples (or the tools\' documentation) show', () => {
    const seen = new Set<string>();
    for (const f of readdirSync(path.join(SAMPLES, 'tetragon'))) {
      const text = readFileSync(path.join(SAMPLES, 'tetragon', f), 'utf8');
      const docs = f.endsWith('events.json') ? text.trim().split('\n').map((l) => JSON.parse(l) as Rec) : [JSON.parse(text) as Rec];
      for (const d of docs) {
        const e = (d['event'] as Rec | undefined) ?? d;
        for (const kind of ['process_exec', 'process_exit', 'process_kprobe']) {
          const body = e[kind] as Rec | undefined;
          if (!body) continue;
          keysDeep(body, seen);
        }
      }
    }
    // A parent is a Process too. Documented by Tetragon but absent from the samples:
    // pod.uid (v1.6), in_init_tree (v1.3), and the exit's own time/status/signal.
    const norm = (k: string): string => k.replace(/^parent\./, 'process.');
    const known = new Set([...seen].map(norm));
    for (const k of ['process.pod.uid', 'process.in_init_tree', 'time', 'status', 'signal']) known.add(k);
    for (const f of summary.files.filter((x) => x.startsWith('inputs/tetragon/'))) {
      for (const l of lines(dir, f).slice(0, 400)) {
        const e = JSON.parse(l) as Rec;
        const kind = Object.keys(e)[0] as string;
        expect(Object.keys(e)).toEqual([kind, 'node_name', 'time']);
        const ours = new Set<string>();
        keysDeep(e[kind], ours);
        for (const k of ours) if (!known.has(norm(k))) expect.fail(`${kind}.${k} is in no sample`);
        if (kind === 'process_kprobe') {
          const sample = ((sampleJson('tetragon/runtime-radar__CS_RT_DOWNLOAD_TOOLS__testdata__positive_curl_download.json')['event'] as Rec)['process_kprobe'] as Rec);
          expect(sameOrder(Object.keys(e[kind] as Rec), Object.keys(sample))).toBe(true);
          const sock = (((e[kind] as Rec)['args'] as Rec[])[0] as Rec)['sock_arg'] as Rec;
          const sampleSock = (((sample['args'] as Rec[])[0] as Rec)['sock_arg'] as Rec);
          for (const k of Object.keys(sock)) expect(Object.keys(sampleSock)).toContain(k);
          expect(sameOrder(Object.keys(sock), Object.keys(sampleSock))).toBe(true);
        }
      }
    }
  });

  it('CloudTrail records keep the field order of the samples; Pod Identity pairs match the sample shapes', () => {
    const recs = [...cloudRecords(dir, summary.files).values()].map((x) => x.rec);
    const sts = sampleJson('cloudtrail/aws-samples-eks-security-immersion-day__pod-identity-deep-dive__sts-AssumeRole-by-pods.eks-session-tags.json');
    const auth = sampleJson('cloudtrail/aws-samples-eks-security-immersion-day__pod-identity-deep-dive__eks-auth-AssumeRoleForPodIdentity-by-node-role.json');
    const ours = recs.find((r) => r['eventName'] === 'AssumeRole') as Rec;
    const ourAuth = recs.find((r) => r['eventName'] === 'AssumeRoleForPodIdentity') as Rec;
    expect(Object.keys(ours)).toEqual(Object.keys(sts));
    expect(Object.keys(ours['requestParameters'] as Rec)).toEqual(Object.keys(sts['requestParameters'] as Rec));
    expect(Object.keys(ours['responseElements'] as Rec)).toEqual(Object.keys(sts['responseElements'] as Rec));
    expect(Object.keys(ourAuth)).toEqual(Object.keys(auth));
    expect(Object.keys(ourAuth['userIdentity'] as Rec)).toEqual(Object.keys(auth['userIdentity'] as Rec));
    expect(Object.keys((ourAuth['userIdentity'] as Rec)['sessionContext'] as Rec)).toEqual(Object.keys((auth['userIdentity'] as Rec)['sessionContext'] as Rec));
    const web = sampleJson('cloudtrail/greenpau-argo-workflows-aws-plugin__DEVELOPMENT.md__sts-AssumeRoleWithWebIdentity-EKS-IRSA-AccessDenied.json');
    for (const r of recs) {
      expect(sameOrder(Object.keys(r), Object.keys(sts)), r['eventName'] as string).toBe(true);
      expect(sameOrder(Object.keys(r), Object.keys(web)), r['eventName'] as string).toBe(true);
      expect(r['eventTime']).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/);
    }
  });

  it('lookup-events entries keep the CLI field order', () => {
    const sample = (sampleJson('cloudtrail-lookup-events/aws-samples-eks-security-immersion-day__pod-identity-deep-dive@468a09e__lookup-events-AssumeRoleForPodIdentity.json')['Events'] as Rec[])[0] as Rec;
    const ours = lookupEvents(dir);
    expect(ours.length).toBeGreaterThan(0);
    for (const e of ours) {
      expect(sameOrder(Object.keys(e), Object.keys(sample))).toBe(true);
      for (const k of Object.keys(e)) expect(Object.keys(sample)).toContain(k);
    }
  });

  it('audit events keep the apiserver field order of the sample log', () => {
    const sampleLines = readFileSync(path.join(SAMPLES, 'k8s-audit/ralvares-security-demos__use_cases-auditing-logs__audit.log'), 'utf8').split('\n').filter((l) => l.trim());
    // Every "a before b" the sample shows; our lines must never put b before a.
    const before = new Set<string>();
    const known = new Set<string>();
    for (const l of sampleLines) {
      const keys = Object.keys(JSON.parse(l) as Rec);
      keys.forEach((a, i) => {
        known.add(a);
        for (const b of keys.slice(i + 1)) before.add(`${a}<${b}`);
      });
    }
    for (const f of summary.files.filter((x) => x.startsWith('inputs/kube-audit/'))) {
      for (const l of lines(dir, f)) {
        const keys = Object.keys(JSON.parse(l) as Rec);
        keys.forEach((a, i) => {
          expect(known.has(a), a).toBe(true);
          for (const b of keys.slice(i + 1)) expect(before.has(`${b}<${a}`), `${a} before ${b}`).toBe(false);
        });
      }
    }
  });
});
