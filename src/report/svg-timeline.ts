import type { Store } from '../store/store.js';
import type { Finding as GapFinding } from '../case/validation-json.js';
import type { ActorFinding, SvgGap, SvgLane, SvgMark, SvgTimeline } from './model.js';
import { byteOrder, clockTs, displayTs, epochMs, isoOfMs, n, s, shortenMiddle } from './format.js';
import { iso } from './sql-text.js';

/** Geometry of the swimlane timeline, in viewBox units (the SVG scales to the page width). */
export const SVG = { width: 1000, labelWidth: 250, plotX0: 262, plotX1: 988, axisHeight: 28, laneHeight: 24, gapTop: 6, gapHeight: 16, bottom: 6 } as const;
/** Checks whose gaps are holes in time (the others, bindings and rejects, concern the whole window). */
const TIMED_CHECKS = new Set(['continuity', 'coverage', 'cloudtrail-files', 'clock', 'sensor-coverage']);
export const MAX_LANES = 20;
export const MAX_MARKS = 300;
const MINUTE = 60_000;
const TICK_STEPS = [1, 2, 5, 10, 15, 30, 60, 120, 240, 480].map((m) => m * MINUTE);

/** A call mark (POD_, NODE_ and ADDRESS_CALLS_SQL). */
interface CallMarkRow {
  ts: string;
  event_id: string;
  call: string | null;
  target: string;
  confidence: string | null;
}

const POD_CALLS_SQL = `
select ${iso('ts')} as ts, event_id, call, coalesce(target, '') as target, confidence
from rpt_calls
where ts between $from::TIMESTAMP and $to::TIMESTAMP
    and ((pod_uid = $id and confidence in ('proven', 'strong'))
        or (confidence = 'ambiguous' and list_contains(candidate_uids, $id)
            and candidate_count <= 5))
order by ts, event_id
limit ${MAX_MARKS + 1}
`;

const NODE_CALLS_SQL = `
select ${iso('ts')} as ts, event_id, call, coalesce(target, '') as target, confidence
from rpt_calls
where ts between $from::TIMESTAMP and $to::TIMESTAMP
    and ((node_name = $id and pod_uid is null and not from_outside and coalesce(candidate_count, 0) = 0)
        or (confidence = 'ambiguous' and list_contains(candidate_uids, 'host:' || $id) and candidate_count <= 5))
order by ts, event_id
limit ${MAX_MARKS + 1}
`;

const ADDRESS_CALLS_SQL = `
select ${iso('ts')} as ts, event_id, call, coalesce(target, '') as target, confidence
from rpt_calls
where ts between $from::TIMESTAMP and $to::TIMESTAMP and source_ip = $id
order by ts, event_id
limit ${MAX_MARKS + 1}
`;

/** A signal mark (SIGNAL_MARKS_SQL, or a person's entry into a pod). */
interface SignalMarkRow {
  ts: string;
  signal: string | null;
  detail: string | null;
  ref: string | null;
}

// signals that are not a call of this lane: entries, token use, credential reads, outside connects, outside use of its credentials
const SIGNAL_MARKS_SQL = `
select ${iso('ts')} as ts, signal, detail, ref
from rpt_signals
where actor_kind = $kind and actor_id = $id and not routine
    and ts between $from::TIMESTAMP and $to::TIMESTAMP
    and (ref_source <> 'cloud' or (signal = 'credential-used-outside' and actor_kind <> 'outside'))
order by ts, signal, ref
limit ${MAX_MARKS}
`;

interface HumanEntryRow {
  user_name: string | null;
  ts: string;
  action: string | null;
  command: string;
  pod: string | null;
  row_id: string;
}

const HUMANS_SQL = `
select user_name, ${iso('ts')} as ts, action, coalesce(command, '') as command, namespace || '/' || pod_name as pod, row_id
from pod_human_actions
where list_contains($uids, pod_uid) and action in ('exec', 'attach', 'portforward', 'ephemeralcontainers')
order by user_name, ts, audit_id
`;

interface OffsetRow {
  node_name: string;
  offset_seconds: number;
  method: string | null;
}

const OFFSETS_SQL = `
select node_name, offset_seconds, method from node_clock_offsets
where list_contains($nodes, node_name) and offset_seconds is not null and abs(offset_seconds) >= 1
`;

const CALL_CLASSES: Record<string, string> = { proven: 'mark-proven', strong: 'mark-strong', ambiguous: 'mark-ambiguous', unattributed: 'mark-unattributed' };

interface LanePlan {
  kind: 'pod' | 'node' | 'human' | 'outside';
  id: string;
  label: string;
  title: string;
  node: string | null;
}

/**
 * The lanes, in this priority: the actors of the findings (rank order), the people who entered
 * those pods, then the nodes of those pods and node findings. Drawn grouped by kind.
 */
