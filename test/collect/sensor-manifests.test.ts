/**
 * The sensor manifests as rendered from deploy/sensor/: valid Kubernetes objects (the object schemas
 * of kubernetes-models, pinned), pinned by digest, labelled with the case, the event filters the
 * correlation reads; --dry-run prints them and sends no request at all.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRequire } from 'node:module';
import { parseAllDocuments } from 'yaml';
import { renderSensor, type RenderedSensor } from '../../src/collect/sensor/render.js';
import { caseLabel, sensorNamespace } from '../../src/collect/sensor/names.js';
import { loadPins } from '../../src/collect/sensor/versions.js';
import { createProgram, type Io } from '../../src/cli/program.js';
import { startCluster, type Cluster } from './k8s-harness.js';

type Obj = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
const require = createRequire(import.meta.url);

/** The kubernetes-models class of an object (its JSON schema validator). */
function model(apiVersion: string, kind: string): { new (o: Obj): { validate(): void } } {
  const group = apiVersion.includes('/') ? apiVersion : `v1`;
  const mod = require(`kubernetes-models/${group === 'v1' ? 'v1' : group}/${kind}`) as Record<string, { new (o: Obj): { validate(): void } }>;
  return mod[kind]!;
}

const KINDS = ['tetragon', 'falco'] as const;

describe('sensor manifests', () => {
  const rendered: Record<string, RenderedSensor> = {};
  beforeAll(() => {
    for (const k of KINDS) rendered[k] = renderSensor({ kind: k, caseId: 'incident-42', deploymentId: 'sensor-tetragon-2026-10-20T09-50-00.000Z' });
  });

  it.each(KINDS)('%s: every object passes its Kubernetes schema (kubernetes-models)', (k) => {
    for (const o of rendered[k]!.objects) {
      const M = model(o.apiVersion, o.kind);
      expect(() => new M(o.manifest).validate(), `${o.kind} ${o.name}`).not.toThrow();
    }
  });

  it('the schema check does catch a broken manifest', () => {
    const ds = structuredClone(rendered['tetragon']!.objects.find((o) => o.kind === 'DaemonSet')!.manifest) as Obj;
    ds['spec'].template.spec.containers[0].ports = [{ containerPort: 'http' }];
    delete ds['spec'].selector;
    expect(() => new (model('apps/v1', 'DaemonSet'))(ds).validate()).toThrow(/selector|containerPort/);
  });

  it.each(KINDS)('%s: namespace privileged, every object and the pod template labelled with the case, image pinned by digest', (k) => {
    const r = rendered[k]!;
    const ns = r.objects[0]!;
    expect(ns.kind).toBe('Namespace');
    expect(ns.manifest['metadata'].labels['pod-security.kubernetes.io/enforce']).toBe('privileged');
    for (const o of r.objects) {
      expect(o.manifest['metadata'].labels).toMatchObject({ 'podtrail.io/case': 'incident-42', 'app.kubernetes.io/managed-by': 'podtrail', 'podtrail.io/deployment': 'sensor-tetragon-2026-10-20T09-50-00.000Z' });
      expect(o.manifest['metadata'].annotations['podtrail.io/case-id']).toBe('incident-42');
      if (o.namespace !== null) expect(o.namespace).toBe(r.namespace);
    }
    const ds = r.objects.find((o) => o.kind === 'DaemonSet')!.manifest as Obj;
    expect(ds['spec'].template.metadata.labels['podtrail.io/case']).toBe('incident-42');
    for (const c of ds['spec'].template.spec.containers) expect(c.image).toMatch(/@sha256:[0-9a-f]{64}$/);
    const pin = loadPins()[k];
    expect(pin.verified).toMatch(/not pulled or verified here/);
    expect(ds['spec'].template.spec.containers[0].image).toBe(`${pin.image}:${pin.tag}@${pin.digest}`);
    // nothing creates a host directory: every hostPath must already exist
    for (const v of ds['spec'].template.spec.volumes) if (v.hostPath) expect(v.hostPath.type).toBe('Directory');
  });

  it('tetragon: JSON export of every namespace and of host processes, tcp_connect from a ConfigMap through --tracing-policy-dir, no TracingPolicy object', () => {
    const r = rendered['tetragon']!;
    expect(r.objects.some((o) => o.kind === 'TracingPolicy' || o.apiVersion.startsWith('cilium.io'))).toBe(false);
    const cfg = r.objects.find((o) => o.name === 'podtrail-tetragon-config')!.manifest['data'] as Record<string, string>;
    expect(cfg['export-denylist']).toBe('');
    expect(cfg['enable-tracing-policy-crd']).toBe('false');
    expect(cfg['tracing-policy-dir']).toBe('/etc/tetragon/tetragon.tp.d');
    expect(JSON.parse(cfg['export-allowlist']!).event_set).toEqual(expect.arrayContaining(['PROCESS_EXEC', 'PROCESS_KPROBE']));
    const policy = r.objects.find((o) => o.name === 'podtrail-tetragon-policy')!.manifest['data'] as Record<string, string>;
    const doc = parseAllDocuments(policy['podtrail-tcp-connect.yaml']!)[0]!.toJS() as Obj;
    expect(doc['spec'].kprobes).toEqual([{ call: 'tcp_connect', syscall: false, args: [{ index: 0, type: 'sock' }] }]);
    const ds = r.objects.find((o) => o.kind === 'DaemonSet')!.manifest as Obj;
    const names = ds['spec'].template.spec.containers.map((c: Obj) => c.name);
    expect(names).toEqual(['tetragon', 'export-stdout', 'podtrail-clock']);
    expect(ds['spec'].template.spec.containers[1].command.join(' ')).toContain('tail -n +1 -F /var/run/cilium/tetragon/tetragon.log');
    expect(r.filter).toMatchObject({ filter_id: 'podtrail-tetragon-tcp-connect/v1', alerts_every_outbound_connect: true, host_processes: true });
  });

  it('falco: modern eBPF, JSON output, podtrail rule on every outbound connect, no download at start', () => {
    const r = rendered['falco']!;
    const cfg = parseAllDocuments((r.objects.find((o) => o.name === 'podtrail-falco-config')!.manifest['data'] as Record<string, string>)['zz-podtrail.yaml']!)[0]!.toJS() as Obj;
    expect(cfg).toMatchObject({ engine: { kind: 'modern_ebpf' }, json_output: true, rule_matching: 'all', load_plugins: ['container'] });
    const rules = parseAllDocuments((r.objects.find((o) => o.name === 'podtrail-falco-rules')!.manifest['data'] as Record<string, string>)['podtrail_rules.yaml']!)[0]!.toJS() as Obj[];
    const connect = rules.find((x) => x['rule'] === 'podtrail outbound connect')!;
    expect(connect['condition']).toContain('evt.type = connect');
    expect(connect['condition']).not.toContain('rfc_1918'); // private destinations (VPC endpoints, IMDS) stay in
    const ds = r.objects.find((o) => o.kind === 'DaemonSet')!.manifest as Obj;
    expect(ds['spec'].template.spec.initContainers).toBeUndefined(); // no falcoctl, no driver loader
    expect(ds['spec'].template.spec.automountServiceAccountToken).toBe(false);
    expect(r.filter).toMatchObject({ filter_id: 'podtrail-falco-outbound-connect/v1', alerts_every_outbound_connect: true });
    expect(r.filter.kubernetes_fields_from).toContain('container plugin');
  });

  it('renders the same bytes for the same case; names fit Kubernetes whatever the case id', () => {
    const again = renderSensor({ kind: 'tetragon', caseId: 'incident-42', deploymentId: 'sensor-tetragon-2026-10-20T09-50-00.000Z' });
    expect(again.yaml).toBe(rendered['tetragon']!.yaml);
    expect(again.sha256).toBe(rendered['tetragon']!.sha256);
    const long = `Case_${'x'.repeat(120)}.v2`;
    expect(sensorNamespace('falco', long)).toMatch(/^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])$/);
    expect(caseLabel(long)).toMatch(/^[A-Za-z0-9]([A-Za-z0-9._-]{0,61}[A-Za-z0-9])$/);
    expect(caseLabel('.hidden-')).toMatch(/^[A-Za-z0-9]/);
  });
});

