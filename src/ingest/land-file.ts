import { rmSync } from 'node:fs';
import path from 'node:path';
import type { Store, Params, Row } from '../store/store.js';
import { createBatchSourceView, createSourceViews, landTarget, materializePrelude, PositionalOrderLost, textRejects, type LandSource, type TargetOutcome } from '../store/land.js';
import type { Collector } from '../collectors/types.js';
import type { AcquiredFile, GzipProblem } from '../acquire/acquire-file.js';
import { splitLines, excerptsOfLines, type LineReject } from './line-split.js';
import { rejectMessage } from './reject-reasons.js';
import { tableDoc } from '../lake/schema.js';
import { duplicateKeyLocations } from './duplicate-keys.js';
import { InternalError } from '../core/errors.js';
import { SQL_DIR } from '../store/lake-views.js';

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

export interface FileLanding {
  /** fast-parallel: the fast path with ordinals from row positions (Collector.rowPerRecord). */
  readPath: 'fast' | 'fast-parallel' | 'line-exact' | 'document';
  /** Why the fast path was not taken or was abandoned. */
  note: string | null;
  total: number;
  landed: number;
  rejected: number;
  duplicate: number;
  outOfWindow: number;
  blankLines: number;
  rejects: RejectRow[];
  duplicates: Row[];
  landedDirs: { table: string; dir: string }[];
  firstAt: string | null;
  lastAt: string | null;
}

const TIME_COLUMN: Record<string, string> = {
  runtime_events: 'ts',
  kube_audit_events: 'request_received_at',
  cloud_events: 'ts',
  k8s_nodes: 'snapshot_at',
  k8s_pods: 'snapshot_at',
  k8s_service_accounts: 'snapshot_at',
  k8s_pod_events: 'received_at',
  collection_log: 'logged_at',
  sensor_log: 'logged_at',
  cloudtrail_digests: 'digest_end_time',
  cloudtrail_objects: 'captured_at',
  cloudtrail_public_keys: 'validity_start',
  aws_ip_ranges: 'published_at',
  ...Object.fromEntries(['aws_instances', 'aws_network_interfaces', 'aws_nat_gateways', 'aws_elastic_ips', 'aws_route_tables', 'aws_vpc_endpoints', 'aws_prefix_lists', 'aws_eks_clusters', 'aws_pod_identity_associations', 'aws_iam_roles'].map((t) => [t, 'snapshot_at'])),
  _rejects: 'line',
};

const PROVENANCE = ['row_id', 'evidence_file_id', 'line', 'record_path'];

function pad8(n: number): string {
  return String(n).padStart(8, '0');
}

/** Runs every target of the collector over `src`; the outcomes of each evidence file, by file. */
async function runTargets(store: Store, collector: Collector, stagingDir: string, params: Params, positional = false): Promise<Map<string, TargetOutcome[]>> {
  const byFile = new Map<string, TargetOutcome[]>();
  if (collector.prelude) await materializePrelude(store, collector.prelude.table, path.join(SQL_DIR, '20_land', collector.prelude.sqlFile), params);
  for (const t of collector.targets) {
    const columns = t.table === '_rejects' ? PROVENANCE : tableDoc(t.table)!.columns.map((c) => c.name);
    const spec = { table: t.table, sqlPath: path.join(SQL_DIR, '20_land', t.sqlFile), columns, timeColumn: TIME_COLUMN[t.table] ?? 'line', positional };
    for (const [efid, o] of await landTarget(store, spec, stagingDir, params)) byFile.set(efid, [...(byFile.get(efid) ?? []), o]);
  }
  return byFile;
}

function isJsonReadError(e: unknown): boolean {
  const m = (e as Error).message ?? '';
  if (/^(IO|Permission|Binder|Catalog|Parser|Internal|Out of Memory) Error/.test(m)) return false;
  return /Malformed JSON|JSON|Could not convert|Conversion Error|maximum_object_size/i.test(m);
}

/** What every read path of one file is given. */
interface ReadContext {
  store: Store;
  a: AcquiredFile;
  collector: Collector;
  efid: string;
  stagingDir: string;
  params: Params;
  truncated: boolean;
}

/** What a read path found: the outcome of the land SQL and what was rejected before it ran. */
type ReadResult = Pick<AccountInput, 'readPath' | 'note' | 'values' | 'blankLines' | 'outcomes' | 'lineRejects' | 'sqlTextRejects' | 'brokenDocument'>;

const read = (r: Partial<ReadResult> & Pick<ReadResult, 'readPath' | 'outcomes' | 'values' | 'blankLines'>): ReadResult => ({
  note: null,
  lineRejects: [],
  sqlTextRejects: [],
  brokenDocument: false,
  ...r,
});