async function planLanes(store: Store, findings: readonly ActorFinding[]): Promise<{ lanes: LanePlan[]; humans: HumanEntryRow[] }> {
  const pods = findings.filter((f) => f.is_pod);
  const humans = await store.rows<HumanEntryRow>(HUMANS_SQL, { uids: pods.map((f) => f.actor_id) });
  const people = [...new Set(humans.map((h) => s(h.user_name)))].sort(byteOrder);
  const nodes = [...new Set(pods.map((f) => f.pod?.node ?? '').filter(Boolean))].sort(byteOrder);
  const own = findings.map((f): LanePlan => {
    if (f.is_pod) return { kind: 'pod', id: f.actor_id, label: f.pod?.name || f.label, title: `pod ${f.label} (UID ${f.actor_id}) on ${f.pod?.node ?? '?'}`, node: f.pod?.node ?? null };
    if (f.is_node) return { kind: 'node', id: f.actor_id, label: f.actor_id.split('.')[0]!, title: `node ${f.actor_id} (its host processes)`, node: f.actor_id };
    return { kind: 'outside', id: f.actor_id, label: f.actor_id, title: `address ${f.actor_id}, outside the cluster`, node: null };
  });
  const lanes: LanePlan[] = [
    ...own,
    ...people.map((id): LanePlan => ({ kind: 'human', id, label: id, title: `person ${id} (Kubernetes audit)`, node: null })),
    ...nodes.filter((id) => !own.some((l) => l.kind === 'node' && l.id === id)).map((id): LanePlan => ({ kind: 'node', id, label: id.split('.')[0]!, title: `node ${id} (its host processes)`, node: id })),
  ];
  return { lanes, humans };
}

const KIND_ORDER: Record<LanePlan['kind'], number> = { pod: 0, node: 1, human: 2, outside: 3 };

/** The axis: 5 minutes before the first finding's first signal to 15 minutes after the last one's last, on whole minutes. */
function axisOf(findings: readonly ActorFinding[], first: readonly string[], last: readonly string[]): { from: number; to: number } {
  void findings;
  const lo = Math.min(...first.map(epochMs));
  const hi = Math.max(...last.map(epochMs));
  return { from: Math.floor((lo - 5 * MINUTE) / MINUTE) * MINUTE, to: Math.ceil((hi + 15 * MINUTE) / MINUTE) * MINUTE };
}

const round1 = (x: number): number => Math.round(x * 10) / 10;

