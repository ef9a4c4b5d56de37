import path from 'node:path';
import type { CaseConfig } from '../case/case-config.js';
import type { SourceType } from '../collectors/types.js';
import type { Store } from '../store/store.js';
import { count, formatBytes, type Progress } from '../core/progress.js';
import type { PendingFile } from './acquire-inputs.js';
import { landFile } from './land-file.js';
import { batchable, landBatch } from './land-batch.js';
import type { FileLanding } from './file-landing.js';
import { s3KeyFromOrigin } from './evidence-row.js';
import { regionFromFileName } from '../collectors/cloudtrail-integrity/index.js';

const SOURCE_ORDER: SourceType[] = ['inventory', 'kube-audit', 'tetragon', 'falco', 'cloudtrail', 'k8s-watch', 'collection', 'sensor', 'cloudtrail-digest', 'cloudtrail-objects', 'cloudtrail-public-keys'];

/**
 * Consecutive small one-value files of the same collector (CloudTrail log files) land together,
 * up to 500 files or 256 MiB; the others one by one. The land order is kept.
 */
function batches(ordered: PendingFile[]): PendingFile[][] {
  const out: PendingFile[][] = [];
  let cur: PendingFile[] = [];
  let bytes = 0;
  const flush = (): void => {
    if (cur.length > 0) out.push(cur);
    cur = [];
    bytes = 0;
  };
  for (const x of ordered) {
    const ok = batchable(x.collector!, x.acquired, x.layout!) && s3KeyFromOrigin(x.input.origin) !== null;
    if (!ok) {
      flush();
      out.push([x]);
      continue;
    }
    if (cur.length > 0 && (cur[0]!.collector !== x.collector || cur.length >= 500 || bytes + x.acquired.scan.bytes > 256 * 1024 * 1024)) flush();
    cur.push(x);
    bytes += x.acquired.scan.bytes;
  }
  flush();
  return out;
}

/** Land order: by source, CloudTrail S3 log files before other deliveries (so they win dedup), then origin. */
function landOrder(a: PendingFile, b: PendingFile): number {
  const sa = SOURCE_ORDER.indexOf(a.collector!.source);
  const sb = SOURCE_ORDER.indexOf(b.collector!.source);
  if (sa !== sb) return sa - sb;
  const ka = s3KeyFromOrigin(a.input.origin) ? 0 : 1;
  const kb = s3KeyFromOrigin(b.input.origin) ? 0 : 1;
  if (ka !== kb) return ka - kb;
  return a.input.origin < b.input.origin ? -1 : a.input.origin > b.input.origin ? 1 : 0;
}

/** The case window widened by its margin, as DuckDB timestamp text. */
function windowParams(cfg: CaseConfig): { lo: string; hi: string } {
  const lo = new Date(Date.parse(cfg.window.from) - cfg.window.margin_seconds * 1000);
  const hi = new Date(Date.parse(cfg.window.to) + cfg.window.margin_seconds * 1000);
  const sql = (d: Date): string => d.toISOString().replace('T', ' ').replace('Z', '');
  return { lo: sql(lo), hi: sql(hi) };
}

/**
 * Landing: parses and normalizes every acquired, unrefused input into staged Parquet, in an order
 * that makes deduplication prefer CloudTrail's own log files; event ids already landed (by earlier
 * ingests or earlier files of this one) are duplicates. Returns each file's landing by evidence id.
 */
