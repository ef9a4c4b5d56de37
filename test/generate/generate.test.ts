import { mkdtempSync, readFileSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateScenario, type GenerateSummary } from '../../src/generate/generate.js';
import { SCENARIOS, findScenario } from '../../src/generate/scenarios/index.js';
import { loadCaseConfig } from '../../src/case/case-config.js';
import { createProgram, type Io } from '../../src/cli/program.js';
import { CliError } from '../../src/core/errors.js';
import { cloudRecords, gunzipSingle, lines, listFiles, lookupEvents, readTruth, tryParse, type Rec, type Truth } from './read-outputs.js';

const SCALE = 0.05;
const tmp = mkdtempSync(path.join(os.tmpdir(), 'podtrail-gen-'));
const runs = new Map<string, { dir: string; summary: GenerateSummary; truth: Truth }>();

function run(name: string): { dir: string; summary: GenerateSummary; truth: Truth } {
  const r = runs.get(name);
  if (!r) throw new Error(`scenario ${name} was not generated`);
  return r;
}

const nsOf = (iso: string): bigint => {
  const m = /^(.{19})(?:\.(\d+))?Z$/.exec(iso);
  if (!m) throw new Error(`bad time ${iso}`);
  return BigInt(Date.parse(`${m[1]}Z`)) * 1_000_000n + BigInt((m[2] ?? '').padEnd(9, '0') || '0');
};

beforeAll(() => {
  for (const s of SCENARIOS) {
    const dir = path.join(tmp, s.name);
    const summary = generateScenario({ scenario: s.name, seed: 7, scale: SCALE, outDir: dir });
    runs.set(s.name, { dir, summary, truth: readTruth(dir) });
  }
});

afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe('podtrail generate: determinism', () => {
  it('writes the same bytes for the same scenario, seed and scale', () => {
    const a = run('mixed');
    const dir = path.join(tmp, 'mixed-again');
    const b = generateScenario({ scenario: 'mixed', seed: 7, scale: SCALE, outDir: dir });
    expect(b.files).toEqual(a.summary.files);
    expect(listFiles(dir)).toEqual(listFiles(a.dir));
    for (const f of a.summary.files) expect(readFileSync(path.join(dir, f)).equals(readFileSync(path.join(a.dir, f))), f).toBe(true);
  });

  it('changes with the seed', () => {
    const dir = path.join(tmp, 'irsa-seed-8');
    generateScenario({ scenario: 'irsa-exfil', seed: 8, scale: SCALE, outDir: dir });
    expect(readFileSync(path.join(dir, 'truth.json')).equals(readFileSync(path.join(run('irsa-exfil').dir, 'truth.json')))).toBe(false);
  });
});

