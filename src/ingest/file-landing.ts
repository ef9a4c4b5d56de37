import type { DuplicateCopy, TargetOutcome } from '../store/land.js';
import type { Collector } from '../collectors/types.js';
import type { GzipProblem } from '../acquire/acquire-file.js';
import { excerptsOfLines } from './line-split.js';
import { rejectMessage } from './reject-reasons.js';
import { InternalError } from '../core/errors.js';
import type { ReadPath, ReadResult } from './read-paths.js';

/** One row of ingest_rejects. */
export interface RejectRow {
  reject_id: string;
  evidence_file_id: string;
  line: number | null;
  byte_offset: number | null;
  record_path: string | null;
  reason: string;
  message: string;
  excerpt: string | null;
}

/** What landing one file gave: every record accounted for, the rejects and the landed partitions. */
export interface FileLanding {
  readPath: ReadPath;
  /** Why the fast path was not taken or was abandoned. */
  note: string | null;
  total: number;
  landed: number;
  rejected: number;
  duplicate: number;
  outOfWindow: number;
  blankLines: number;
  rejects: RejectRow[];
  duplicates: DuplicateCopy[];
  landedDirs: { table: string; dir: string }[];
  firstAt: string | null;
  lastAt: string | null;
}

/** A file's read, with what the accounting needs to know of the file. */
export interface AccountInput extends ReadResult {
  efid: string;
  mode: Collector['input'];
  layout: 'lines' | 'document';
  contentPath: string;
  truncated: boolean;
  gzProblems: GzipProblem[];
}

type Counts = Pick<FileLanding, 'total' | 'landed' | 'rejected' | 'duplicate' | 'outOfWindow'>;

/** Accounts for every record of one file: counts, reject rows with excerpts, landed partitions. */
export async function accountFile(x: AccountInput): Promise<FileLanding> {
  const counts = countRecords(x);
  if (x.mode.mode === 'columns' && x.layout === 'lines' && counts.total !== x.values) {
    throw new InternalError(`record accounting failed for ${x.efid}: ${x.values} lines read, ${counts.total} accounted for`);
  }
  const landedHere = x.outcomes.filter((o) => o.table !== '_rejects');
  return {
    readPath: x.readPath,
    note: x.note,
    ...counts,
    blankLines: x.blankLines,
    rejects: await rejectRows(x),
    duplicates: x.outcomes.flatMap((o) => o.duplicates),
    landedDirs: landedHere.filter((o) => o.landedDir !== null).map((o) => ({ table: o.table, dir: o.landedDir! })),
    ...landedSpan(landedHere),
  };
}

/** Every record once: landed, duplicate, out of window, or rejected (by the land SQL or before it). */
function countRecords(x: AccountInput): Counts {
  const sum = (k: string): number => x.outcomes.reduce((n, o) => n + (o.counts[k] ?? 0), 0);
  const rejectedInSql = x.outcomes.reduce((n, o) => n + Object.entries(o.counts).filter(([k]) => k.startsWith('reject.')).reduce((m, [, v]) => m + v, 0), 0);
  const landed = x.outcomes.filter((o) => o.table !== '_rejects').reduce((n, o) => n + (o.counts['landed'] ?? 0), 0);
  const duplicate = sum('duplicate');
  const outOfWindow = sum('out_of_window');
  const rejected = rejectedInSql + x.lineRejects.length + x.sqlTextRejects.length + (x.brokenDocument ? 1 : 0);
  return { total: landed + duplicate + outOfWindow + rejected, landed, rejected, duplicate, outOfWindow };
}

const pad8 = (n: number): string => String(n).padStart(8, '0');

/** The ingest_rejects rows of one file, in reject_id order, each with the excerpt of its line. */
async function rejectRows(x: AccountInput): Promise<RejectRow[]> {
  const { efid } = x;
  const row = (r: Omit<RejectRow, 'evidence_file_id' | 'byte_offset' | 'excerpt'> & Partial<Pick<RejectRow, 'byte_offset' | 'excerpt'>>): RejectRow => ({
    reject_id: r.reject_id,
    evidence_file_id: efid,
    line: r.line,
    byte_offset: r.byte_offset ?? null,
    record_path: r.record_path,
    reason: r.reason,
    message: r.message,
    excerpt: r.excerpt ?? null,
  });
  const rows: RejectRow[] = [
    ...x.lineRejects.map((r) => row({ reject_id: `${efid}-${pad8(r.ordinal)}`, line: r.line, record_path: '', reason: r.reason, message: rejectMessage(r.reason), excerpt: r.excerpt })),
    ...x.sqlTextRejects.map((r) => row({ reject_id: `${efid}-${pad8(r.ordinal)}`, line: r.line, record_path: '', reason: r.reason, message: rejectMessage(r.reason) })),
    ...x.outcomes.flatMap((o) =>
      o.rejects.map((r) => row({ reject_id: r.row_id, line: r.line, record_path: r.record_path, reason: r.reason, message: rejectMessage(r.reason, r.ts_raw && r.reason.includes('timestamp') ? `"${r.ts_raw}"` : null) })),
    ),
  ];
  if (x.brokenDocument) {
    const reason = x.truncated ? 'truncated_record' : 'invalid_json';
    rows.push(row({ reject_id: `${efid}-${pad8(1)}`, line: null, record_path: '', reason, message: rejectMessage(reason, x.note) }));
  }
  x.gzProblems.forEach((g, i) => rows.push(row({ reject_id: `${efid}-gzip-${i + 1}`, line: null, byte_offset: g.byteOffset, record_path: null, reason: g.code, message: g.message })));
  const needExcerpt = rows.filter((r) => r.excerpt === null && r.line !== null).map((r) => r.line!);
  if (needExcerpt.length > 0) {
    const ex = await excerptsOfLines(x.contentPath, needExcerpt);
    for (const r of rows) if (r.excerpt === null && r.line !== null) r.excerpt = ex.get(r.line) ?? null;
  }
  return rows.sort((a, b) => (a.reject_id < b.reject_id ? -1 : a.reject_id > b.reject_id ? 1 : 0));
}

/** The first and last instants landed, over the lake tables of the file. */
function landedSpan(outcomes: TargetOutcome[]): Pick<FileLanding, 'firstAt' | 'lastAt'> {
  const times = outcomes.filter((o) => o.firstAt !== null);
  if (times.length === 0) return { firstAt: null, lastAt: null };
  return { firstAt: times.map((o) => o.firstAt!).sort()[0]!, lastAt: times.map((o) => o.lastAt!).sort().reverse()[0]! };
}
