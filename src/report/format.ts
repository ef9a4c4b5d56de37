/** Small display helpers of the report builders: strings, numbers, times, capped id lists. */

export const s = (v: unknown): string => (v === null || v === undefined ? '' : String(v));
export const n = (v: unknown): number => (typeof v === 'number' ? v : Number(v ?? 0));
export const list = (v: unknown): string[] => (Array.isArray(v) ? v.map(s) : []);

/** Caps that keep the report readable at any scale; joins.jsonl and timeline.jsonl hold everything. */
export const MAX_IDS = 8;

/** A display time: ISO-8601 UTC, fraction trimmed of trailing zeros ("…:07Z", "…:07.000721Z"). */
export function displayTs(iso: unknown): string {
  const t = s(iso);
  const m = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})(?:\.(\d+))?Z$/.exec(t);
  if (!m) return t;
  const frac = (m[2] ?? '').replace(/0+$/, '');
  return frac ? `${m[1]}.${frac}Z` : `${m[1]}Z`;
}

/** A readable time of day from an ISO-8601 UTC time: "09:15:41.012" (milliseconds), and its day. */
export function clockTs(iso: unknown): { day: string; time: string } {
  const m = /^(\d{4}-\d{2}-\d{2})T(\d{2}:\d{2}:\d{2})(?:\.(\d+))?Z$/.exec(s(iso));
  if (!m) return { day: '', time: s(iso) };
  const ms = (m[3] ?? '').padEnd(3, '0').slice(0, 3);
  return { day: m[1]!, time: `${m[2]}.${ms}` };
}

/** Milliseconds since the epoch of an ISO-8601 UTC time (sub-millisecond digits dropped). */
export function epochMs(iso: string): number {
  return Date.parse(iso.replace(/(\.\d{3})\d+Z$/, '$1Z'));
}

/** An ISO-8601 UTC time (whole seconds) of epoch milliseconds. */
export function isoOfMs(ms: number): string {
  return `${new Date(ms).toISOString().slice(0, 19)}Z`;
}

export function capIds(ids: readonly string[], max = MAX_IDS): { ids: string[]; more: number } {
  return { ids: ids.slice(0, max), more: Math.max(0, ids.length - max) };
}

/** "iam:CreateAccessKey" from an event source and name. */
export function callName(eventSource: unknown, eventName: unknown): string {
  return `${s(eventSource).replace(/\.amazonaws\.com$/, '')}:${s(eventName)}`;
}

/** Byte order, the one order of every sort here (never the host locale). */
export function byteOrder(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** A label no longer than max characters, cut with "…" (the full text goes in a title). */
export function shorten(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}

/** A label no longer than max characters, its middle cut with "…" (pod names differ at the end). */
export function shortenMiddle(text: string, max: number): string {
  if (text.length <= max) return text;
  const tail = Math.floor((max - 1) / 2);
  return `${text.slice(0, max - 1 - tail)}…${text.slice(text.length - tail)}`;
}
