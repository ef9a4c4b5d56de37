import { existsSync, mkdirSync, renameSync, rmSync, readFileSync } from 'node:fs';
import path from 'node:path';
import os from 'node:os';
import { createHash } from 'node:crypto';
import { loadCaseConfig, type CaseConfig } from '../case/case-config.js';
import { casePaths, type CasePaths } from '../case/case-paths.js';
import { lockCase } from '../case/case-lock.js';
import type { Clock } from '../core/clock.js';
import { parseInstant } from '../core/clock.js';
import { TOOL_ID } from '../core/version.js';
import { acquireFile, type AcquiredFile } from '../acquire/acquire-file.js';
import { discoverInputs, type InputFile } from './discover-inputs.js';
import { detectSource } from './detect-source.js';
import { batchable, landBatch, landFile, type FileLanding } from './land-file.js';
import { snapshotFromFileName, SNAPSHOT_NAME_HELP } from './snapshot-time.js';
import { s3KeyFromOrigin, type EvidenceFileRow } from './evidence-row.js';
import { commitIngest, recoverCase } from './commit.js';
import type { Collector, SourceType } from '../collectors/types.js';
import { openCaseStore } from '../store/case-store.js';
import { readEvidenceFiles } from '../store/catalog.js';

export interface IngestOptions {
  caseDir: string;
  paths: string[];
  source: SourceType | null;
  operator: string | null;
  snapshotAt: string | null;
  clock: Clock;
  /** Progress and notes (stderr). */
  log: (line: string) => void;
  /**
   * podtrail reproduce: replays a recorded acquisition (from a bundle's manifest.json): each input's
   * recorded origin, by the real path of the copy given, and the recorded ingest id.
   */
  replay?: { ingestId: string; origins: ReadonlyMap<string, string> };
}

export interface FileOutcome {
  origin: string;
  evidenceFileId: string;
  status: 'landed' | 'refused' | 'already-ingested';
  source: string | null;
  message: string;
  landing: FileLanding | null;
}

export interface IngestResult {
  files: FileOutcome[];
  landedRecords: number;
  usable: boolean;
  /** Elapsed milliseconds per phase, for logs and benchmarks (never written to the case). */
  timings: { acquireMs: number; landMs: number; commitMs: number };
}

interface Pending {
  input: InputFile;
  acquired: AcquiredFile;
  efid: string;
  rawRel: string;
  collector: Collector | null;
  layout: 'lines' | 'document' | null;
  detectedBy: 'content' | 'declared' | null;
  refusal: string | null;
  snapshotAt: string | null;
}

const SOURCE_ORDER: SourceType[] = ['inventory', 'kube-audit', 'tetragon', 'falco', 'cloudtrail'];

/**
 * Consecutive small one-value files of the same collector (CloudTrail log files) land together,
 * up to 500 files or 256 MiB; the others one by one. The land order is kept.
 */
