import { existsSync, mkdirSync, rmSync, readFileSync } from 'node:fs';
import path from 'node:path';
import os from 'node:os';
import { createHash } from 'node:crypto';
import { loadCaseConfig } from '../case/case-config.js';
import { casePaths, type CasePaths } from '../case/case-paths.js';
import { lockCase } from '../case/case-lock.js';
import type { Clock } from '../core/clock.js';
import { parseInstant } from '../core/clock.js';
import { TOOL_ID } from '../core/version.js';
import { discoverInputs } from './discover-inputs.js';
import { acquireInputs, type FileOutcome } from './acquire-inputs.js';
import { landPendings } from './land-pending.js';
import { evidenceFileRow } from './evidence-row.js';
import { commitIngest, recoverCase } from './commit.js';
import type { SourceType } from '../collectors/types.js';
import { openCaseStore } from '../store/case-store.js';
import { readEvidenceFiles } from '../store/catalog.js';
import { validateCaseTrail, type TrailSummary } from '../cloudtrail-digest/materialize.js';

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

export interface IngestResult {
  files: FileOutcome[];
  landedRecords: number;
  usable: boolean;
  /** CloudTrail digest validation over the whole case, when this ingest brought trail integrity evidence. */
  trail: TrailSummary | null;
  /** Elapsed milliseconds per phase, for logs and benchmarks (never written to the case). */
  timings: { acquireMs: number; landMs: number; commitMs: number };
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
  let trail: TrailSummary | null = null;
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
    // 1. acquisition: copy and hash every input before anything parses it
    const { pendings, outcomes: skipped } = await acquireInputs(inputs, { paths: p, staging, source: o.source, snapshotOverride, known });
    outcomes.push(...skipped);
    lap('acquireMs');
    // 2. landing, then one catalog row and one outcome per acquired file
    const landings = await landPendings(store, pendings, cfg, staging, o.log);
    const meta = { acquiredAt, operator, toolVersion: TOOL_ID, ingestId };
    const rows = pendings.map((x) => evidenceFileRow(x, landings.get(x.efid) ?? null, meta));
    for (const [i, x] of pendings.entries()) {
      const status = rows[i]!.status;
      outcomes.push({ origin: x.input.origin, evidenceFileId: x.efid, status, source: x.collector?.source ?? null, message: x.refusal ?? '', landing: landings.get(x.efid) ?? null });
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
    if (rows.some((r) => r.status === 'landed' && r.source_type?.startsWith('cloudtrail-'))) trail = await validateCaseTrail(store);
  } finally {
    store.close();
    rmSync(p.staging, { recursive: true, force: true });
    unlock();
  }
  outcomes.sort((a, b) => (a.origin < b.origin ? -1 : a.origin > b.origin ? 1 : 0));
  const landedRecords = outcomes.reduce((n, f) => n + (f.landing?.landed ?? 0), 0);
  const usable = landedRecords > 0 || outcomes.some((f) => f.status === 'already-ingested' || (f.landing !== null && f.landing.total > 0));
  return { files: outcomes, landedRecords, usable, trail, timings };
}

export function isCase(dir: string): boolean {
  return existsSync(casePaths(dir).config);
}

export type { CasePaths, FileOutcome };