/** Builds the swimlane timeline of the detailed findings: one lane per actor, its calls and signals as marks, gaps shaded. */
export async function buildSvgTimeline(store: Store, findings: readonly ActorFinding[], spans: { first: string[]; last: string[] }, gaps: readonly GapFinding[]): Promise<SvgTimeline> {
  const empty: SvgTimeline = { present: false, width: SVG.width, height: 0, plot_x0: SVG.plotX0, plot_x1: SVG.plotX1, axis_from: '', axis_to: '', ticks: [], lanes: [], gap_lanes: [], gaps: [], shades: [], lanes_omitted: 0 };
  if (findings.length === 0) return empty;
  const axis = axisOf(findings, spans.first, spans.last);
  const x = (ms: number): number => round1(SVG.plotX0 + ((ms - axis.from) / (axis.to - axis.from)) * (SVG.plotX1 - SVG.plotX0));
  const range = { from: isoOfMs(axis.from), to: isoOfMs(axis.to) };
  const plan = await planLanes(store, findings);
  const offsets = new Map((await store.rows<OffsetRow>(OFFSETS_SQL, { nodes: plan.lanes.map((l) => l.node ?? '').filter(Boolean) })).map((r) => [s(r.node_name), r]));
  const built: { plan: LanePlan; marks: Omit<SvgMark, 'y' | 'top'>[]; omitted: number }[] = [];
  for (const l of plan.lanes) {
    const marks: Omit<SvgMark, 'y' | 'top'>[] = [];
    const calls = l.kind === 'human' ? [] : await store.rows<CallMarkRow>(l.kind === 'pod' ? POD_CALLS_SQL : l.kind === 'node' ? NODE_CALLS_SQL : ADDRESS_CALLS_SQL, { id: l.id, ...range });
    for (const c of calls.slice(0, MAX_MARKS)) {
      const conf = s(c.confidence);
      const cx = x(epochMs(s(c.ts)));
      marks.push({ x: cx, left: round1(cx - 1.5), mark_class: CALL_CLASSES[conf] ?? 'mark-unattributed', is_call: true, title: `${clockTs(c.ts).time} ${s(c.call)}${c.target ? ` ${s(c.target)}` : ''}: ${conf} (event ${s(c.event_id)})` });
    }
    const signals: SignalMarkRow[] = l.kind === 'human'
      ? plan.humans.filter((h) => s(h.user_name) === l.id && s(h.ts) >= range.from && s(h.ts) <= range.to).map((h) => ({ ts: h.ts, signal: 'human-entry', detail: `${s(h.action)} ${s(h.command)} in ${s(h.pod)}`, ref: h.row_id }))
      : await store.rows<SignalMarkRow>(SIGNAL_MARKS_SQL, { kind: l.kind, id: l.id, ...range });
    for (const g of signals) {
      const gx = x(epochMs(s(g.ts)));
      marks.push({ x: gx, left: round1(gx - 1.5), mark_class: `sig-${s(g.signal)}`, is_call: false, title: `${clockTs(g.ts).time} ${s(g.signal)}: ${s(g.detail)} (${s(g.ref)})` });
    }
    built.push({ plan: l, marks, omitted: Math.max(0, calls.length - MAX_MARKS) });
  }
  const kept = built.slice(0, MAX_LANES).map((b, i) => ({ ...b, priority: i })).sort((a, b) => KIND_ORDER[a.plan.kind] - KIND_ORDER[b.plan.kind] || a.priority - b.priority);
  const planned = kept.map((k) => k.plan);
  const lanes: SvgLane[] = kept.map((k, i) => {
    const y = SVG.axisHeight + i * SVG.laneHeight;
    const mid = y + SVG.laneHeight / 2;
    const off = k.plan.node ? offsets.get(k.plan.node) : undefined;
    const offset = off ? n(off.offset_seconds) : 0;
    return {
      y,
      height: SVG.laneHeight,
      mid,
      kind: k.plan.kind,
      label: shortenMiddle(k.plan.label, 38),
      label_y: off ? mid - 4 : mid,
      title: k.plan.title,
      lane_class: `lane-${k.plan.kind}`,
      offset_note: off ? `clock ${offset > 0 ? '+' : ''}${offset.toFixed(1)} s (${s(off.method)}; applied)` : '',
      has_offset: Boolean(off),
      marks: k.marks.map((m) => ({ ...m, y: mid, top: mid - 7 })),
      marks_omitted: k.omitted,
    };
  });
  const laneBottom = SVG.axisHeight + lanes.length * SVG.laneHeight;
  const timed = gaps.filter((g) => g.interval_from && g.interval_to && TIMED_CHECKS.has(g.check_id) && epochMs(g.interval_from) < axis.to && epochMs(g.interval_to) > axis.from);
  const streamOf = (g: GapFinding): string => [g.source ?? 'evidence', g.node_name ? g.node_name.split('.')[0] : ''].filter(Boolean).join(' ');
  const streams = [...new Set(timed.map(streamOf))].sort(byteOrder);
  const gapLanes = streams.map((label, i) => {
    const y = laneBottom + SVG.gapTop + i * SVG.gapHeight;
    return { y, height: SVG.gapHeight, mid: y + SVG.gapHeight / 2, label: `gaps ${label}`, title: `declared gaps of ${label}` };
  });
  const shaded: SvgGap[] = [];
  const shades: SvgTimeline['shades'] = [];
  for (const g of timed) {
    const from = Math.max(epochMs(g.interval_from!), axis.from);
    const to = Math.min(epochMs(g.interval_to!), axis.to);
    const lane = gapLanes[streams.indexOf(streamOf(g))]!;
    const gx = x(from);
    const width = round1(x(to) - gx);
    shaded.push({ x: gx, y: lane.y + 2, width, height: lane.height - 4, title: `gap ${g.kind}: ${displayTs(g.interval_from)} to ${displayTs(g.interval_to)}${g.node_name ? ` on ${g.node_name}` : ''} (${g.finding_id})`, from: displayTs(g.interval_from), to: displayTs(g.interval_to), finding_id: g.finding_id });
    // over the actor lanes: a node's gap on that node's lanes; a stream-wide gap over all, unless it spans the whole axis
    if (g.node_name) for (const [i, l] of lanes.entries()) { if (planned[i]!.node === g.node_name) shades.push({ x: gx, y: l.y, width, height: l.height }); }
    else if (from > axis.from || to < axis.to) shades.push({ x: gx, y: SVG.axisHeight, width, height: laneBottom - SVG.axisHeight });
  }
  const bottom = laneBottom + (gapLanes.length ? SVG.gapTop + gapLanes.length * SVG.gapHeight : 0);
  const step = TICK_STEPS.find((t) => (axis.to - axis.from) / t <= 10) ?? TICK_STEPS[TICK_STEPS.length - 1]!;
  const ticks: SvgTimeline['ticks'] = [];
  for (let t = Math.ceil(axis.from / step) * step; t <= axis.to; t += step) ticks.push({ x: x(t), label: isoOfMs(t).slice(11, 16) });
  return {
    present: true,
    width: SVG.width,
    height: bottom + SVG.bottom,
    plot_x0: SVG.plotX0,
    plot_x1: SVG.plotX1,
    axis_from: range.from,
    axis_to: range.to,
    ticks,
    lanes,
    gap_lanes: gapLanes,
    gaps: shaded,
    shades,
    lanes_omitted: Math.max(0, built.length - kept.length),
  };
}