/**
 * Lands one acquired file: the fast path when the scan says line numbers stay exact, else (or when
 * DuckDB's reader refuses the file) the line-exact path; then accounts for every record.
 */
export async function landFile(
  store: Store,
  a: AcquiredFile,
  collector: Collector,
  layout: 'lines' | 'document',
  efid: string,
  stagingDir: string,
  params: Params,
): Promise<FileLanding> {
  const mode = collector.input;
  // doc mode: the records with a key twice in one object, for the land SQL to reject
  if (mode.mode === 'doc') params = { ...params, duplicate_keys: await duplicateKeysParam(efid, a, layout) };
  const gzProblems = a.gzip?.problems ?? [];
  const truncated = gzProblems.some((p) => p.code === 'gzip_truncated' || p.code === 'gzip_corrupt');
  const ctx: ReadContext = { store, a, collector, efid, stagingDir, params, truncated };
  let result: ReadResult;
  if (layout === 'document') result = await readDocument(ctx);
  else if (a.scan.clean && gzProblems.length === 0) {
    const fast = await readFast(ctx);
    result = 'abandoned' in fast ? await readLineExact(ctx, fast.abandoned) : fast;
  } else {
    const why = gzProblems.length > 0 ? `gzip framing problem (${gzProblems[0]!.code})` : (a.scan.uncleanReason ?? 'not clean');
    result = await readLineExact(ctx, `${why}; read line by line`);
  }
  return account({ efid, mode, layout, contentPath: a.contentPath, truncated, gzProblems, ...result });
}

/**
 * The fast path: DuckDB's own reader over the file (positionally in parallel when one target takes
 * a row per record and keeps the order). A file the reader refuses is abandoned to the line-exact path.
 */
async function readFast(ctx: ReadContext): Promise<ReadResult | { abandoned: string }> {
  const { store, a, collector, efid, stagingDir, params } = ctx;
  try {
    const src = { evidenceFileId: efid, contentPath: a.contentPath, contentBytes: a.scan.bytes, layout: 'lines' as const, fast: true, mode: collector.input };
    if (collector.rowPerRecord === true && collector.targets.length === 1) {
      try {
        await createSourceViews(store, { ...src, positional: true });
        const outcomes = (await runTargets(store, collector, stagingDir, params, true)).get(efid) ?? [];
        return read({ readPath: 'fast-parallel', outcomes, values: a.scan.lines, blankLines: a.scan.blankLines });
      } catch (e) {
        if (!(e instanceof PositionalOrderLost)) throw e;
      }
    }
    await createSourceViews(store, src);
    const outcomes = (await runTargets(store, collector, stagingDir, params)).get(efid) ?? [];
    return read({ readPath: 'fast', outcomes, values: a.scan.lines, blankLines: a.scan.blankLines });
  } catch (e) {
    if (!isJsonReadError(e)) throw e;
    rmSync(stagingDir, { recursive: true, force: true });
    return { abandoned: `fast path abandoned (${String((e as Error).message).split('\n')[0]}); read line by line` };
  }
}

/** The line-exact path: every line split out with its number, bad lines rejected before the land SQL. */
async function readLineExact(ctx: ReadContext, note: string): Promise<ReadResult> {
  const { store, a, collector, efid, stagingDir, params, truncated } = ctx;
  const mode = collector.input;
  const wrapperPath = path.join(stagingDir, '..', `${efid}.lines.ndjson`);
  // columns mode: DuckDB's typed reader refused a duplicate key on the fast path; here its lenient
  // one would take the first value, so the scan finds those lines and they are rejected
  const duplicateKeyOrdinals = mode.mode === 'columns' ? ordinalsOf(await duplicateKeyLocations(a.contentPath, 'lines')) : undefined;
  const split = await splitLines(a.contentPath, wrapperPath, { truncated, bom: a.scan.bom, duplicateKeyOrdinals });
  const src: LandSource = { evidenceFileId: efid, contentPath: a.contentPath, contentBytes: a.scan.bytes, layout: 'lines', fast: false, wrapperPath, wrapperMaxBytes: split.maxRecordBytes, mode };
  await createSourceViews(store, src);
  const sqlTextRejects = await textRejects(store, mode);
  const outcomes = (await runTargets(store, collector, stagingDir, params)).get(efid) ?? [];
  rmSync(wrapperPath, { force: true });
  return read({ readPath: 'line-exact', note, outcomes, values: split.values, blankLines: split.blankLines, lineRejects: split.rejects, sqlTextRejects });
}