describe.each(SCENARIOS.map((s) => s.name))('scenario %s', (name) => {
  it('lists exactly the files it wrote, and DIR is a loadable case', () => {
    const { dir, summary } = run(name);
    expect(listFiles(dir).sort()).toEqual(summary.files);
    const cfg = loadCaseConfig(path.join(dir, 'case.yaml'));
    expect(cfg.clock.node_offsets_seconds).toEqual({});
    expect(cfg.scope.namespaces.length).toBeGreaterThan(0);
    expect(cfg.egress.length).toBe(2);
    expect(cfg.endpoints.some((e) => e.service === 'sts.amazonaws.com' && e.vpc_endpoint_id.startsWith('vpce-'))).toBe(true);
  });

  it('every JSON line parses except the ones truth.json lists as malformed, which do not', () => {
    const { dir, summary, truth } = run(name);
    const bad = new Map(truth.malformed.map((m) => [`${m.file}:${m.line}`, m]));
    let checked = 0;
    for (const f of summary.files.filter((x) => /inputs\/(tetragon|falco|kube-audit)\//.test(x))) {
      lines(dir, f).forEach((l, i) => {
        const isBad = bad.has(`${f}:${i + 1}`);
        expect(tryParse(l) === undefined, `${f}:${i + 1}`).toBe(isBad);
        checked++;
      });
    }
    for (const m of truth.malformed) expect(summary.files).toContain(m.file);
    expect(checked).toBeGreaterThan(1000);
    if (name === 'irsa-exfil' || name === 'pod-identity') expect(truth.malformed).toEqual([]);
    if (name === 'churn' || name === 'gaps' || name === 'mixed') expect(truth.malformed.length).toBeGreaterThanOrEqual(3);
  });

  it('cloud events in the files and in truth.json are the same set, each file a single gzip member sorted by eventTime', () => {
    const { dir, summary, truth } = run(name);
    for (const f of summary.files.filter((x) => x.endsWith('.json.gz'))) {
      const buf = readFileSync(path.join(dir, f));
      expect(buf.readUInt32LE(4), 'gzip mtime').toBe(0);
      expect(buf[9], 'gzip OS byte').toBe(3);
      const recs = (JSON.parse(gunzipSingle(buf).toString('utf8')) as { Records: Rec[] }).Records;
      const times = recs.map((r) => r['eventTime'] as string);
      expect([...times].sort()).toEqual(times);
      expect(f).toMatch(/^inputs\/cloudtrail\/AWSLogs\/\d{12}\/CloudTrail\/[a-z0-9-]+\/\d{4}\/\d{2}\/\d{2}\/\d{12}_CloudTrail_[a-z0-9-]+_\d{8}T\d{4}Z_[A-Za-z0-9]{16}\.json\.gz$/);
    }
    const s3 = cloudRecords(dir, summary.files);
    const lookup = lookupEvents(dir);
    const byId = new Map(truth.cloud_events.map((c) => [c.event_id, c]));
    expect(byId.size).toBe(truth.cloud_events.length);
    for (const id of s3.keys()) expect(byId.get(id)?.sources, id).toContain('s3');
    for (const e of lookup) {
      const id = e['EventId'] as string;
      expect(byId.get(id)?.sources, id).toContain('lookup');
      const inner = JSON.parse(e['CloudTrailEvent'] as string) as Rec;
      expect(inner['eventID']).toBe(id);
      const other = s3.get(id);
      if (other) expect(inner).toEqual(other.rec);
      expect(['true', 'false']).toContain(e['ReadOnly']);
      expect(e['EventTime']).toMatch(/\+00:00$/);
    }
    const lookupIds = new Set(lookup.map((e) => e['EventId'] as string));
    for (const c of truth.cloud_events) {
      expect(c.logged).toBe(c.sources.length > 0);
      expect(s3.has(c.event_id)).toBe(c.sources.includes('s3'));
      expect(lookupIds.has(c.event_id)).toBe(c.sources.includes('lookup'));
      if (!c.logged) expect(c.not_logged_why).not.toBeNull();
    }
    expect(truth.counts['cloud_events_in_both']).toBeGreaterThan(0);
    const incidentIds = new Set(truth.incidents.flatMap((i) => i.cloud_event_ids));
    expect(incidentIds.size).toBeGreaterThan(3);
    for (const id of incidentIds) expect(byId.get(id)?.incident, id).toBe(true);
    for (const c of truth.cloud_events) if (c.incident) expect(incidentIds.has(c.event_id)).toBe(true);
  });

  it('every pod-token request in the audit log is in truth.json, and every listed audit id exists', () => {
    const { dir, summary, truth } = run(name);
    const podToken = new Set<string>();
    const all = new Set<string>();
    for (const f of summary.files.filter((x) => x.startsWith('inputs/kube-audit/'))) {
      for (const l of lines(dir, f)) {
        const e = tryParse(l) as Rec | undefined;
        if (!e) continue;
        all.add(e['auditID'] as string);
        const extra = (e['user'] as Rec)['extra'] as Record<string, string[]> | undefined;
        if (extra?.['authentication.kubernetes.io/pod-uid']) podToken.add(e['auditID'] as string);
      }
    }
    expect(new Set(truth.kube_requests.map((k) => k.audit_id))).toEqual(podToken);
    for (const i of truth.incidents) for (const id of i.audit_ids) expect(all.has(id), id).toBe(true);
  });

  it('the incident pod is in the inventory, and each incident call with runtime evidence has a connect from it just before', () => {
    const { dir, summary, truth } = run(name);
    for (const inc of truth.incidents) {
      const podsFile = summary.files.filter((f) => f.startsWith('inputs/inventory/pods-'));
      const seen = podsFile.some((f) => ((JSON.parse(readFileSync(path.join(dir, f), 'utf8')) as { items: Rec[] }).items).some((p) => (p['metadata'] as Rec)['uid'] === inc.pod_uid));
      expect(seen, inc.pod_uid).toBe(true);
      const file = `inputs/tetragon/${inc.node}.json`;
      if (!summary.files.includes(file)) continue;
      const offset = BigInt(Math.round((truth.clock_offsets[inc.node] ?? 0) * 1e9));
      const connects: bigint[] = [];
      for (const l of lines(dir, file)) {
        const e = tryParse(l) as Rec | undefined;
        const k = e?.['process_kprobe'] as Rec | undefined;
        if (!e || !k) continue;
        const pod = (k['process'] as Rec)['pod'] as Rec | undefined;
        if (pod && pod['name'] === (inc as unknown as { pod_name: string }).pod_name) connects.push(nsOf(e['time'] as string) - offset);
      }
      const ids = new Set(inc.cloud_event_ids);
      const evidenced = truth.cloud_events.filter((c) => ids.has(c.event_id) && c.runtime_evidence);
      expect(evidenced.length).toBeGreaterThan(0);
      for (const c of evidenced) {
        const t = nsOf(c.event_time);
        expect(connects.some((x) => x < t && x >= t - 1_000_000_000n), `${c.event_name} ${c.event_time}`).toBe(true);
      }
    }
  });
});

describe('format shapes', () => {
  it('Falco evt.time is a raw integer above 2^53 equal to the alert time', () => {
    const { dir, summary } = run('irsa-exfil');
    const f = summary.files.find((x) => x.startsWith('inputs/falco/')) as string;
    let n = 0;
    for (const l of lines(dir, f)) {
      const m = /"evt\.time":(\d+)[,}]/.exec(l);
      expect(m).not.toBeNull();
      const digits = BigInt(m?.[1] ?? '0');
      expect(digits > 2n ** 53n).toBe(true);
      expect(digits).toBe(nsOf((JSON.parse(l) as Rec)['time'] as string));
      n++;
    }
    expect(n).toBeGreaterThan(0);
  });

  it('Tetragon: pod.uid only on v1.6 sensors; exec_id decodes to node:ktime:pid; connects are full sock_args', () => {
    const spec = (findScenario('irsa-exfil') as NonNullable<ReturnType<typeof findScenario>>).build(7);
    const { dir } = run('irsa-exfil');
    for (const node of spec.cluster.nodes) {
      let withPod = 0;
      for (const l of lines(dir, `inputs/tetragon/${node.name}.json`)) {
        const e = JSON.parse(l) as Rec;
        expect(e['node_name']).toBe(node.name);
        const kind = Object.keys(e)[0] as string;
        const proc = (e[kind] as Rec)['process'] as Rec;
        const decoded = Buffer.from(proc['exec_id'] as string, 'base64').toString('utf8').split(':');
        expect(decoded[0]).toBe(node.name);
        expect(decoded[2]).toBe(String(proc['pid']));
        const pod = proc['pod'] as Rec | undefined;
        if (pod) {
          withPod++;
          expect('uid' in pod).toBe(node.sensor === 'v1.6.1');
          expect(((pod['container'] as Rec)['id'] as string).startsWith('containerd://')).toBe(true);
          expect(((pod['container'] as Rec)['image'] as Rec)['id']).toMatch(/@sha256:[0-9a-f]{64}$/);
        }
        if (kind === 'process_kprobe') {
          const sock = (((e[kind] as Rec)['args'] as Rec[])[0] as Rec)['sock_arg'] as Rec;
          expect(sock).toMatchObject({ family: 'AF_INET', type: 'SOCK_STREAM', protocol: 'IPPROTO_TCP', state: 'TCP_SYN_SENT' });
          expect(typeof sock['cookie']).toBe('string');
          expect((e[kind] as Rec)['function_name']).toBe('tcp_connect');
        }
        expect(e['time']).toMatch(/^2026-10-20T\d\d:\d\d:\d\d(\.\d{3}|\.\d{6}|\.\d{9})?Z$/);
      }
      expect(withPod).toBeGreaterThan(0);
    }
  });

  it('CloudTrail: STS responses carry a sessionToken, Pod Identity AssumeRole has the six session tags, PutObject is a data event', () => {
    const { dir, summary } = run('pod-identity');
    const recs = [...cloudRecords(dir, summary.files).values()].map((x) => x.rec);
    const sts = recs.filter((r) => r['eventSource'] === 'sts.amazonaws.com');
    expect(sts.length).toBeGreaterThan(0);
    for (const r of sts) expect(((r['responseElements'] as Rec)['credentials'] as Rec)['sessionToken']).toMatch(/^IQoJb3JpZ2luX2Vj/);
    const pe = recs.filter((r) => r['eventName'] === 'AssumeRole' && (r['userIdentity'] as Rec)['invokedBy'] === 'pods.eks.amazonaws.com');
    expect(pe.length).toBeGreaterThanOrEqual(3);
    for (const r of pe) {
      const tags = ((r['requestParameters'] as Rec)['tags'] as Array<{ key: string }>).map((t) => t.key);
      expect(tags).toEqual(['eks-cluster-arn', 'eks-cluster-name', 'kubernetes-namespace', 'kubernetes-service-account', 'kubernetes-pod-name', 'kubernetes-pod-uid']);
      expect(r['sourceIPAddress']).toBe('pods.eks.amazonaws.com');
      const auth = recs.find((x) => x['eventName'] === 'AssumeRoleForPodIdentity' && x['eventTime'] === r['eventTime']);
      expect((auth?.['userIdentity'] as Rec)['sessionContext']).toMatchObject({ ec2RoleDelivery: '2.0' });
    }
    const put = recs.filter((r) => r['eventName'] === 'PutObject');
    expect(put.length).toBeGreaterThan(0);
    for (const r of put) expect(r).toMatchObject({ eventCategory: 'Data', managementEvent: false });
    const irsa = [...cloudRecords(run('irsa-exfil').dir, run('irsa-exfil').summary.files).values()].map((x) => x.rec);
    const web = irsa.find((r) => r['eventName'] === 'AssumeRoleWithWebIdentity') as Rec;
    expect((web['userIdentity'] as Rec)['type']).toBe('WebIdentityUser');
    expect(((web['responseElements'] as Rec)['credentials'] as Rec)['expiration']).toMatch(/^[A-Z][a-z]{2} \d{1,2}, \d{4}, \d{1,2}:\d{2}:\d{2} [AP]M$/);
  });

  it('imds-node-role: CreateAccessKey by the node role session (instance id) in us-east-1, then the new AKIA key in use', () => {
    const { dir, summary, truth } = run('imds-node-role');
    const recs = [...cloudRecords(dir, summary.files).values()].map((x) => x.rec);
    const create = recs.find((r) => r['eventName'] === 'CreateAccessKey') as Rec;
    expect(create['awsRegion']).toBe('us-east-1');
    expect((create['userIdentity'] as Rec)['arn']).toMatch(/assumed-role\/.+\/i-0[0-9a-f]{16}$/);
    const key = ((create['responseElements'] as Rec)['accessKey'] as Rec)['accessKeyId'] as string;
    expect(key).toMatch(/^AKIA[A-Z2-7]{16}$/);
    const uses = recs.filter((r) => (r['userIdentity'] as Rec)['accessKeyId'] === key);
    expect(uses.length).toBeGreaterThanOrEqual(4);
    const ext = truth.cloud_events.filter((c) => c.incident && c.why_not_pod === 'external-attacker');
    expect(ext.length).toBeGreaterThan(0);
  });

  it('audit: kubelet token requests carry the JTI annotation, Request level ones the boundObjectRef; exec has three stages', () => {
    const { dir, summary, truth } = run('irsa-exfil');
    let tokens = 0;
    const stages = new Map<string, string[]>();
    for (const f of summary.files.filter((x) => x.startsWith('inputs/kube-audit/'))) {
      for (const l of lines(dir, f)) {
        const e = JSON.parse(l) as Rec;
        const ref = e['objectRef'] as Rec;
        if (ref['subresource'] === 'token' && e['stage'] === 'ResponseComplete') {
          tokens++;
          expect((e['annotations'] as Rec)['authentication.kubernetes.io/issued-credential-id']).toMatch(/^JTI=[0-9a-f-]{36}$/);
          if (e['level'] === 'Request') expect((((e['requestObject'] as Rec)['spec'] as Rec)['boundObjectRef'] as Rec)['kind']).toBe('Pod');
        }
        if (ref['subresource'] === 'exec') stages.set(e['auditID'] as string, [...(stages.get(e['auditID'] as string) ?? []), e['stage'] as string]);
        expect(e['requestReceivedTimestamp']).toMatch(/\.\d{6}Z$/);
      }
    }
    expect(tokens).toBeGreaterThan(5);
    const exec = stages.get(truth.incident.audit_ids.find((id) => stages.has(id)) as string);
    expect(exec).toEqual(['RequestReceived', 'ResponseStarted', 'ResponseComplete']);
    const off = truth.kube_requests.filter((k) => k.off_pod);
    expect(off.length).toBe(1);
    expect(off[0]?.pod_uid).toBeNull();
  });

  it('gaps: undeclared +40 s clock on the victim node, missing CloudTrail hour, no data events, audit silence and retention', () => {
    const { dir, summary, truth } = run('gaps');
    expect(Object.values(truth.clock_offsets)).toEqual([40]);
    const node = Object.keys(truth.clock_offsets)[0] as string;
    expect(node).toBe(truth.incident.node);
    expect(new Set(truth.gaps.map((g) => g.kind))).toEqual(
      new Set(['audit-silence', 'no-sensor', 'clock-offset', 'cloudtrail-hour-missing', 'retention-before-window', 'no-data-events']),
    );
    const noSensor = truth.gaps.find((g) => g.kind === 'no-sensor')?.node as string;
    expect(summary.files.some((f) => f.includes(noSensor))).toBe(false);
    const put = truth.cloud_events.find((c) => c.incident && c.event_name === 'PutObject');
    expect(put).toMatchObject({ logged: false, not_logged_why: 'no-data-events', sources: [] });
    // The shell's exec on the skewed node is 40 s after the audit's RequestReceived.
    const execLine = summary.files
      .filter((f) => f.startsWith('inputs/kube-audit/'))
      .flatMap((f) => lines(dir, f))
      .map((l) => tryParse(l) as Rec | undefined)
      .find((e) => e && (e['objectRef'] as Rec)['subresource'] === 'exec' && e['stage'] === 'RequestReceived') as Rec;
    const shell = lines(dir, `inputs/tetragon/${node}.json`)
      .map((l) => tryParse(l) as Rec | undefined)
      .find((e) => e && e['process_exec'] && ((e['process_exec'] as Rec)['process'] as Rec)['binary'] === '/bin/sh' && ((e['process_exec'] as Rec)['parent'] as Rec)['binary'] === '/usr/bin/containerd-shim-runc-v2') as Rec;
    const delta = nsOf(shell['time'] as string) - nsOf(execLine['requestReceivedTimestamp'] as string);
    expect(delta > 40_000_000_000n && delta < 41_000_000_000n).toBe(true);
    for (const f of summary.files.filter((x) => x.startsWith('inputs/kube-audit/'))) {
      for (const l of lines(dir, f)) {
        const e = tryParse(l) as Rec | undefined;
        if (!e) continue;
        const t = e['stageTimestamp'] as string;
        expect(t >= '2026-10-20T08:24:30' && !(t >= '2026-10-20T09:40:00' && t < '2026-10-20T10:40:00'), t).toBe(true);
      }
    }
  });

  it('churn: a pod name reused with a new UID, an IP reused by another pod, a digest changed under the same tag', () => {
    const { dir, summary, truth } = run('churn');
    const snaps = summary.files.filter((f) => f.startsWith('inputs/inventory/pods-')).map((f) => (JSON.parse(readFileSync(path.join(dir, f), 'utf8')) as { items: Rec[] }).items);
    const all = snaps.flat();
    const uidsOf = (name: string): Set<string> => new Set(all.filter((p) => (p['metadata'] as Rec)['name'] === name).map((p) => (p['metadata'] as Rec)['uid'] as string));
    expect(uidsOf('session-cache-0').size).toBe(2);
    const canary = all.find((p) => (p['metadata'] as Rec)['uid'] === truth.incident.pod_uid) as Rec;
    const ip = (canary['status'] as Rec)['podIP'];
    const sameIp = new Set(all.filter((p) => (p['status'] as Rec)['podIP'] === ip).map((p) => (p['metadata'] as Rec)['uid']));
    expect(sameIp.size).toBe(2);
    const imageIds = new Set(
      all
        .filter((p) => (p['metadata'] as Rec)['namespace'] === 'storefront' && ((p['metadata'] as Rec)['name'] as string).startsWith('storefront-'))
        .map((p) => (((p['status'] as Rec)['containerStatuses'] as Rec[])[0] as Rec)['imageID']),
    );
    expect(imageIds.size).toBe(2);
  });

  it('inventory files are kubectl Lists named by their instant', () => {
    const { dir, summary } = run('irsa-exfil');
    const inv = summary.files.filter((f) => f.startsWith('inputs/inventory/'));
    expect(inv.length).toBe(12);
    for (const f of inv) {
      expect(f).toMatch(/^inputs\/inventory\/(nodes|pods|serviceaccounts)-\d{4}-\d{2}-\d{2}T\d{2}-\d{2}-\d{2}Z\.json$/);
      const doc = JSON.parse(readFileSync(path.join(dir, f), 'utf8')) as Rec;
      expect(Object.keys(doc)).toEqual(['apiVersion', 'items', 'kind', 'metadata']);
      expect(doc['kind']).toBe('List');
    }
    const nodes = (JSON.parse(readFileSync(path.join(dir, inv.find((f) => f.includes('nodes-')) as string), 'utf8')) as { items: Rec[] }).items;
    for (const n of nodes) expect((n['spec'] as Rec)['providerID']).toMatch(/^aws:\/\/\/us-west-2[abc]\/i-0[0-9a-f]{16}$/);
  });
});

