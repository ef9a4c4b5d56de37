import type { Store } from '../store/store.js';
import type { CaseConfig } from '../case/case-config.js';
import type { EvidenceFileRow } from '../ingest/evidence-row.js';
import type { Finding as GapFinding, SignatureStatus } from '../case/validation-json.js';
import type { ActorFinding, ReportModel } from './model.js';
import { buildAnswer, podLabels, rankedActors } from './answer.js';
import { actorSection, MAX_DETAILED } from './actor-section.js';
import { buildSvgTimeline } from './svg-timeline.js';
import { buildAttackPaths } from './attack-path.js';
import { attributionTotals, gapLines, inputLines, routineActors } from './totals.js';
import { displayTs } from './format.js';
import { shadowViewFor, shadowViews } from '../store/materialize.js';

/** The report views every builder reads, computed once per report (sql/60_report). */
export const REPORT_VIEWS = ['rpt_calls', 'rpt_credential_misuse', 'rpt_signals', 'rpt_findings', 'rpt_routine_actors'] as const;

export interface ReportInputs {
  config: CaseConfig;
  catalog: readonly EvidenceFileRow[];
  findings: readonly GapFinding[];
  signature: SignatureStatus;
  tool: string;
  custody: { entries: number; head: string };
  timelineEvents: number;
}

/**
 * Reads everything the report states from the case store, in six steps: compute the report views
 * once, rank the actors
 * (rpt_findings), write the answer's line for each, build the detailed sections of the first ones,
 * draw their timeline and attack paths, and add the totals, gaps and inputs.
 */
export async function buildReportModel(store: Store, o: ReportInputs): Promise<ReportModel> {
  const gaps = o.findings.filter((f) => f.status === 'gap');
  await shadowViews(store, REPORT_VIEWS);
  const { ranked, total } = await rankedActors(store);
  const labels = await podLabels(store, ranked.filter((a) => a.actor_kind === 'pod').map((a) => a.actor_id));
  const answer = await buildAnswer(store, ranked, labels, gaps, MAX_DETAILED);
  const detailed = ranked.slice(0, MAX_DETAILED);
  // the runtime rows of the detailed pods, in one scan of the runtime events (the sections read only these)
  await shadowViewFor(store, 'rpt_pod_runtime', 'pod_uid', detailed.filter((a) => a.actor_kind === 'pod').map((a) => a.actor_id));
  const findings: ActorFinding[] = [];
  for (const a of detailed) findings.push(await actorSection(store, a, labels, gaps));
  const svg = await buildSvgTimeline(store, findings, { first: detailed.map((a) => a.first_at), last: detailed.map((a) => a.last_at) }, gaps);
  const attackPaths = buildAttackPaths(findings);
  const routine = await routineActors(store, (uids) => podLabels(store, uids));
  const sig = o.signature;
  return {
    case_id: o.config.case_id,
    window_from: displayTs(o.config.window.from),
    window_to: displayTs(o.config.window.to),
    window_reason: o.config.window.reason,
    margin_seconds: o.config.window.margin_seconds,
    namespaces: o.config.scope.namespaces,
    all_namespaces: o.config.scope.namespaces.length === 0,
    tool: o.tool,
    signed: sig.status === 'signed',
    keyid: sig.status === 'signed' ? sig.keyid : '',
    ...inputLines(o.catalog),
    ...(await attributionTotals(store)),
    answer,
    has_answer: answer.length > 0,
    answer_total: total,
    answer_omitted: Math.max(0, total - answer.length),
    findings,
    routine,
    has_routine: routine.length > 0,
    svg,
    attack_paths: attackPaths,
    has_attack_paths: attackPaths.length > 0,
    gaps: gapLines(gaps),
    has_gaps: gaps.length > 0,
    gap_findings_total: o.findings.length,
    custody_entries: o.custody.entries,
    custody_head: o.custody.head,
    timeline_events: o.timelineEvents,
  };
}
