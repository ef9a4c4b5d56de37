import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parseAllDocuments, stringify } from 'yaml';
import { canonicalJson } from '../../core/canonical-json.js';
import { TOOL_ID } from '../../core/version.js';
import { sha256Hex } from '../common/request-record.js';
import { caseLabel, sensorNamespace } from './names.js';
import { LAYOUT, type SensorKind } from './sensor-kind.js';
import { SENSOR_DEPLOY_DIR, imageRef, loadPins, type SensorPin } from './versions.js';

type Obj = Record<string, unknown>;

/** One object of a sensor deployment, as rendered (the bytes hashed are its canonical JSON). */
export interface RenderedObject {
  apiVersion: string;
  kind: string;
  name: string;
  namespace: string | null;
  manifest: Obj;
  sha256: string;
}

/**
 * What the deployed sensor is set to see, as the custody log and the sensor_log table record it.
 * `filter_id` is a stable key: the attribution rules and the gaps checks read what the sensor's
 * silence means from it (docs/sensor.md, "The deployed filter").
 */
export interface SensorFilter {
  filter_id: string;
  kind: SensorKind;
  sensor_version: string;
  image: string;
  /** The sensor emits an event for every outbound connect (TCP, and for Falco UDP too), pods and host. */
  alerts_every_outbound_connect: boolean;
  /** The sensor emits an event for every exec. */
  alerts_every_exec: boolean;
  namespaces: 'all';
  host_processes: boolean;
  /** Where the pod and image fields of an event come from. */
  kubernetes_fields_from: string;
  details: Obj;
}

export interface RenderedSensor {
  kind: SensorKind;
  namespace: string;
  labels: Record<string, string>;
  selector: Record<string, string>;
  objects: RenderedObject[];
  /** The manifests as YAML documents (what --dry-run prints). */
  yaml: string;
  /** SHA-256 of the canonical JSON of the object list: the hash custody records for the deployment. */
  sha256: string;
  filter: SensorFilter;
  filter_sha256: string;
  pin: SensorPin;
}

export interface RenderOptions {
  kind: SensorKind;
  caseId: string;
  deploymentId: string;
  /** Seconds between two clock lines of the podtrail-clock container. */
  clockInterval?: number;
  pins?: Record<SensorKind, SensorPin>;
  dir?: string;
}

const TETRAGON_ALLOWLIST = '{"event_set":["PROCESS_EXEC","PROCESS_EXIT","PROCESS_KPROBE","PROCESS_THROTTLE","RATE_LIMIT_INFO"]}';
/** Nothing denied: the chart's default ({"health_check":true} and namespaces "", cilium, kube-system) hides host processes. */
const TETRAGON_DENYLIST = '';
const EXPORT_FILE_MAX_MB = 10;

/** The labels every object of a deployment carries (and the DaemonSet's selector). */
export function sensorLabels(kind: SensorKind, caseId: string, deploymentId: string): { labels: Record<string, string>; selector: Record<string, string> } {
  const labels = {
    'app.kubernetes.io/name': 'podtrail-sensor',
    'app.kubernetes.io/component': kind,
    'app.kubernetes.io/managed-by': 'podtrail',
    'podtrail.io/case': caseLabel(caseId),
    'podtrail.io/deployment': deploymentId,
  };
  return { labels, selector: { 'podtrail.io/deployment': deploymentId, 'app.kubernetes.io/component': kind } };
}

/** The label selector that finds every object of a deployment. */
export function deploymentSelector(deploymentId: string): string {
  return `podtrail.io/deployment=${deploymentId}`;
}

/**
 * Renders deploy/sensor/<kind>/manifests.yaml for a case: the templates are parsed as YAML first
 * and the values put into their scalars (a value never becomes YAML syntax), so a case id or a file
 * content cannot change the shape of a manifest.
 */
