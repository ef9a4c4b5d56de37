/**
 * Scores podtrail's outputs against a generated scenario's truth.json (pure: rows in, numbers out).
 * Definitions (docs/accuracy.md):
 *   precision   share of proven and strong attributions whose pod is the pod that really made the
 *               call (a call no pod made counts as wrong when attributed proven or strong)
 *   ambiguous ok  share of ambiguous attributions of pod-made calls whose candidates hold the true pod
 *   recall      share of the pod-made calls in the lake that got a correct proven or strong answer
 *   recall of decidable calls  the same over the pod-made calls truth.json marks decidable (the
 *               evidence the generator wrote decides them), overall, per attribution path and per
 *               property of the world the call has (relay, nat-public, ...)
 */
export interface TruthCloudEvent {
  event_id: string;
  made_by_pod_uid: string | null;
  path: string;
  why_not_pod: string | null;
  logged: boolean;
  decidable?: boolean | null;
  decidable_by?: string | null;
  undecidable_why?: string | null;
  properties?: string[];
}

/** Decidable pod-made calls and how many got the right proven or strong answer. */
export interface RecallCell {
  decidable: number;
  recalled: number;
}

export interface TruthKubeRequest {
  audit_id: string;
  pod_uid: string | null;
  bound_pod_uid: string;
  off_pod: boolean;
}

export interface AttributionRow {
  event_id: string;
  confidence: string;
  pod_uid: string | null;
  candidates: { pod_uid: string }[];
}

export interface KubeAttributionRow {
  audit_id: string;
  pod_uid: string | null;
  off_pod: boolean | null;
}

export interface CloudScore {
  attributions: number;
  byConfidence: Record<string, number>;
  provenStrong: number;
  provenStrongCorrect: number;
  precision: number | null;
  ambiguousPodMade: number;
  ambiguousContainingTruth: number;
  ambiguousOk: number | null;
  podMade: number;
  recalled: number;
  recall: number | null;
  notPodMadeProvenStrong: number;
  missingAttributions: number;
  decidable: number;
  decidableRecalled: number;
  recallDecidable: number | null;
  byPath: Record<string, RecallCell>;
  byProperty: Record<string, RecallCell>;
  /** Decidable calls missed, by what truth says decides them (for diagnosis). */
  missedBy: Record<string, number>;
  wrong: { event_id: string; confidence: string; pod_uid: string | null; truth: string | null }[];
}

const ratio = (a: number, b: number): number | null => (b === 0 ? null : a / b);

export function scoreCloud(truth: TruthCloudEvent[], rows: AttributionRow[]): CloudScore {
  const byId = new Map(truth.map((t) => [t.event_id, t]));
  const seen = new Set<string>();
  const s: CloudScore = {
    attributions: rows.length,
    byConfidence: { proven: 0, strong: 0, ambiguous: 0, unattributed: 0 },
    provenStrong: 0,
    provenStrongCorrect: 0,
    precision: null,
    ambiguousPodMade: 0,
    ambiguousContainingTruth: 0,
    ambiguousOk: null,
    podMade: 0,
    recalled: 0,
    recall: null,
    notPodMadeProvenStrong: 0,
    missingAttributions: 0,
    decidable: 0,
    decidableRecalled: 0,
    recallDecidable: null,
    byPath: {},
    byProperty: {},
    missedBy: {},
    wrong: [],
  };
  const cell = (m: Record<string, RecallCell>, k: string): RecallCell => (m[k] ??= { decidable: 0, recalled: 0 });
  for (const r of rows) {
    const t = byId.get(r.event_id);
    seen.add(r.event_id);
    s.byConfidence[r.confidence] = (s.byConfidence[r.confidence] ?? 0) + 1;
    if (!t) continue;
    const truePod = t.made_by_pod_uid;
    if (r.confidence === 'proven' || r.confidence === 'strong') {
      s.provenStrong++;
      if (truePod !== null && r.pod_uid === truePod) s.provenStrongCorrect++;
      else s.wrong.push({ event_id: r.event_id, confidence: r.confidence, pod_uid: r.pod_uid, truth: truePod });
      if (truePod === null) s.notPodMadeProvenStrong++;
    }
    if (r.confidence === 'ambiguous' && truePod !== null) {
      s.ambiguousPodMade++;
      if (r.candidates.some((c) => c.pod_uid === truePod)) s.ambiguousContainingTruth++;
      else s.wrong.push({ event_id: r.event_id, confidence: r.confidence, pod_uid: null, truth: truePod });
    }
    if (truePod !== null) {
      s.podMade++;
      const right = (r.confidence === 'proven' || r.confidence === 'strong') && r.pod_uid === truePod;
      if (right) s.recalled++;
      if (t.decidable) {
        s.decidable++;
        if (right) s.decidableRecalled++;
        else s.missedBy[t.decidable_by ?? '?'] = (s.missedBy[t.decidable_by ?? '?'] ?? 0) + 1;
        const add = (c: RecallCell): void => {
          c.decidable++;
          if (right) c.recalled++;
        };
        add(cell(s.byPath, t.path));
        for (const p of t.properties ?? ['plain']) add(cell(s.byProperty, p));
      }
    }
  }
  s.precision = ratio(s.provenStrongCorrect, s.provenStrong);
  s.ambiguousOk = ratio(s.ambiguousContainingTruth, s.ambiguousPodMade);
  s.recall = ratio(s.recalled, s.podMade);
  s.recallDecidable = ratio(s.decidableRecalled, s.decidable);
  return s;
}

export interface KubeScore {
  requests: number;
  attributed: number;
  podCorrect: number;
  offPodCorrect: number;
  offPodTruth: number;
}

/** Pod-token requests whose audit record landed in the lake (the others were outside the window or lost). */
export function scoreKube(truth: TruthKubeRequest[], rows: KubeAttributionRow[], landedAuditIds: ReadonlySet<string>): KubeScore {
  const byId = new Map(rows.map((r) => [r.audit_id, r]));
  const landed = truth.filter((t) => landedAuditIds.has(t.audit_id));
  const s: KubeScore = { requests: landed.length, attributed: 0, podCorrect: 0, offPodCorrect: 0, offPodTruth: 0 };
  for (const t of landed) {
    const r = byId.get(t.audit_id);
    if (t.off_pod) s.offPodTruth++;
    if (!r) continue;
    s.attributed++;
    if (r.pod_uid === t.bound_pod_uid) s.podCorrect++;
    if ((r.off_pod === true) === t.off_pod) s.offPodCorrect++;
  }
  return s;
}