function batches(ordered: Pending[]): Pending[][] {
  const out: Pending[][] = [];
  let cur: Pending[] = [];
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
function landOrder(a: Pending, b: Pending): number {
  const sa = SOURCE_ORDER.indexOf(a.collector!.source);
  const sb = SOURCE_ORDER.indexOf(b.collector!.source);
  if (sa !== sb) return sa - sb;
  const ka = s3KeyFromOrigin(a.input.origin) ? 0 : 1;
  const kb = s3KeyFromOrigin(b.input.origin) ? 0 : 1;
  if (ka !== kb) return ka - kb;
  return a.input.origin < b.input.origin ? -1 : a.input.origin > b.input.origin ? 1 : 0;
}

function windowParams(cfg: CaseConfig): { lo: string; hi: string } {
  const lo = new Date(Date.parse(cfg.window.from) - cfg.window.margin_seconds * 1000);
  const hi = new Date(Date.parse(cfg.window.to) + cfg.window.margin_seconds * 1000);
  const sql = (d: Date): string => d.toISOString().replace('T', ' ').replace('Z', '');
  return { lo: sql(lo), hi: sql(hi) };
}

/** `podtrail ingest`: acquire (copy + hash + custody) and land every input; all or nothing per run. */
export async function ingestCase(o: IngestOptions): Promise<IngestResult> {
  const cfg = loadCaseConfig(casePaths(o.caseDir).config);
  const p = casePaths(o.caseDir);
  const unlock = lockCase(p.lock);
  const acquiredAt = o.clock.nowIso();
  const operator = o.operator ?? os.userInfo().username;
  const snapshotOverride = o.snapshotAt ? parseInstant(o.snapshotAt, '--snapshot-at').toISOString() : null;
  const inputs = discoverInputs(o.paths, p)
    .map((i) => ({ ...i, origin: o.replay?.origins.get(i.abs) ?? i.origin }))
    .sort((a, b) => (a.origin < b.origin ? -1 : a.origin > b.origin ? 1 : 0));
  const ingestId = o.replay?.ingestId ?? createHash('sha256').update(acquiredAt).update(inputs.map((i) => i.origin).join('\n')).digest('hex').slice(0, 16);
  const staging = path.join(p.staging, ingestId);
  rmSync(p.staging, { recursive: true, force: true });
  mkdirSync(staging, { recursive: true });
  mkdirSync(p.raw, { recursive: true });
  const store = await openCaseStore(p, { write: true });
  const outcomes: FileOutcome[] = [];
  const timings = { acquireMs: 0, landMs: 0, commitMs: 0 };
  let mark = performance.now();
  const lap = (phase: keyof typeof timings): void => {
    const now = performance.now();
    timings[phase] += now - mark;
    mark = now;
  };
  try {
    const existing = await readEvidenceFiles(store, p.lake);
    for (const note of await recoverCase(
      store,
      p,
      new Set(existing.map((r) => r.ingest_id)),
      new Set(existing.map((r) => r.raw_path)),
      new Set(existing.map((r) => r.evidence_file_id)),
    )) o.log(note);
    const known = new Map(existing.map((r) => [r.evidence_file_id, r]));
    const pendings: Pending[] = [];

    // 1. acquisition: copy and hash every input before anything parses it
    for (const [n, input] of inputs.entries()) {
      const tmpRaw = path.join(p.raw, `.acquiring-${n}`);
      const inflated = path.join(staging, `content-${n}`);
      const acquired = await acquireFile(input.abs, tmpRaw, inflated);
      const d = detectSource(acquired.scan, o.source);
      let refusal = d.ok ? null : d.reason;
      let snapshotAt: string | null = null;
      if (d.ok && d.collector.needsSnapshot) {
        snapshotAt = snapshotOverride ?? snapshotFromFileName(path.basename(input.abs));
        if (!snapshotAt) refusal = `inventory snapshot without a time: ${SNAPSHOT_NAME_HELP}`;
      }
      // The evidence id is derived from the content; for an inventory snapshot also from its
      // instant, since the same bytes taken at two instants are two observations.
      const efid = snapshotAt
        ? createHash('sha256').update(`${acquired.sha256}\n${snapshotAt}`).digest('hex').slice(0, 16)
        : acquired.sha256.slice(0, 16);
      const prior = known.get(efid) ?? pendings.find((x) => x.efid === efid);
      if (prior) {
        rmSync(tmpRaw, { force: true });
        const priorOrigin = 'origin' in prior ? prior.origin : prior.input.origin;
        outcomes.push({ origin: input.origin, evidenceFileId: efid, status: 'already-ingested', source: null, message: `same bytes as evidence ${efid} (${priorOrigin}): nothing changed`, landing: null });
        continue;
      }
      const rawRel = `raw/${efid}-${path.basename(input.abs)}`;
      renameSync(tmpRaw, path.join(p.root, rawRel));
      if (acquired.gzip === null) acquired.contentPath = path.join(p.root, rawRel);
      pendings.push({
        input, acquired, efid, rawRel,
        collector: d.ok ? d.collector : null,
        layout: d.layout,
        detectedBy: d.ok ? d.detectedBy : null,
        refusal,
        snapshotAt,
      });
    }

    lap('acquireMs');
    // 2. landing, in an order that makes deduplication prefer CloudTrail's own log files
    const win = windowParams(cfg);
    await store.run(`create or replace temp table pt_seen_event_ids as select event_id from cloud_events`);
    const rows: EvidenceFileRow[] = [];
    const landings = new Map<string, FileLanding>();
    const landable = pendings.filter((x) => x.refusal === null).sort(landOrder);
    const params = (x: Pending) => ({
      window_lo: win.lo,
      window_hi: win.hi,
      namespaces: cfg.scope.namespaces,
      snapshot_at: x.snapshotAt,
      delivery_hint: s3KeyFromOrigin(x.input.origin) ? 's3-log-file' : null,
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
        o.log(`landing ${first.input.origin} (${first.collector!.source})`);
        const landing = await landFile(store, first.acquired, first.collector!, first.layout!, first.efid, path.join(staging, first.efid), { evidence_file_id: first.efid, ...params(first) });
        if (landing.note) o.log(`  ${first.input.origin}: ${landing.note}`);
        landings.set(first.efid, landing);
        await seen(landing);
        continue;
      }
      o.log(`landing ${group.length} ${first.collector!.source} files together (${first.input.origin} ...)`);
      const results = await landBatch(
        store,
        group.map((x) => ({ efid: x.efid, acquired: x.acquired, layout: x.layout! })),
        first.collector!,
        path.join(staging, `batch-${first.efid}`),
        { evidence_file_id: null, ...params(first) },
      );
      for (const x of group) {
        const landing = results.get(x.efid)!;
        if (landing.note) o.log(`  ${x.input.origin}: ${landing.note}`);
        landings.set(x.efid, landing);
      }
      for (const x of group) await seen(results.get(x.efid)!);
    }
    for (const x of pendings) {
      const landing = landings.get(x.efid) ?? null;
      const refused = x.refusal !== null || landing === null;
      rows.push({
        evidence_file_id: x.efid,
        sha256: x.acquired.sha256,
        size_bytes: x.acquired.size,
        inflated_sha256: x.acquired.gzip?.inflatedSha256 ?? null,
        inflated_size_bytes: x.acquired.gzip?.inflatedSize ?? null,
        gzip_members: x.acquired.gzip?.members ?? null,
        origin: x.input.origin,
        s3_key: s3KeyFromOrigin(x.input.origin),
        raw_path: x.rawRel,
        source_type: x.collector?.source ?? null,
        detected_by: x.detectedBy,
        layout: x.layout,
        status: refused ? 'refused' : 'landed',
        refusal_reason: x.refusal,
        records_total: landing?.total ?? 0,
        records_landed: landing?.landed ?? 0,
        records_rejected: landing?.rejected ?? 0,
        records_duplicate: landing?.duplicate ?? 0,
        records_out_of_window: landing?.outOfWindow ?? 0,
        blank_lines: landing?.blankLines ?? x.acquired.scan.blankLines,
        first_record_at: landing?.firstAt ?? null,
        last_record_at: landing?.lastAt ?? null,
        snapshot_at: x.snapshotAt,
        acquired_at: acquiredAt,
        operator,
        tool_version: TOOL_ID,
        ingest_id: ingestId,
      });
      outcomes.push({
        origin: x.input.origin,
        evidenceFileId: x.efid,
        status: refused ? 'refused' : 'landed',
        source: x.collector?.source ?? null,
        message: x.refusal ?? '',
        landing,
      });
    }

    lap('landMs');
    // 3. commit: partitions into the lake, custody entries, then the catalog (the commit point)
    if (rows.length > 0) {
      await commitIngest(store, p, {
        rows,
        existing,
        landings,
        staging,
        acquiredAt,
        operator,
        ingestId,
        config: cfg,
        configText: readFileSync(p.config, 'utf8'),
      });
    }
    lap('commitMs');
  } finally {
    store.close();
    rmSync(p.staging, { recursive: true, force: true });
    unlock();
  }
  outcomes.sort((a, b) => (a.origin < b.origin ? -1 : a.origin > b.origin ? 1 : 0));
  const landedRecords = outcomes.reduce((n, f) => n + (f.landing?.landed ?? 0), 0);
  const usable = landedRecords > 0 || outcomes.some((f) => f.status === 'already-ingested' || (f.landing !== null && f.landing.total > 0));
  return { files: outcomes, landedRecords, usable, timings };
}

export function isCase(dir: string): boolean {
  return existsSync(casePaths(dir).config);
}

export type { CasePaths };
