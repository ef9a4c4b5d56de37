import { MAX_ANSWER } from '../report/answer.js';

/**
 * Does the report tell every incident? Pure: the report's ranked findings (rpt_findings) and the
 * incidents of truth.json in, one score out. An incident is told when its pod is a finding the
 * evidence names (not only as a candidate) within the answer's first MAX_ANSWER lines.
 */
export interface ReportFindingRow {
  rank: number;
  actor_kind: string;
  actor_id: string;
  named: boolean;
}

export interface TruthIncident {
  play: string;
  pod_uid: string;
}

export interface ReportScore {
  incidents: number;
  told: number;
  /** The rank of each incident's pod in the answer, in truth.json's order (null: not told). */
  ranks: (number | null)[];
  /** Findings that are no incident's pod (the rest of what a reader is shown). */
  others: number;
  failures: string[];
}

export function scoreReport(incidents: readonly TruthIncident[], findings: readonly ReportFindingRow[]): ReportScore {
  const byPod = new Map(findings.filter((f) => f.actor_kind === 'pod' && f.named && f.rank <= MAX_ANSWER).map((f) => [f.actor_id, f.rank]));
  const ranks = incidents.map((i) => byPod.get(i.pod_uid) ?? null);
  const failures = incidents.filter((_, k) => ranks[k] === null).map((i) => `the report does not name the pod of incident ${i.play} (${i.pod_uid})`);
  const incidentPods = new Set(incidents.map((i) => i.pod_uid));
  return {
    incidents: incidents.length,
    told: ranks.filter((r) => r !== null).length,
    ranks,
    others: findings.filter((f) => !(f.actor_kind === 'pod' && incidentPods.has(f.actor_id))).length,
    failures,
  };
}