describe('podtrail sensor deploy --dry-run', () => {
  let c: Cluster;
  beforeAll(async () => {
    c = await startCluster({ load: false });
  });
  afterAll(async () => {
    await c.cleanup();
  });

  it('prints the manifests for change approval and sends nothing to the cluster', async () => {
    let out = '';
    const io: Io = { out: (t) => void (out += t), err: () => {}, isTty: false, columns: 120 };
    await createProgram(io).exitOverride().parseAsync(['sensor', 'deploy', c.caseDir, '--kind', 'tetragon', '--dry-run', '--kubeconfig', c.kubeconfig], { from: 'user' });
    expect(c.api.received).toEqual([]);
    const docs = parseAllDocuments(out).map((d) => d.toJS() as Obj).filter(Boolean);
    expect(docs.map((d) => d['kind'])).toEqual(['Namespace', 'ServiceAccount', 'ClusterRole', 'ClusterRoleBinding', 'ConfigMap', 'ConfigMap', 'ConfigMap', 'DaemonSet']);
    expect(out).toMatch(/^# podtrail sensor deploy --dry-run: 8 objects, manifests sha256 [0-9a-f]{64}/);
    expect(out).toContain('not pulled or verified here');
  });

  it('refuses a missing or unknown --kind as a usage error', async () => {
    const io: Io = { out: () => {}, err: () => {}, isTty: false, columns: 120 };
    for (const args of [['sensor', 'deploy', c.caseDir, '--dry-run'], ['sensor', 'remove', c.caseDir, '--kind', 'tracee']]) {
      const e = await createProgram(io).exitOverride().parseAsync(args, { from: 'user' }).then(() => null, (x: unknown) => x as { exitCode?: number; message: string });
      expect(e?.message ?? '').toMatch(/--kind/);
      expect(e?.exitCode).toBe(2);
      expect(c.api.received).toEqual([]);
    }
  });
});
