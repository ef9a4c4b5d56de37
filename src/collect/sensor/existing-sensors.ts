import { request, type SensorContext } from './sensor-context.js';
import { SENSOR_SIGNS, SENSOR_KINDS, type SensorKind } from './sensor-kind.js';

type Obj = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

/** A Tetragon or Falco found running on the cluster, with its pods. */
export interface ExistingSensor {
  kind: SensorKind;
  namespace: string;
  name: string;
  /** podtrail's own deployment id, when podtrail deployed it. */
  deployment: string | null;
  pods: { name: string; node: string | null }[];
}

/** Which sensor a DaemonSet runs, from its container images and its app name label. */
export function sensorOf(ds: Obj): SensorKind | null {
  const spec = ds?.spec?.template?.spec ?? {};
  const images: string[] = [...(spec.containers ?? []), ...(spec.initContainers ?? [])].map((c: Obj) => String(c.image ?? ''));
  const names = [ds?.metadata?.labels?.['app.kubernetes.io/name'], ds?.metadata?.labels?.['app'], ds?.metadata?.name].filter((x): x is string => typeof x === 'string');
  for (const kind of SENSOR_KINDS) {
    const s = SENSOR_SIGNS[kind];
    if (images.some((i) => s.images.test(i)) || names.some((n) => s.names.test(n))) return kind;
  }
  return null;
}

function selectorOf(ds: Obj): string | undefined {
  const m = ds?.spec?.selector?.matchLabels as Record<string, string> | undefined;
  if (!m || Object.keys(m).length === 0) return undefined;
  return Object.entries(m).sort(([a], [b]) => (a < b ? -1 : 1)).map(([k, v]) => `${k}=${v}`).join(',');
}

/**
 * Every Tetragon or Falco DaemonSet of the cluster (all namespaces), and its pods. A sensor run
 * outside Kubernetes (systemd on the nodes) or as static pods is not seen here (docs/sensor.md).
 */
export async function findSensors(ctx: SensorContext): Promise<ExistingSensor[]> {
  const list = await request(ctx, { resource: 'daemonsets', verb: 'list', keepAs: 'preflight-daemonsets.json', message: (r) => `${r.items.length} DaemonSets` }, () => ctx.objects.list('DaemonSet', undefined, ctx.signal));
  const out: ExistingSensor[] = [];
  for (const ds of list.items as Obj[]) {
    const kind = sensorOf(ds);
    if (!kind) continue;
    const namespace = String(ds.metadata?.namespace ?? '');
    const pods = await request(ctx, { resource: 'pods', verb: 'list', message: (r) => `${r.items.length} pods of ${namespace}/${ds.metadata?.name}` }, () =>
      ctx.objects.listPods(namespace, selectorOf(ds), ctx.signal),
    );
    out.push({
      kind,
      namespace,
      name: String(ds.metadata?.name ?? ''),
      deployment: (ds.metadata?.labels?.['podtrail.io/deployment'] as string | undefined) ?? null,
      pods: (pods.items as Obj[]).map((p) => ({ name: String(p.metadata?.name ?? ''), node: (p.spec?.nodeName as string | undefined) ?? null })).sort((a, b) => (a.name < b.name ? -1 : 1)),
    });
  }
  return out.sort((a, b) => (`${a.namespace}/${a.name}` < `${b.namespace}/${b.name}` ? -1 : 1));
}

const TITLE: Record<SensorKind, string> = { tetragon: 'Tetragon', falco: 'Falco' };

/** The refusal: what runs, why a second sensor would clash, and the command that reads it instead. */
export function refusalMessage(found: ExistingSensor[], caseDir: string): string {
  const parts = found.map((s) => `${TITLE[s.kind]} DaemonSet ${s.namespace}/${s.name}${s.deployment ? ` (podtrail deployment ${s.deployment})` : ''}: ${s.pods.length === 0 ? 'no pods' : s.pods.map((p) => `${p.name}${p.node ? ` on ${p.node}` : ''}`).join(', ')}`);
  const first = found[0]!;
  const podArgs = first.pods.map((p) => `--pod ${first.namespace}/${p.name}`).join(' ') || `--pod ${first.namespace}/<pod>`;
  const own = found.filter((s) => s.deployment !== null);
  const how = own.length > 0 && own.length === found.length
    ? `it is podtrail's own: read it with \`podtrail sensor collect ${caseDir} --kind ${first.kind}\`, or remove it with \`podtrail sensor remove\` first`
    : `read the sensor that runs instead: \`podtrail sensor collect ${caseDir} --kind ${first.kind} ${podArgs}\` (its pods named, one --pod each)`;
  return `a runtime sensor already runs on this cluster: ${parts.join('; ')}. A second one would clash with it (BPF programs and pins under /sys/fs/bpf, host ports, the kernel's probe budget), so deploy refuses; ${how}`;
}