/** A whole-document file: read as one value; one that is not valid JSON lands nothing and says why. */
async function readDocument(ctx: ReadContext): Promise<ReadResult> {
  const { store, a, collector, efid, stagingDir, params } = ctx;
  const base = { readPath: 'document' as const, values: 0, blankLines: a.scan.blankLines };
  try {
    await createSourceViews(store, { evidenceFileId: efid, contentPath: a.contentPath, contentBytes: a.scan.bytes, layout: 'document', fast: false, mode: collector.input });
    return read({ ...base, outcomes: (await runTargets(store, collector, stagingDir, params)).get(efid) ?? [] });
  } catch (e) {
    if (!isJsonReadError(e)) throw e;
    rmSync(stagingDir, { recursive: true, force: true });
    // the message lands in ingest_rejects: no temp path in it (determinism)
    const why = String((e as Error).message).split('\n')[0]!.replaceAll(` in file "${a.contentPath}"`, '').trim();
    return read({ ...base, outcomes: [], brokenDocument: true, note: `the document is not valid JSON (${why})` });
  }
}

interface AccountInput {
  efid: string;
  mode: Collector['input'];
  layout: 'lines' | 'document';
  contentPath: string;
  readPath: FileLanding['readPath'];
  note: string | null;
  values: number;
  blankLines: number;
  outcomes: TargetOutcome[];
  lineRejects: LineReject[];
  sqlTextRejects: Awaited<ReturnType<typeof textRejects>>;
  brokenDocument: boolean;
  truncated: boolean;
  gzProblems: GzipProblem[];
}

/** Accounts for every record of one file: counts, reject rows with excerpts, landed partitions. */
async function account(x: AccountInput): Promise<FileLanding> {
  const { efid, mode, layout, outcomes, lineRejects, sqlTextRejects, brokenDocument, truncated, gzProblems, note, readPath, values, blankLines } = x;
  // accounting
  const sum = (k: string): number => outcomes.reduce((n, o) => n + (o.counts[k] ?? 0), 0);
  const rejectedInSql = outcomes.reduce((n, o) => n + Object.entries(o.counts).filter(([k]) => k.startsWith('reject.')).reduce((m, [, v]) => m + v, 0), 0);
  const landed = outcomes.filter((o) => o.table !== '_rejects').reduce((n, o) => n + (o.counts['landed'] ?? 0), 0);
  const duplicate = sum('duplicate');
  const outOfWindow = sum('out_of_window');
  const rejected = rejectedInSql + lineRejects.length + sqlTextRejects.length + (brokenDocument ? 1 : 0);
  const total = landed + duplicate + outOfWindow + rejected;
  if (mode.mode === 'columns' && layout === 'lines' && total !== values) {
    throw new InternalError(`record accounting failed for ${efid}: ${values} lines read, ${total} accounted for`);
  }

  // reject rows
  const rows: RejectRow[] = [];
  for (const r of lineRejects) {
    rows.push({ reject_id: `${efid}-${pad8(r.ordinal)}`, evidence_file_id: efid, line: r.line, byte_offset: null, record_path: '', reason: r.reason, message: rejectMessage(r.reason), excerpt: r.excerpt });
  }
  for (const r of sqlTextRejects) {
    rows.push({ reject_id: `${efid}-${pad8(r.ordinal)}`, evidence_file_id: efid, line: r.line, byte_offset: null, record_path: '', reason: r.reason, message: rejectMessage(r.reason), excerpt: null });
  }
  for (const o of outcomes) {
    for (const r of o.rejects) {
      rows.push({ reject_id: r.row_id, evidence_file_id: efid, line: r.line, byte_offset: null, record_path: r.record_path, reason: r.reason, message: rejectMessage(r.reason, r.ts_raw && r.reason.includes('timestamp') ? `"${r.ts_raw}"` : null), excerpt: null });
    }
  }
  if (brokenDocument) {
    const reason = truncated ? 'truncated_record' : 'invalid_json';
    rows.push({ reject_id: `${efid}-${pad8(1)}`, evidence_file_id: efid, line: null, byte_offset: null, record_path: '', reason, message: rejectMessage(reason, note), excerpt: null });
  }
  gzProblems.forEach((g, i) => {
    rows.push({ reject_id: `${efid}-gzip-${i + 1}`, evidence_file_id: efid, line: null, byte_offset: g.byteOffset, record_path: null, reason: g.code, message: g.message, excerpt: null });
  });
  const needExcerpt = rows.filter((r) => r.excerpt === null && r.line !== null).map((r) => r.line!);
  if (needExcerpt.length > 0) {
    const ex = await excerptsOfLines(x.contentPath, needExcerpt);
    for (const r of rows) if (r.excerpt === null && r.line !== null) r.excerpt = ex.get(r.line) ?? null;
  }
  rows.sort((x, y) => (x.reject_id < y.reject_id ? -1 : x.reject_id > y.reject_id ? 1 : 0));

  const times = outcomes.filter((o) => o.firstAt !== null && o.table !== '_rejects');
  return {
    readPath,
    note,
    total,
    landed,
    rejected,
    duplicate,
    outOfWindow,
    blankLines,
    rejects: rows,
    duplicates: outcomes.flatMap((o) => o.duplicates),
    landedDirs: outcomes.filter((o) => o.landedDir !== null && o.table !== '_rejects').map((o) => ({ table: o.table, dir: o.landedDir! })),
    firstAt: times.length ? times.map((o) => o.firstAt!).sort()[0]! : null,
    lastAt: times.length ? times.map((o) => o.lastAt!).sort().reverse()[0]! : null,
  };
}

