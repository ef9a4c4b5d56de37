/**
 * The generator's properties "ipv6" (dual-stack nodes and pods) and "between-snapshots" (a
 * CronJob's 40-second pods no inventory snapshot lists), read back from the files as podtrail's
 * readers would meet them, independently of podtrail: the address notations (RFC 5952 in
 * CloudTrail, the inventory, Tetragon and Falco), the IPv6 metadata and Pod Identity agent
 * addresses, a generateName create whose objectRef has no name, and truth.json's marks.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { generateScenario } from '../../src/generate/generate.js';
import { v6Groups, v6Text } from '../../src/generate/ipv6.js';
import { cloudRecords, lines, listFiles, readTruth, tryParse, type Rec, type Truth } from './read-outputs.js';
import { tempDir } from '../helpers/case.js';

const t = tempDir('podtrail-gen-v6-');
let dir: string;
let truth: Truth;
let files: string[];
afterAll(() => t.cleanup());

beforeAll(() => {
  dir = path.join(t.dir, 'churn');
  generateScenario({ scenario: 'churn', seed: 3, scale: 0.05, outDir: dir });
  truth = readTruth(dir);
  files = listFiles(dir);
});

type CloudTruth = Truth['cloud_events'][number] & { properties: string[]; decidable: boolean | null; decidable_by: string | null; undecidable_why: string | null };
const events = (): CloudTruth[] => truth.cloud_events as CloudTruth[];
const json = (rel: string): Rec => JSON.parse(readFileSync(path.join(dir, rel), 'utf8')) as Rec;
const items = (kind: string): Rec[] => files.filter((f) => f.startsWith(`inputs/inventory/${kind}-`)).flatMap((f) => json(f)['items'] as Rec[]);
const canonical = (ip: string): boolean => v6Text(v6Groups(ip) ?? []) === ip;
const tetragon = (): Rec[] => files.filter((f) => f.startsWith('inputs/tetragon/')).flatMap((f) => lines(dir, f).map((l) => tryParse(l) as Rec | undefined).filter((x): x is Rec => x !== undefined));
const audit = (): Rec[] => files.filter((f) => f.startsWith('inputs/kube-audit/')).flatMap((f) => lines(dir, f).map((l) => tryParse(l) as Rec | undefined).filter((x): x is Rec => x !== undefined));

describe('RFC 5952 text', () => {
  it('compresses the longest run of two or more zero groups, the first of equal runs, lowercase, no leading zeros', () => {
    expect(v6Text([0x2001, 0xdb8, 0, 0, 0, 0, 0, 1])).toBe('2001:db8::1');
    expect(v6Text([0x2001, 0xdb8, 0, 1, 1, 1, 1, 1])).toBe('2001:db8:0:1:1:1:1:1');
    expect(v6Text([0x2001, 0, 0, 1, 0, 0, 0, 1])).toBe('2001:0:0:1::1');
    expect(v6Text([0x2001, 0xdb8, 0, 0, 1, 0, 0, 1])).toBe('2001:db8::1:0:0:1');
    expect(v6Text([0xfd00, 0xec2, 0, 0, 0, 0, 0, 0x254])).toBe('fd00:ec2::254');
    expect(v6Groups('2600:1F14:0abc:0d01:0000:0000:0000:0041')).toEqual([0x2600, 0x1f14, 0xabc, 0xd01, 0, 0, 0, 0x41]);
    expect(v6Groups('10.0.0.1')).toBeNull();
    expect(v6Groups('1::2::3')).toBeNull();
  });
});

describe('property ipv6 (churn: two dual-stack nodes)', () => {
  it('nodes and pods list both families in the inventory, IPv6 in RFC 5952', () => {
    const v6nodes = items('nodes').filter((n) => ((n['status'] as Rec)['addresses'] as Rec[]).some((a) => a['type'] === 'InternalIP' && String(a['address']).includes(':')));
    expect(new Set(v6nodes.map((n) => (n['metadata'] as Rec)['name'])).size).toBe(2);
    const podIps = items('pods').flatMap((p) => (((p['status'] as Rec)['podIPs'] as Rec[] | undefined) ?? []).map((x) => String(x['ip'])));
    const v6 = podIps.filter((ip) => ip.includes(':'));
    expect(v6.length).toBeGreaterThan(5);
    for (const ip of v6) expect(canonical(ip), ip).toBe(true);
  });

  it('IPv6 calls: CloudTrail shows a pod or node IPv6 address the inventory or runtime shows, compressed; Tetragon writes the AF_INET6 connect', () => {
    const known = new Set(items('pods').flatMap((p) => (((p['status'] as Rec)['podIPs'] as Rec[] | undefined) ?? []).map((x) => String(x['ip']))));
    const socks = tetragon()
      .map((e) => ((e['process_kprobe'] as Rec | undefined)?.['args'] as Rec[] | undefined)?.[0]?.['sock_arg'] as Rec | undefined)
      .filter((s): s is Rec => s !== undefined);
    const v6socks = socks.filter((s) => s['family'] === 'AF_INET6');
    expect(v6socks.length).toBeGreaterThan(0);
    for (const s of v6socks) expect(String(s['saddr']).includes(':') && String(s['daddr']).includes(':')).toBe(true);
    for (const s of socks.filter((x) => x['family'] === 'AF_INET')) expect(String(s['saddr']).includes(':')).toBe(false);
    const runtimeSources = new Set(v6socks.map((s) => String(s['saddr'])));
    const recs = cloudRecords(dir, files);
    const v6calls = events().filter((e) => e.source_ip.includes(':'));
    expect(v6calls.length).toBeGreaterThan(5);
    for (const e of v6calls) {
      expect(e.properties, e.event_id).toContain('ipv6');
      expect(canonical(e.source_ip), e.source_ip).toBe(true);
      const rec = recs.get(e.event_id);
      if (rec) expect(rec.rec['sourceIPAddress']).toBe(e.source_ip);
      expect(known.has(e.source_ip) || runtimeSources.has(e.source_ip) || items('nodes').some((n) => JSON.stringify(n).includes(`"${e.source_ip}"`)), e.source_ip).toBe(true);
    }
    // pods reach the Pod Identity agent and the metadata service over IPv6 at their IPv6 addresses
    expect(v6socks.some((s) => s['daddr'] === 'fd00:ec2::23')).toBe(true);
  });

  it('case.yaml declares the endpoints IPv6 addresses beside the IPv4 ones', () => {
    const yaml = readFileSync(path.join(dir, 'case.yaml'), 'utf8');
    expect(yaml).toMatch(/2600:1f14:[0-9a-f:]+/);
  });
});

describe('property between-snapshots (churn: a CronJob every 20 minutes)', () => {
  it('its pods are created with generateName (no name in objectRef), bound to a node, and listed in no snapshot', () => {
    const creates = audit().filter((e) => e['verb'] === 'create' && e['stage'] === 'ResponseComplete' && (e['objectRef'] as Rec)['resource'] === 'pods' && !(e['objectRef'] as Rec)['subresource']);
    const jobPods = creates.filter((e) => String(((e['responseObject'] as Rec)['metadata'] as Rec)['name']).startsWith('report-export-'));
    expect(jobPods.length).toBeGreaterThanOrEqual(5);
    const listed = new Set(items('pods').map((p) => (p['metadata'] as Rec)['uid']));
    const bindings = audit().filter((e) => (e['objectRef'] as Rec | undefined)?.['subresource'] === 'binding');
    for (const e of jobPods) {
      expect((e['objectRef'] as Rec)['name']).toBeUndefined();
      const meta = (e['responseObject'] as Rec)['metadata'] as Rec;
      expect(meta['generateName']).toMatch(/^report-export-\d+-$/);
      expect(((e['requestObject'] as Rec)['spec'] as Rec)['serviceAccountName']).toBe('report-export');
      expect((((e['requestObject'] as Rec)['metadata'] as Rec)['ownerReferences'] as Rec[])[0]).toMatchObject({ apiVersion: 'batch/v1', kind: 'Job' });
      expect(listed.has(meta['uid'])).toBe(false);
      expect(bindings.some((b) => (b['objectRef'] as Rec)['uid'] === meta['uid'])).toBe(true);
    }
  });

  it('truth.json marks their calls between-snapshots, and every one the evidence decides says how', () => {
    const calls = events().filter((e) => e.properties.includes('between-snapshots'));
    expect(calls.length).toBeGreaterThan(10);
    for (const e of calls) {
      expect(e.made_by_pod_uid).not.toBeNull();
      if (e.logged) expect(e.decidable === true ? e.decidable_by : e.undecidable_why, e.event_id).toBeTruthy();
    }
    expect(calls.filter((e) => e.decidable).length).toBeGreaterThan(10);
  });
});

describe('between-snapshots pods in an audit gap (mixed)', () => {
  it('a pod whose create fell before the audit retention is decided only by a sensor-written connect from the call source (or what follows from it), else pod-unseen', () => {
    const d = path.join(t.dir, 'mixed');
    generateScenario({ scenario: 'mixed', seed: 3, scale: 0.05, outDir: d });
    const ev = (readTruth(d).cloud_events as CloudTruth[]).filter((e) => e.properties.includes('between-snapshots') && e.logged);
    expect(ev.length).toBeGreaterThan(0);
    const early = ev.filter((e) => e.event_time < '2026-10-20T08:12:40Z');
    expect(early.length).toBeGreaterThan(0);
    for (const e of early) expect(['source-ip', 'carry', 'inherit', 'pod-unseen']).toContain(e.decidable_by ?? e.undecidable_why);
  });
});
