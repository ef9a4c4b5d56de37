import type { FileOutcome, IngestResult } from './ingest-case.js';
import { termLine } from '../output/terminal-text.js';
import { count } from '../core/progress.js';

function topReasons(f: FileOutcome): string {
  const counts = new Map<string, number>();
  for (const r of f.landing?.rejects ?? []) counts.set(r.reason, (counts.get(r.reason) ?? 0) + 1);
  const top = [...counts.entries()].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1)).slice(0, 3);
  return top.length ? ` (${top.map(([k, v]) => `${k} ${v}`).join(', ')})` : '';
}

/**
 * One line per file: what landed, what was rejected and why, duplicates, out of window. File names
 * are attacker-controlled: a line break or an escape sequence in one is shown, never obeyed.
 */
export function summaryLine(f: FileOutcome): string {
  const id = f.evidenceFileId;
  const origin = termLine(f.origin);
  if (f.status === 'already-ingested') return `already   ${origin}: ${termLine(f.message ?? '')} [${id}]`;
  // refused without being read (a special file, a link out of the tree): no evidence id
  if (f.status === 'refused') return `refused   ${origin}: ${termLine(f.message ?? '')}${id ? ` [${id}]` : ''}`;
  const l = f.landing!;
  return (
    `ingested  ${origin} (${f.source}): ${count(l.total, 'record')}: ${l.landed} landed, ${l.rejected} rejected${topReasons(f)}, ` +
    `${count(l.duplicate, 'duplicate')}, ${l.outOfWindow} out of window [${id}]`
  );
}

export function summaryTotals(r: IngestResult): string {
  const n = (s: FileOutcome['status']): number => r.files.filter((f) => f.status === s).length;
  const sec = (ms: number): string => (ms / 1000).toFixed(2);
  const t = r.timings;
  return (
    `${count(r.files.length, 'file')}: ${n('landed')} ingested, ${n('refused')} refused, ${n('already-ingested')} already ingested; ` +
    `${count(r.landedRecords, 'record')} landed (acquire ${sec(t.acquireMs)} s, land ${sec(t.landMs)} s, commit ${sec(t.commitMs)} s)`
  );
}
