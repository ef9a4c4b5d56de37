import path from 'node:path';
import type { CaseConfig } from '../case/case-config.js';
import type { SourceType } from '../collectors/types.js';
import type { Store } from '../store/store.js';
import type { PendingFile } from './acquire-inputs.js';
import { batchable, landBatch, landFile, type FileLanding } from './land-file.js';
import { s3KeyFromOrigin } from './evidence-row.js';
import { regionFromFileName } from '../collectors/cloudtrail-integrity/index.js';

const SOURCE_ORDER: SourceType[] = ['inventory', 'kube-audit', 'tetragon', 'falco', 'cloudtrail', 'k8s-watch', 'collection', 'cloudtrail-digest', 'cloudtrail-objects', 'cloudtrail-public-keys'];

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
export async function landPendings(store: Store, pendings: readonly PendingFile[], cfg: CaseConfig, staging: string, log: (line: string) => void): Promise<Map<string, FileLanding>> {
  const win = windowParams(cfg);
  await store.run(`create or replace temp table pt_seen_event_ids as select event_id from cloud_events`);
  const landings = new Map<string, FileLanding>();
  const landable = pendings.filter((x) => x.refusal === null).sort(landOrder);
  const params = (x: PendingFile) => ({
    window_lo: win.lo,
    window_hi: win.hi,
    namespaces: cfg.scope.namespaces,
    snapshot_at: x.snapshotAt,
    delivery_hint: s3KeyFromOrigin(x.input.origin) ? 's3-log-file' : null,
    origin_region: regionFromFileName(x.input.origin),
  });
  const seen = async (landing: FileLanding): Promise<void> => {
    for (const d of landing.landedDirs) {
      if (d.table === 'cloud_events') {
        await store.run(`insert into pt_seen_event_ids select event_id from read_parquet($glob)`, { glob: path.join(d.dir, '*.parquet') });
      }
    }
  };
  for (const group of batches(landable)) {
    const first = group[0]!;
    if (group.length === 1) {
      log(`landing ${first.input.origin} (${first.collector!.source})`);
      const landing = await landFile(store, first.acquired, first.collector!, first.layout!, first.efid, path.join(staging, first.efid), params(first));
      if (landing.note) log(`  ${first.input.origin}: ${landing.note}`);
      landings.set(first.efid, landing);
      await seen(landing);
      continue;
    }
    log(`landing ${group.length} ${first.collector!.source} files together (${first.input.origin} ...)`);
    const results = await landBatch(
      store,
      group.map((x) => ({ efid: x.efid, acquired: x.acquired, layout: x.layout! })),
      first.collector!,
      path.join(staging, `batch-${first.efid}`),
      params(first),
    );
    for (const x of group) {
      const landing = results.get(x.efid)!;
      if (landing.note) log(`  ${x.input.origin}: ${landing.note}`);
      landings.set(x.efid, landing);
    }
    for (const x of group) await seen(results.get(x.efid)!);
  }
  return landings;
}
