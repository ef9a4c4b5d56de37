import type { Store } from '../store/store.js';
import { reportedOrigin, type EvidenceFileRow } from '../ingest/evidence-row.js';
import type { Finding as GapFinding } from '../case/validation-json.js';
import type { GapLine, InputLine, ReportModel, RoutineLine } from './model.js';
import { actorRef, type PodLabel } from './answer.js';
import { byteOrder, displayTs, list, n, s } from './format.js';
import { iso } from './sql-text.js';

export const MAX_ROUTINE = 60;

const TOTALS_SQL = `select confidence, path, count(*)::INTEGER as calls from attributions group by confidence, path order by confidence, path`;
const REASONS_SQL = `
select confidence, coalesce(reason, '') as reason, count(*)::INTEGER as calls from attributions
where confidence in ('ambiguous', 'unattributed')
group by confidence, reason
order by calls desc, confidence, reason
limit 20
`;
const KUBE_SQL = `select confidence, count(*)::INTEGER as requests from kube_attributions group by confidence order by confidence`;
interface RoutineRow {
  actor_kind: 'pod' | 'node' | 'outside';
  actor_id: string;
  workload: string | null;
  signals: number;
  signal_kinds: string[] | null;
  first_at: string | null;
  last_at: string | null;
}

const ROUTINE_SQL = `
select actor_kind, actor_id, workload, signals, signal_kinds, ${iso('first_at')} as first_at, ${iso('last_at')} as last_at
from rpt_routine_actors
order by workload, actor_kind, actor_id
limit ${MAX_ROUTINE}
`;

export async function attributionTotals(store: Store): Promise<Pick<ReportModel, 'attribution_totals' | 'attribution_reasons' | 'kube_totals'>> {
  const totals = await store.rows<{ confidence: string | null; path: string | null; calls: number }>(TOTALS_SQL);
  const reasons = await store.rows<{ confidence: string | null; reason: string; calls: number }>(REASONS_SQL);
  const kube = await store.rows<{ confidence: string | null; requests: number }>(KUBE_SQL);
  return {
    attribution_totals: totals.map((r) => ({ confidence: s(r.confidence), path: s(r.path), calls: n(r.calls) })),
    attribution_reasons: reasons.map((r) => ({ confidence: s(r.confidence), reason: s(r.reason), calls: n(r.calls) })),
    kube_totals: kube.map((r) => ({ confidence: s(r.confidence), requests: n(r.requests) })),
  };
}

/** Actors whose every signal is routine for their workload, named so nothing is hidden. */
export async function routineActors(store: Store, labels: (uids: string[]) => Promise<Map<string, PodLabel>>): Promise<RoutineLine[]> {
  const rows = await store.rows<RoutineRow>(ROUTINE_SQL);
  const names = await labels(rows.filter((r) => r.actor_kind === 'pod').map((r) => s(r.actor_id)));
  return rows.map((r) => ({
    ...actorRef(r.actor_kind, s(r.actor_id), names),
    workload: s(r.workload),
    signals: n(r.signals),
    kinds: list(r.signal_kinds),
    first_at: displayTs(r.first_at),
    last_at: displayTs(r.last_at),
  }));
}

export function inputLines(catalog: readonly EvidenceFileRow[]): Pick<ReportModel, 'inputs' | 'input_totals' | 'sources'> {
  const bySource = new Map<string, { files: number; records_landed: number }>();
  for (const r of catalog) {
    const k = r.source_type ?? 'refused';
    const e = bySource.get(k) ?? { files: 0, records_landed: 0 };
    e.files++;
    e.records_landed += Number(r.records_landed);
    bySource.set(k, e);
  }
  return {
    inputs: catalog.map((r): InputLine => ({
      evidence_file_id: r.evidence_file_id,
      origin: reportedOrigin(r.origin),
      source: r.source_type ?? 'refused',
      status: r.status,
      sha256: r.sha256,
      size_bytes: Number(r.size_bytes),
      acquired_at: displayTs(r.acquired_at),
      operator: r.operator,
    })),
    input_totals: {
      files: catalog.length,
      landed: catalog.filter((r) => r.status === 'landed').length,
      refused: catalog.filter((r) => r.status === 'refused').length,
      records_landed: catalog.reduce((a, r) => a + Number(r.records_landed), 0),
      bytes: catalog.reduce((a, r) => a + Number(r.size_bytes), 0),
    },
    sources: [...bySource.entries()].sort(([a], [b]) => byteOrder(a, b)).map(([source, v]) => ({ source, ...v })),
  };
}

export function gapLines(gaps: readonly GapFinding[]): GapLine[] {
  return gaps.map((g) => ({
    check_id: g.check_id,
    kind: g.kind,
    finding_id: g.finding_id,
    message: g.message,
    interval: g.interval_from && g.interval_to ? `${displayTs(g.interval_from)} .. ${displayTs(g.interval_to)}` : '',
    where: [g.source, g.node_name, g.region].filter(Boolean).join(' '),
    weakens: g.weakens.length,
  }));
}