describe('podtrail generate (CLI)', () => {
  function io(): Io & { outText: string; errText: string } {
    const o = { outText: '', errText: '', isTty: false, columns: 120, out: (t: string) => void (o.outText += t), err: (t: string) => void (o.errText += t) };
    return o;
  }

  it('--list describes every scenario', async () => {
    const c = io();
    await createProgram(c).exitOverride().parseAsync(['generate', '--list'], { from: 'user' });
    for (const s of SCENARIOS) expect(c.outText).toContain(s.name);
  });

  it('generates, prints a one-line summary and the next command', async () => {
    const c = io();
    const out = path.join(tmp, 'cli-run');
    await createProgram(c).exitOverride().parseAsync(['generate', '--scenario', 'static-keys-nat', '--scale', '0.02', '--seed', '3', '--out', out], { from: 'user' });
    expect(c.errText).toMatch(/^generated static-keys-nat \(seed 3, scale 0\.02\)/);
    // the summary, then the command to run next
    expect(c.errText.trim().split('\n')).toEqual([expect.stringMatching(/^generated /), `next: podtrail ingest ${out} ${path.join(out, 'inputs')}`]);
  });

  it.each([
    [['generate', '--scenario', 'nope', '--out', 'x']],
    [['generate', '--scenario', 'churn', '--scale', '0', '--out', 'x']],
    [['generate', '--scenario', 'churn', '--scale', 'abc', '--out', 'x']],
    [['generate', '--out', 'x']],
  ])('refuses %j with exit code 2', async (args) => {
    await expect(createProgram(io()).exitOverride().parseAsync(args, { from: 'user' })).rejects.toMatchObject({ exitCode: 2 });
  });

  it('refuses an --out folder that is not empty', async () => {
    const out = path.join(tmp, 'not-empty');
    mkdirSync(out, { recursive: true });
    writeFileSync(path.join(out, 'keep.txt'), 'x');
    const p = createProgram(io()).exitOverride().parseAsync(['generate', '--scenario', 'churn', '--out', out], { from: 'user' });
    await expect(p).rejects.toBeInstanceOf(CliError);
    await expect(p).rejects.toMatchObject({ exitCode: 2 });
  });
});
