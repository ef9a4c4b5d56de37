import type { Store } from '../store/store.js';
import type { Finding as GapFinding } from '../case/validation-json.js';
import type { ActorFinding, CallLine, SignalLine } from './model.js';
import { actorRef, weakeningGaps, type PodLabel, type RankedActor } from './answer.js';
import { displayTs, epochMs, isoOfMs, n, s } from './format.js';
import { iso } from './sql-text.js';
import { callLine, humanActions, kubeLine, kubeRequests, MAX_CALLS, outsideUses, podIdentity, podSessions, requestText, type Span } from './pod-section.js';
import { buildTimeline, gapEntries, runtimeEntries, type TimelineEntry } from './text-timeline.js';
import type { CallRow, KubeRow } from './rows.js';

/** How far around an actor's signals its section reaches (before the first, after the last). */
export const SPAN_BEFORE_SECONDS = 5 * 60;
export const SPAN_AFTER_SECONDS = 15 * 60;
/** Detailed sections (the answer lists every finding). */
export const MAX_DETAILED = 10;
export const MAX_SIGNALS = 60;

interface SignalRow {
  ts: string;
  signal: string | null;
  tier: number | null;
  detail: string | null;
  confidence: string | null;
  as_candidate: boolean | null;
  routine: boolean | null;
  ref_source: string | null;
  ref: string | null;
  total: number;
}

const SIGNALS_SQL = `
select ${iso('ts')} as ts, signal, tier, detail, confidence, as_candidate, routine, ref_source, ref, (count(*) over ())::INTEGER as total
from rpt_signals
where actor_kind = $kind and actor_id = $id and not routine
order by ts, tier, signal, ref
limit ${MAX_SIGNALS}
`;

const ADDRESS_CALLS_SQL = `
select ${iso('ts')} as ts, event_id, call, coalesce(target, '') as target, confidence, rule_id, rule_version::INTEGER as rule_version,
    error_code, evidence::VARCHAR as evidence, false as as_candidate, coalesce(candidate_count, 0)::INTEGER as candidates
from rpt_calls
where source_ip = $id
order by ts, event_id
limit ${MAX_CALLS}
`;

const ADDRESS_KUBE_SQL = `
select ${iso('ts')} as ts, verb, resource, subresource, namespace, name, source_ip, off_pod, confidence, row_id, token_issued_row_id, pod_name
from kube_attributions
where source_ip = $id
order by ts, audit_id
limit ${MAX_CALLS}
`;

const HOST_CALLS_SQL = `
select ${iso('ts')} as ts, event_id, call, coalesce(target, '') as target, confidence, rule_id, rule_version::INTEGER as rule_version,
    error_code, evidence::VARCHAR as evidence, confidence = 'ambiguous' as as_candidate, coalesce(candidate_count, 0)::INTEGER as candidates
from rpt_calls
where ts between $span_from::TIMESTAMP and $span_to::TIMESTAMP
    and ((node_name = $id and pod_uid is null and not from_outside and coalesce(candidate_count, 0) = 0)
        or (confidence = 'ambiguous' and list_contains(candidate_uids, 'host:' || $id)))
order by ts, event_id
limit ${MAX_CALLS}
`;

function spanOf(a: RankedActor): Span {
  return {
    span_from: isoOfMs(epochMs(a.first_at) - SPAN_BEFORE_SECONDS * 1000),
    span_to: isoOfMs(epochMs(a.last_at) + SPAN_AFTER_SECONDS * 1000),
  };
}

async function signalLines(store: Store, a: RankedActor): Promise<{ lines: SignalLine[]; omitted: number; refs: string[] }> {
  const rows = await store.rows<SignalRow>(SIGNALS_SQL, { kind: a.actor_kind, id: a.actor_id });
  const total = rows.length > 0 ? n(rows[0]!.total) : 0;
  const lines = rows.map((r): SignalLine => ({
    ts: displayTs(r.ts),
    signal: s(r.signal),
    tier: n(r.tier),
    detail: s(r.detail),
    confidence: s(r.confidence),
    as_candidate: r.as_candidate === true,
    routine: r.routine === true,
    ref_source: s(r.ref_source),
    ref: s(r.ref),
  }));
  return { lines, omitted: Math.max(0, total - rows.length), refs: lines.map((l) => l.ref) };
}

function callEntry(c: CallRow, note = ''): TimelineEntry {
  const key = c.access_key_id ? `key ${s(c.access_key_id)}` : c.issued_access_key_id ? `issues key ${s(c.issued_access_key_id)}` : '';
  const how = c.as_candidate === true ? `ambiguous: a candidate of ${s(c.candidates)}` : s(c.confidence);
  return {
    iso: s(c.ts),
    source: 'cloudtrail',
    what: `${s(c.call)}${c.target ? ` ${s(c.target)}` : ''} ${s(c.error_code) || 'ok'} (${how}${key ? `, ${key}` : ''})${note}`,
    key: null,
    ids: [s(c.event_id)],
    gap: false,
    until: '',
  };
}

function inSpan(ts: string, span: Span): boolean {
  return ts >= span.span_from && ts <= span.span_to;
}

function emptySection(a: RankedActor, labels: Map<string, PodLabel>, span: Span): ActorFinding {
  return {
    ...actorRef(a.actor_kind, a.actor_id, labels),
    rank: a.rank,
    severity: a.severity,
    named: a.named,
    signals: [],
    signals_omitted: 0,
    span_from: displayTs(span.span_from),
    span_to: displayTs(span.span_to),
    pod: null,
    human_actions: [],
    has_human_actions: false,
    sessions: [],
    has_sessions: false,
    calls_in_span: 0,
    calls_total: 0,
    kube_requests: [],
    has_kube_requests: false,
    outside_uses: [],
    has_outside_uses: false,
    calls: [],
    has_calls: false,
    weakening_gaps: [],
    timeline: [],
    has_timeline: false,
    timeline_omitted: 0,
  };
}

