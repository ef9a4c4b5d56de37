import type { Store } from '../store/store.js';
import type { Finding as GapFinding } from '../case/validation-json.js';
import type { TimelineLine } from './model.js';
import { byteOrder, capIds, clockTs, s } from './format.js';
import { isoNs } from './sql-text.js';

/** Rows of a section's timeline; runtime rows read for it (before collapsing). */
export const MAX_TIMELINE = 400;
export const MAX_RUNTIME_ROWS = 5000;
/** Repeated runtime activity (same process and destination, or same command line) this often or more is one counted row. */
export const COLLAPSE_AT = 3;

interface RuntimeRow {
  ts: string;
  source: string;
  kind: string | null;
  binary: string | null;
  arguments: string | null;
  dst_ip: string | null;
  dst_port: number | null;
  row_id: string;
  total: number;
}

const RUNTIME_SQL = `
select ${isoNs('ts')} as ts, source, kind, "binary", arguments, dst_ip, dst_port, row_id, (count(*) over ())::INTEGER as total
from rpt_pod_runtime
where pod_uid = $uid and ts between $span_from::TIMESTAMP_NS and $span_to::TIMESTAMP_NS
order by ts, source, row_id
limit ${MAX_RUNTIME_ROWS}
`;

/** One event of a timeline before collapsing: its full-precision time, source, text, evidence. */
export interface TimelineEntry {
  iso: string;
  source: string;
  what: string;
  /** Runtime activity that may be collapsed with its repeats; null: always its own row. */
  key: string | null;
  ids: string[];
  gap: boolean;
  until: string;
}

export async function runtimeEntries(store: Store, uid: string, span: { span_from: string; span_to: string }): Promise<{ entries: TimelineEntry[]; unread: number }> {
  const rows = await store.rows<RuntimeRow>(RUNTIME_SQL, { uid, ...span });
  const total = rows.length > 0 ? Number(rows[0]!.total) : 0;
  const entries = rows.map((r): TimelineEntry => {
    const connect = s(r.kind) === 'connect';
    const what = connect
      ? `connect ${s(r.binary)} -> ${s(r.dst_ip)}:${s(r.dst_port)}`
      : `exec ${s(r.binary)}${r.arguments ? ` ${s(r.arguments)}` : ''}`;
    return { iso: s(r.ts), source: s(r.source), what, key: `${s(r.source)}\u0000${what}`, ids: [s(r.row_id)], gap: false, until: '' };
  });
  return { entries, unread: Math.max(0, total - rows.length) };
}

/** Declared gaps overlapping [from, to] (on the given node, or not node-specific), at their real times. */
export function gapEntries(gaps: readonly GapFinding[], from: string, to: string, node: string | null): TimelineEntry[] {
  return gaps
    .filter((g) => g.interval_from && g.interval_to && g.interval_from <= to && g.interval_to >= from)
    .filter((g) => !g.node_name || g.node_name === node)
    .map((g) => ({ iso: g.interval_from!, source: 'gap', what: `${g.kind}: ${g.message}`, key: null, ids: [g.finding_id], gap: true, until: g.interval_to! }));
}

/**
 * The timeline of a section: entries in time order (gaps first at a tie), repeated runtime activity
 * collapsed into one counted row at its first occurrence, times readable (the day when it changes).
 */
export function buildTimeline(entries: readonly TimelineEntry[], unread: number): { lines: TimelineLine[]; omitted: number } {
  const sorted = [...entries].sort((a, b) => byteOrder(a.iso, b.iso) || Number(b.gap) - Number(a.gap) || byteOrder(a.source, b.source) || byteOrder(a.ids.join(','), b.ids.join(',')));
  const repeats = new Map<string, TimelineEntry[]>();
  for (const e of sorted) {
    if (e.key === null) continue;
    const group = repeats.get(e.key);
    if (group) group.push(e);
    else repeats.set(e.key, [e]);
  }
  const rows: { e: TimelineEntry; count: number; until: string; ids: string[] }[] = [];
  for (const e of sorted) {
    const group = e.key === null ? null : repeats.get(e.key)!;
    if (group && group.length >= COLLAPSE_AT) {
      if (group[0] !== e) continue;
      rows.push({ e, count: group.length, until: group[group.length - 1]!.iso, ids: group.flatMap((g) => g.ids) });
    } else rows.push({ e, count: 1, until: e.until, ids: e.ids });
  }
  let lastDay = '';
  const lines = rows.slice(0, MAX_TIMELINE).map((r): TimelineLine => {
    const t = clockTs(r.e.iso);
    const newDay = t.day !== lastDay;
    lastDay = t.day;
    const c = capIds(r.ids);
    const until = r.until ? clockTs(r.until) : null;
    return {
      day: t.day,
      new_day: newDay,
      time: t.time,
      source: r.e.source,
      what: r.e.what,
      count: r.count,
      collapsed: r.count > 1,
      until: until ? (until.day === t.day ? until.time : `${until.day} ${until.time}`) : '',
      ids: c.ids,
      ids_more: c.more,
      gap: r.e.gap,
    };
  });
  return { lines, omitted: Math.max(0, rows.length - MAX_TIMELINE) + unread };
}