function ordinalsOf(locations: ReadonlySet<string>): Set<number> {
  return new Set([...locations].map((l) => Number(l.split('|')[0])));
}

/** $duplicate_keys of a doc-mode file: "<evidence id>|<value ordinal>|<record path>". */
async function duplicateKeysParam(efid: string, a: AcquiredFile, layout: 'lines' | 'document'): Promise<string[]> {
  return [...(await duplicateKeyLocations(a.contentPath, layout))].sort().map((l) => `${efid}|${l}`);
}

export interface BatchMember {
  efid: string;
  acquired: AcquiredFile;
  layout: 'lines' | 'document';
}

/** Small one-value files of a collector that comes in many of them (Collector.manySmallFiles) fit a batch. */
export function batchable(collector: Collector, a: AcquiredFile, layout: 'lines' | 'document'): boolean {
  return (
    collector.manySmallFiles === true &&
    collector.input.mode === 'doc' &&
    (a.gzip?.problems.length ?? 0) === 0 &&
    a.scan.bytes < 32 * 1024 * 1024 &&
    (layout === 'document' || (a.scan.lines === 1 && a.scan.clean))
  );
}

/**
 * Lands many small one-value files with one statement per target. Files that turn out not to hold
 * exactly one value, or a batch the JSON reader refuses, are landed one by one instead.
 */
export async function landBatch(
  store: Store,
  members: BatchMember[],
  collector: Collector,
  stagingDir: string,
  params: Params,
): Promise<Map<string, FileLanding>> {
  const out = new Map<string, FileLanding>();
  let single: BatchMember[] = [];
  const duplicateKeys: string[] = [];
  for (const m of members) duplicateKeys.push(...(await duplicateKeysParam(m.efid, m.acquired, m.layout)));
  params = { ...params, duplicate_keys: duplicateKeys };
  try {
    const odd = new Set(
      await createBatchSourceView(
        store,
        members.map((m) => ({ evidenceFileId: m.efid, contentPath: m.acquired.contentPath, line: m.layout === 'lines' ? 1 : null })),
        Math.max(...members.map((m) => m.acquired.scan.bytes)),
      ),
    );
    single = members.filter((m) => odd.has(m.efid));
    if (single.length === members.length) throw new Error('no batchable file');
    if (single.length > 0) {
      // keep only the one-value files in src
      await store.run(`delete from pt_batch_files where list_contains($odd, efid)`, { odd: [...odd] as string[] });
    }
    const byFile = await runTargets(store, collector, stagingDir, params);
    for (const m of members.filter((x) => !odd.has(x.efid))) {
      out.set(
        m.efid,
        await account({
          efid: m.efid, mode: collector.input, layout: m.layout, contentPath: m.acquired.contentPath,
          readPath: 'document', note: null, values: 1, blankLines: m.acquired.scan.blankLines,
          outcomes: byFile.get(m.efid) ?? [], lineRejects: [], sqlTextRejects: [], brokenDocument: false,
          truncated: false, gzProblems: [],
        }),
      );
    }
  } catch (e) {
    if (!(e instanceof Error) || !(isJsonReadError(e) || e.message === 'no batchable file')) throw e;
    rmSync(stagingDir, { recursive: true, force: true });
    out.clear();
    single = members;
  }
  for (const m of single) {
    out.set(m.efid, await landFile(store, m.acquired, collector, m.layout, m.efid, path.join(stagingDir, '..', `${path.basename(stagingDir)}-${m.efid}`), params));
  }
  return out;
}