export function renderSensor(o: RenderOptions): RenderedSensor {
  const dir = o.dir ?? SENSOR_DEPLOY_DIR;
  const pin = (o.pins ?? loadPins(path.join(dir, 'versions.yaml')))[o.kind];
  const namespace = sensorNamespace(o.kind, o.caseId);
  const { labels, selector } = sensorLabels(o.kind, o.caseId, o.deploymentId);
  const annotations = {
    'podtrail.io/case-id': o.caseId,
    'podtrail.io/deployment-id': o.deploymentId,
    'podtrail.io/purpose': `incident sensor of case ${o.caseId}, deployed by ${TOOL_ID}; removed by podtrail sensor remove`,
    'podtrail.io/image-verified': `${pin.verified}: ${pin.digest}`,
  };
  const read = (f: string): string => readFileSync(path.join(dir, f), 'utf8');
  const values: Record<string, unknown> = {
    namespace,
    labels,
    selector,
    annotations,
    namespace_labels: { ...labels, 'pod-security.kubernetes.io/enforce': 'privileged', 'pod-security.kubernetes.io/enforce-version': 'latest' },
    case_label: caseLabel(o.caseId),
    image: imageRef(pin),
    clock_interval: String(o.clockInterval ?? 30),
    clock_script: read('common/clock.sh'),
    export_file_max_size_mb: String(EXPORT_FILE_MAX_MB),
    export_size_limit: `${(EXPORT_FILE_MAX_MB * 2 + 4)}Mi`,
    export_allowlist: TETRAGON_ALLOWLIST,
    export_denylist: TETRAGON_DENYLIST,
    policy: read('tetragon/tcp-connect-policy.yaml'),
    rules: read('falco/podtrail_rules.yaml'),
    falco_config: read('falco/falco-config.yaml'),
  };
  const templateFile = `${o.kind}/manifests.yaml`;
  const docs = parseAllDocuments(read(templateFile));
  const objects: RenderedObject[] = [];
  for (const d of docs) {
    if (d.errors.length > 0) throw new Error(`${templateFile}: ${d.errors[0]!.message}`);
    const raw = d.toJS() as Obj | null;
    if (raw === null) continue;
    const manifest = fill(raw, values, templateFile) as Obj;
    const meta = manifest['metadata'] as Obj;
    objects.push({
      apiVersion: String(manifest['apiVersion']),
      kind: String(manifest['kind']),
      name: String(meta['name']),
      namespace: typeof meta['namespace'] === 'string' ? meta['namespace'] : null,
      manifest,
      sha256: sha256Hex(canonicalJson(manifest)),
    });
  }
  const yaml = objects.map((x) => stringify(x.manifest, { lineWidth: 0 })).join('---\n');
  const filter = sensorFilter(o.kind, pin, values);
  return {
    kind: o.kind,
    namespace,
    labels,
    selector,
    objects,
    yaml,
    sha256: sha256Hex(canonicalJson(objects.map((x) => ({ kind: x.kind, name: x.name, namespace: x.namespace, sha256: x.sha256 })))),
    filter,
    filter_sha256: sha256Hex(canonicalJson(filter)),
    pin,
  };
}

function sensorFilter(kind: SensorKind, pin: SensorPin, v: Record<string, unknown>): SensorFilter {
  const common = { kind, sensor_version: pin.version, image: imageRef(pin), namespaces: 'all' as const, host_processes: true };
  if (kind === 'tetragon') {
    const policy = String(v['policy']);
    return {
      filter_id: 'podtrail-tetragon-tcp-connect/v1',
      ...common,
      alerts_every_outbound_connect: true,
      alerts_every_exec: true,
      kubernetes_fields_from: 'the Tetragon agent (enable-k8s-api: pods of its node from the API server; pod.uid from v1.6)',
      details: {
        export_allowlist: TETRAGON_ALLOWLIST,
        export_denylist: TETRAGON_DENYLIST,
        export_rate_limit: -1,
        tracing_policies: [{ file: 'podtrail-tcp-connect.yaml', loaded_by: '--tracing-policy-dir (ConfigMap)', sha256: sha256Hex(policy), text: policy }],
        tracing_policy_crd: false,
        what_is_seen: 'every process_exec and process_exit, and a process_kprobe for every tcp_connect (IPv4 and IPv6), of every namespace and of host processes; UDP is not seen',
      },
    };
  }
  const rules = String(v['rules']);
  const config = String(v['falco_config']);
  return {
    filter_id: 'podtrail-falco-outbound-connect/v1',
    ...common,
    alerts_every_outbound_connect: true,
    alerts_every_exec: true,
    kubernetes_fields_from: 'the container runtime, through the container plugin 0.7.1 bundled in the image (CRI labels); no k8smeta plugin, so no service account in the events',
    details: {
      rules: [{ file: 'podtrail_rules.yaml', sha256: sha256Hex(rules), rules: ['podtrail outbound connect', 'podtrail process exec'], text: rules }],
      default_rules: 'falco_rules.yaml of falco-rules-5.1.0, bundled in the pinned image',
      rule_matching: 'all',
      config: { file: 'zz-podtrail.yaml', sha256: sha256Hex(config) },
      driver: 'modern_ebpf',
      what_is_seen: 'every connect() to a non-loopback IPv4/IPv6 address (TCP and UDP) and every successful exec, of every container and host process',
    },
  };
}

const PLACEHOLDER = /\$\{([a-z_]+)\}/g;

function fill(v: unknown, values: Record<string, unknown>, file: string): unknown {
  if (typeof v === 'string') {
    const whole = /^\$\{([a-z_]+)\}$/.exec(v);
    if (whole) {
      if (!(whole[1]! in values)) throw new Error(`${file}: unknown value \${${whole[1]}}`);
      return structuredClone(values[whole[1]!]);
    }
    return v.replace(PLACEHOLDER, (_, name: string) => {
      const x = values[name];
      if (typeof x !== 'string') throw new Error(`${file}: \${${name}} cannot be part of a string`);
      return x;
    });
  }
  if (Array.isArray(v)) return v.map((x) => fill(x, values, file));
  if (v !== null && typeof v === 'object') {
    return Object.fromEntries(Object.entries(v as Obj).map(([k, x]) => [fill(k, values, file) as string, fill(x, values, file)]));
  }
  return v;
}

/** The events container and DaemonSet name of a kind podtrail deploys. */
export { LAYOUT };
