import { createHash } from 'node:crypto';

/**
 * A kubelet log timestamp (pods/log with timestamps=true: RFC 3339 with up to 9 fraction digits, the
 * node's clock) in a form that sorts as it reads: the fraction padded to 9 digits. Null when the
 * text is not one.
 */
export function normTs(text: string): string | null {
  const m = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})(?:\.(\d{1,9}))?Z$/.exec(text);
  if (!m) return null;
  return `${m[1]}.${(m[2] ?? '').padEnd(9, '0')}Z`;
}

/** The second a normalized timestamp falls in (what the API server keeps of a sinceTime). */
export function secondOf(ts: string): string {
  return `${ts.slice(0, 19)}.000000000Z`;
}

/** Milliseconds since the epoch of a normalized timestamp (sub-ms digits dropped). */
export function tsMs(ts: string): number {
  return Date.parse(`${ts.slice(0, 23)}Z`);
}

/** A log line split into its kubelet timestamp and content (the bytes after the first space). */
export function splitLogLine(line: Buffer): { ts: string; content: Buffer } | null {
  const sp = line.indexOf(0x20);
  if (sp <= 0) return null;
  const ts = normTs(line.subarray(0, sp).toString('latin1'));
  return ts ? { ts, content: line.subarray(sp + 1) } : null;
}

/** The key a (timestamp, line) pair is deduplicated by. */
export function lineKey(content: Buffer): string {
  return createHash('sha256').update(content).digest('hex').slice(0, 16);
}
