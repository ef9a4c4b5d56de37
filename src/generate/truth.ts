import { type Ns, isoSeconds } from './ns-time.js';
import { ChunkWriter } from './writer.js';

/**
 * truth.json, schema "podtrail.truth/v1": what really happened in a generated scenario.
 * Documented field by field in src/generate/README.md ("truth.json"). Arrays are sorted by their
 * key (event_id, audit_id, file+line, kind+source+node+from) so the file is byte-stable.
 */

export const TRUTH_SCHEMA = 'podtrail.truth/v1';

export type TruthPath = 'irsa' | 'pod-identity' | 'node-role' | 'static-key' | 'none';

export type WhyNotPod =
  | 'human-outside-cluster'
  | 'external-attacker'
  | 'aws-service'
  | 'node-host-process'
  | 'replayed-outside';

export interface CloudTruth {
  event_id: string;
  event_name: string;
  event_source: string;
  event_time: string;
  aws_region: string;
  made_by_pod_uid: string | null;
  path: TruthPath;
  why_not_pod: WhyNotPod | null;
  via: 'aws-service' | null;
  on_behalf_of_pod_uid: string | null;
  source_ip: string;
  runtime_evidence: boolean;
  /** The relay pod (proxy or egress gateway) the request left through, else null. */
  relay_pod_uid: string | null;
  incident: boolean;
  logged: boolean;
  sources: Array<'lookup' | 's3'>;
  not_logged_why: 'cloudtrail-hour-missing' | 'no-data-events' | null;
  /** Pod-made calls: whether the evidence written decides the pod (decidable.ts); null otherwise. */
  decidable?: boolean | null;
  /** What decides it: pod-identity-tag, source-ip, runtime-connect, relay-connect, aws-range-connect, single-pod, carry, inherit. */
  decidable_by?: string | null;
  /** Why it cannot be decided: no-runtime-evidence, no-sensor, competing-connect, competing-keepalive, candidate-unobserved, not-logged, ... */
  undecidable_why?: string | null;
  /** The world's properties the call has: relay, nat-public, ... (plain when none). */
  properties?: string[];
}

export interface KubeTruth {
  audit_id: string;
  bound_pod_uid: string;
  pod_uid: string | null;
  off_pod: boolean;
  source_ip: string;
  incident: boolean;
}

export interface GapTruth {
  kind: 'audit-silence' | 'no-sensor' | 'clock-offset' | 'cloudtrail-hour-missing' | 'retention-before-window' | 'no-data-events';
  source: 'kube-audit' | 'tetragon' | 'falco' | 'cloudtrail';
  node: string | null;
  region: string | null;
  from: string;
  to: string;
  offset_seconds: number | null;
}

export interface MalformedTruth {
  file: string;
  line: number;
  why: string;
}

export interface IncidentTruth {
  play: string;
  summary: string;
  pod_uid: string;
  pod_name: string;
  namespace: string;
  service_account: string;
  node: string;
  human: string | null;
  path: TruthPath;
  started_at: string;
  ended_at: string;
  cloud_event_ids: string[];
  audit_ids: string[];
  attacker_ips: string[];
}

export class TruthBuilder {
  private readonly cloud: CloudTruth[] = [];
  private readonly kube: KubeTruth[] = [];
  readonly gaps: GapTruth[] = [];
  readonly clockOffsets: Record<string, number> = {};
  readonly malformed: MalformedTruth[] = [];
  readonly incidents: IncidentTruth[] = [];
  private readonly incidentByPlay = new Map<string, IncidentTruth>();

  addCloud(c: CloudTruth, play: string | null): void {
    this.cloud.push(c);
    if (play) this.incidentByPlay.get(play)?.cloud_event_ids.push(c.event_id);
  }

  addKube(k: KubeTruth, play: string | null): void {
    this.kube.push(k);
    if (play) this.incidentByPlay.get(play)?.audit_ids.push(k.audit_id);
  }

  /** Incident audit ids that are not pod-token requests (the human's exec). */
  addIncidentAudit(play: string, auditId: string): void {
    this.incidentByPlay.get(play)?.audit_ids.push(auditId);
  }

  addIncident(i: IncidentTruth): void {
    this.incidents.push(i);
    this.incidentByPlay.set(i.play, i);
  }

  incident(play: string): IncidentTruth | undefined {
    return this.incidentByPlay.get(play);
  }

  gap(kind: GapTruth['kind'], source: GapTruth['source'], from: Ns, to: Ns, extra: Partial<GapTruth> = {}): void {
    this.gaps.push({ kind, source, node: null, region: null, from: isoSeconds(from), to: isoSeconds(to), offset_seconds: null, ...extra });
  }

  get cloudCount(): number {
    return this.cloud.length;
  }

  get kubeCount(): number {
    return this.kube.length;
  }

  cloudEvents(): readonly CloudTruth[] {
    return this.cloud;
  }

  /** Writes truth.json; big arrays go one entry per line so the file streams and diffs well. */
  write(root: string, header: Record<string, unknown>, counts: Record<string, unknown>): void {
    const cmp = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);
    this.cloud.sort((a, b) => cmp(a.event_id, b.event_id));
    this.kube.sort((a, b) => cmp(a.audit_id, b.audit_id));
    this.gaps.sort((a, b) => cmp(`${a.kind}|${a.source}|${a.node ?? ''}|${a.from}`, `${b.kind}|${b.source}|${b.node ?? ''}|${b.from}`));
    this.malformed.sort((a, b) => cmp(a.file, b.file) || a.line - b.line);
    for (const i of this.incidents) {
      i.cloud_event_ids.sort(cmp);
      i.audit_ids = [...new Set(i.audit_ids)].sort(cmp);
    }
    const offsets: Record<string, number> = {};
    for (const k of Object.keys(this.clockOffsets).sort()) offsets[k] = this.clockOffsets[k] as number;
    const out = new ChunkWriter(root, 'truth.json');
    const array = (key: string, items: readonly unknown[], last = false): void => {
      const end = last ? '' : ',';
      if (items.length === 0) {
        out.line(`  ${JSON.stringify(key)}: []${end}`);
        return;
      }
      out.line(`  ${JSON.stringify(key)}: [`);
      items.forEach((x, i) => out.line(`    ${JSON.stringify(x)}${i < items.length - 1 ? ',' : ''}`));
      out.line(`  ]${end}`);
    };
    out.line('{');
    for (const [k, v] of Object.entries(header)) out.line(`  ${JSON.stringify(k)}: ${JSON.stringify(v)},`);
    out.line(`  "incident": ${JSON.stringify(this.incidents[0] ?? null)},`);
    array('incidents', this.incidents);
    out.line(`  "clock_offsets": ${JSON.stringify(offsets)},`);
    array('gaps', this.gaps);
    array('malformed', this.malformed);
    out.line(`  "counts": ${JSON.stringify(counts)},`);
    array('kube_requests', this.kube);
    array('cloud_events', this.cloud, true);
    out.line('}');
    out.close();
  }
}