/** A pod's section: identity, entries, sessions and calls, token use, outside use, timeline. */
async function podSection(store: Store, f: ActorFinding, a: RankedActor, span: Span, gaps: readonly GapFinding[]): Promise<void> {
  const pod = await podIdentity(store, a.actor_id);
  const calls = await podSessions(store, a.actor_id, span);
  pod.binding_cloud_ids = calls.cloudIds;
  const firstCall = calls.calls.find((c) => c.as_candidate !== true);
  const human = await humanActions(store, a.actor_id, firstCall ? s(firstCall.ts) : '');
  const kube = await kubeRequests(store, a.actor_id, span);
  const outside = await outsideUses(store, a.actor_id, pod.namespace, pod.service_account);
  const runtime = await runtimeEntries(store, a.actor_id, span);
  const entries: TimelineEntry[] = [...runtime.entries];
  for (const h of human.rows) {
    if (!inSpan(s(h.ts), span)) continue;
    entries.push({ iso: s(h.ts), source: 'kube-audit', what: `${s(h.user_name)} ${s(h.action)}${h.command ? ` ${s(h.command)}` : ''}`, key: null, ids: [s(h.row_id)], gap: false, until: '' });
  }
  for (const c of calls.calls) entries.push(callEntry(c));
  for (const k of kube.rows) {
    if (!inSpan(s(k.ts), span)) continue;
    entries.push({ iso: s(k.ts), source: 'kube-audit', what: `pod token: ${requestText(k)} from ${s(k.source_ip)}${k.off_pod === true ? ' (off-pod)' : ''}`, key: null, ids: [s(k.row_id)], gap: false, until: '' });
  }
  for (const o of outside.rows) {
    entries.push({ iso: s(o.ts), source: 'cloudtrail', what: `${s(o.call)}${o.target ? ` ${s(o.target)}` : ''} from ${s(o.source_ip)} with ${s(o.credential)} (outside the cluster${o.as_candidate === true ? '; its service account\'s credential' : ''})`, key: null, ids: [s(o.event_id)], gap: false, until: '' });
  }
  entries.push(...gapEntries(gaps, span.span_from, span.span_to, pod.node));
  const timeline = buildTimeline(entries, runtime.unread);
  const eventIds = new Set([...calls.calls.map((c) => s(c.event_id)), ...outside.lines.map((o) => o.event_id), ...f.signals.map((x) => x.ref)]);
  Object.assign(f, {
    pod,
    human_actions: human.lines,
    has_human_actions: human.lines.length > 0,
    sessions: calls.sessions,
    has_sessions: calls.sessions.length > 0,
    calls_in_span: calls.inSpan,
    calls_total: calls.total,
    kube_requests: kube.lines,
    has_kube_requests: kube.lines.length > 0,
    outside_uses: outside.lines,
    has_outside_uses: outside.lines.length > 0,
    weakening_gaps: [...new Set([...weakeningGaps(gaps, eventIds), ...gapEntries(gaps, span.span_from, span.span_to, pod.node).filter((g) => g.gap).map((g) => g.ids[0]!)])].sort(),
    timeline: timeline.lines,
    has_timeline: timeline.lines.length > 0,
    timeline_omitted: timeline.omitted,
  } satisfies Partial<ActorFinding>);
}

/** An outside address's or a node's section: what it called, the pod tokens it used, its timeline. */
async function otherSection(store: Store, f: ActorFinding, a: RankedActor, span: Span, gaps: readonly GapFinding[]): Promise<void> {
  const outside = a.actor_kind === 'outside';
  const rows = outside ? await store.rows<CallRow>(ADDRESS_CALLS_SQL, { id: a.actor_id }) : await store.rows<CallRow>(HOST_CALLS_SQL, { id: a.actor_id, ...span });
  const calls: CallLine[] = rows.map(callLine);
  const entries: TimelineEntry[] = rows.filter((c) => inSpan(s(c.ts), span)).map((c) => callEntry(c));
  if (outside) {
    const kube = await store.rows<KubeRow>(ADDRESS_KUBE_SQL, { id: a.actor_id });
    f.kube_requests = kube.map(kubeLine);
    f.has_kube_requests = f.kube_requests.length > 0;
    for (const k of kube) entries.push({ iso: s(k.ts), source: 'kube-audit', what: `${requestText(k)} with the token of pod ${s(k.pod_name)} (${s(k.confidence)})`, key: null, ids: [s(k.row_id)], gap: false, until: '' });
  }
  entries.push(...gapEntries(gaps, span.span_from, span.span_to, outside ? null : a.actor_id));
  const timeline = buildTimeline(entries, 0);
  f.calls = calls;
  f.has_calls = calls.length > 0;
  f.weakening_gaps = weakeningGaps(gaps, new Set([...calls.map((c) => c.event_id), ...f.signals.map((x) => x.ref)]));
  f.timeline = timeline.lines;
  f.has_timeline = timeline.lines.length > 0;
  f.timeline_omitted = timeline.omitted;
}

/** The detailed section of one ranked actor. */
export async function actorSection(store: Store, a: RankedActor, labels: Map<string, PodLabel>, gaps: readonly GapFinding[]): Promise<ActorFinding> {
  const span = spanOf(a);
  const f = emptySection(a, labels, span);
  const sig = await signalLines(store, a);
  f.signals = sig.lines;
  f.signals_omitted = sig.omitted;
  if (a.actor_kind === 'pod') await podSection(store, f, a, span, gaps);
  else await otherSection(store, f, a, span, gaps);
  return f;
}