export async function landPendings(store: Store, pendings: readonly PendingFile[], cfg: CaseConfig, staging: string, progress: Progress): Promise<Map<string, FileLanding>> {
  const win = windowParams(cfg);
  await store.run(`create or replace temp table pt_seen_event_ids as select event_id, delivery = 's3-log-file' as s3 from cloud_events`);
  const landings = new Map<string, FileLanding>();
  const landable = pendings.filter((x) => x.refusal === null).sort(landOrder);
  const params = (x: PendingFile) => ({
    window_lo: win.lo,
    window_hi: win.hi,
    namespaces: cfg.scope.namespaces,
    snapshot_at: x.snapshotAt,
    delivery_hint: s3KeyFromOrigin(x.input.origin) ? 's3-log-file' : null,
    // filled per file by the landing (doc mode): records with a key twice in one object
    duplicate_keys: [] as string[],
    origin_region: regionFromFileName(x.input.origin),
  });
  const seen = async (landing: FileLanding): Promise<void> => {
    for (const d of landing.landedDirs) {
      if (d.table === 'cloud_events') {
        await store.run(`insert into pt_seen_event_ids select event_id, delivery = 's3-log-file' from read_parquet($glob)`, { glob: path.join(d.dir, '*.parquet') });
      }
    }
  };
  // one step per file (or per batch of small files landed together): bytes, records, rate; the
  // landing's own notes (why DuckDB's fast path was not taken) are diagnostics, never shown
  const total = landable.reduce((n, x) => n + x.acquired.size, 0);
  let done = 0;
  progress.begin(`landing ${count(landable.length, 'file')}`, total, 'bytes');
  const finished = (what: string, source: string, bytes: number, records: number, t0: number): void => {
    done += bytes;
    const s = (performance.now() - t0) / 1000;
    progress.note(`landed ${what} (${source}): ${formatBytes(bytes)}, ${count(records, 'record')} in ${s.toFixed(2)} s${s > 0.05 ? ` (${formatBytes(Math.round(bytes / s))}/s)` : ''}`);
    progress.tick(done);
  };
  for (const group of batches(landable)) {
    const first = group[0]!;
    const t0 = performance.now();
    const bytes = group.reduce((n, x) => n + x.acquired.size, 0);
    progress.tick(done, group.length === 1 ? first.input.origin : `${group.length} ${first.collector!.source} files`);
    if (group.length === 1) {
      const landing = await landFile(store, first.acquired, first.collector!, first.layout!, first.efid, path.join(staging, first.efid), params(first));
      landings.set(first.efid, landing);
      await seen(landing);
      finished(first.input.origin, first.collector!.source, bytes, landing.total, t0);
      continue;
    }
    const results = await landBatch(
      store,
      group.map((x) => ({ efid: x.efid, acquired: x.acquired, layout: x.layout! })),
      first.collector!,
      path.join(staging, `batch-${first.efid}`),
      params(first),
    );
    for (const x of group) landings.set(x.efid, results.get(x.efid)!);
    for (const x of group) await seen(results.get(x.efid)!);
    finished(`${group.length} files together (${first.input.origin} ...)`, first.collector!.source, bytes, group.reduce((n, x) => n + results.get(x.efid)!.total, 0), t0);
  }
  progress.end(`landed ${count(landable.length, 'file')} (${formatBytes(total)})`);
  return landings;
}

/** A landed CloudTrail event copy that an S3 log file's copy of the same event replaces. */
export interface ReplacedCopy {
  /** The replaced copy, as it was landed (it moves to ingest_duplicates). */
  row_id: string;
  evidence_file_id: string;
  line: number | null;
  record_path: string;
  event_id: string;
  ts: string;
  delivery: string;
  /** The S3 log file copy that replaces it. */
  by_row_id: string;
  by_evidence_file_id: string;
}

/**
 * Copies of CloudTrail events landed from another delivery (lookup-events, EventBridge, single
 * events), by an earlier ingest or an earlier file of this one, that this ingest's S3 log files
 * also hold: the log file's copy landed (cloudtrail.sql), and these are replaced, so the same
 * evidence lands the same way whatever the order of the ingest calls and of the files.
 */
export async function replacedCopies(store: Store, landings: ReadonlyMap<string, FileLanding>): Promise<ReplacedCopy[]> {
  const globs = [...landings.values()].flatMap((l) => l.landedDirs.filter((d) => d.table === 'cloud_events').map((d) => path.join(d.dir, '*.parquet')));
  if (globs.length === 0) return [];
  // the other copy may be committed, or landed by an earlier file of this ingest
  const rows = await store.rows<Omit<ReplacedCopy, 'record_path'> & { record_path: string | null }>(
    `with staged as (
        select row_id, evidence_file_id, line, record_path, event_id, ts, delivery from read_parquet($globs)
     ),
     others as (
        select row_id, evidence_file_id, line, record_path, event_id, ts, delivery from cloud_events where delivery <> 's3-log-file'
        union all
        select * from staged where delivery <> 's3-log-file'
     )
     select c.row_id, c.evidence_file_id, c.line::DOUBLE as line, c.record_path, c.event_id, c.ts::VARCHAR as ts, c.delivery,
            n.row_id as by_row_id, n.evidence_file_id as by_evidence_file_id
       from others as c
       inner join staged as n on n.event_id = c.event_id and n.delivery = 's3-log-file'
      order by c.row_id`,
    { globs },
  );
  return rows.map((r) => ({ ...r, record_path: r.record_path ?? '' }));
}

