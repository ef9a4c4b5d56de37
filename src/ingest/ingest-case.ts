import { existsSync, mkdirSync, rmSync, readFileSync } from 'node:fs';
import path from 'node:path';
import os from 'node:os';
import { createHash } from 'node:crypto';
import { loadCaseConfig } from '../case/case-config.js';
import { casePaths, type CasePaths } from '../case/case-paths.js';
import type { Clock } from '../core/clock.js';
import { parseInstant } from '../core/clock.js';
import { CliError, ExitCode } from '../core/errors.js';
import { TOOL_ID } from '../core/version.js';
import { discoverInputs } from './discover-inputs.js';
import { acquireInputs, type FileOutcome } from './acquire-inputs.js';
import { landPendings, replacedCopies } from './land-pending.js';
import { evidenceFileRow } from './evidence-row.js';
import { commitIngest } from './commit.js';
import { faultPoint } from '../core/fault-point.js';
import type { SourceType } from '../collectors/types.js';
import { withCaseLock, withCaseStore } from '../store/locked-case.js';
import { readEvidenceFiles } from '../store/catalog.js';
import { lineProgress, type Progress } from '../core/progress.js';
import { validateCaseTrail, type TrailSummary } from '../cloudtrail-digest/materialize.js';

export interface IngestOptions {
  caseDir: string;
  paths: string[];
  source: SourceType | null;
  operator: string | null;
  snapshotAt: string | null;
  /** When the inputs were collected from their source (e.g. when a lookup-events run was made), if known. */
  collectedAt?: string | null;
  clock: Clock;
  /** Notes (stderr), and the steps' lines when no progress is given. */
  log: (line: string) => void;
  /** Progress of acquisition and landing, per file (bytes, records, rate, ETA). */
  progress?: Progress;
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
  const acquiredAt = o.clock.nowIso();
  const operator = o.operator ?? os.userInfo().username;
  const collectedAt = o.collectedAt ? parseInstant(o.collectedAt, '--collected-at').toISOString() : null;
  if (collectedAt !== null && collectedAt > acquiredAt) {
    throw new CliError(`--collected-at ${collectedAt} is after the acquisition time ${acquiredAt}: evidence is collected before it is acquired`, ExitCode.usage);
  }
  const snapshotOverride = o.snapshotAt ? parseInstant(o.snapshotAt, '--snapshot-at').toISOString() : null;
  const discovered = discoverInputs(o.paths, p);
  const inputs = discovered.files
    .map((i) => ({ ...i, origin: o.replay?.origins.get(i.abs) ?? i.origin }))
    .sort((a, b) => (a.origin < b.origin ? -1 : a.origin > b.origin ? 1 : 0));
  const ingestId = o.replay?.ingestId ?? createHash('sha256').update(acquiredAt).update(inputs.map((i) => i.origin).join('\n')).digest('hex').slice(0, 16);
  const progress = o.progress ?? lineProgress(o.log);
  const outcomes: FileOutcome[] = discovered.refused.map((r) => ({ origin: r.origin, evidenceFileId: '', status: 'refused', source: null, message: r.reason, landing: null }));
  const timings = { acquireMs: 0, landMs: 0, commitMs: 0 };
  let done = false;
  let trail: TrailSummary | null = null;
  await withCaseLock(p, async () => {
    try {
      // opening settles what an interrupted command left (custody roll-forward, orphans)
      await withCaseStore(p, { write: true, log: (l) => progress.note(l) }, async (store) => {
        const staging = path.join(p.staging, ingestId);
        mkdirSync(staging, { recursive: true });
        mkdirSync(p.raw, { recursive: true });
        let mark = performance.now();
        const lap = (phase: keyof typeof timings): void => {
          const now = performance.now();
          timings[phase] += now - mark;
          mark = now;
        };
        const existing = await readEvidenceFiles(store, p.lake);
        const known = new Map(existing.map((r) => [r.evidence_file_id, r]));
        // 1. acquisition: copy and hash every input before anything parses it
        const { pendings, outcomes: skipped } = await acquireInputs(inputs, { paths: p, staging, ingestId, source: o.source, snapshotOverride, known, progress });
        outcomes.push(...skipped);
        lap('acquireMs');
        faultPoint('after-acquire');
        // 2. landing, then one catalog row and one outcome per acquired file
        const landings = await landPendings(store, pendings, cfg, staging, progress);
        const replaced = await replacedCopies(store, landings);
        for (const [file, n] of countBy(replaced.map((r) => r.evidence_file_id))) {
          const staged = landings.get(file);
          // a file of this ingest: its counts change here; a committed one's in the catalog at commit
          if (staged) {
            staged.landed -= n;
            staged.duplicate += n;
          }
          const origin = known.get(file)?.origin ?? pendings.find((x) => x.efid === file)?.input.origin ?? file;
          progress.note(`replaced: ${n} CloudTrail event${n === 1 ? '' : 's'} of evidence ${file} (${origin}) by their S3 log file copies`);
        }
        const meta = { acquiredAt, collectedAt, operator, toolVersion: TOOL_ID, ingestId };
        const rows = pendings.map((x) => evidenceFileRow(x, landings.get(x.efid) ?? null, meta));
        for (const [i, x] of pendings.entries()) {
          const status = rows[i]!.status;
          outcomes.push({ origin: x.input.origin, evidenceFileId: x.efid, status, source: x.collector?.source ?? null, message: x.refusal ?? '', landing: landings.get(x.efid) ?? null });
        }
        lap('landMs');
        faultPoint('after-land');
        // 3. commit: partitions into the lake, custody entries, then the catalog (the commit point)
        const refusedInputs = [...discovered.refused, ...skipped.filter((f) => f.status === 'refused').map((f) => ({ origin: f.origin, reason: f.message }))];
        if (rows.length > 0 || refusedInputs.length > 0) {
          await commitIngest(store, p, {
            rows,
            refusedInputs,
            replaced,
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
        done = true;
      });
    } finally {
      // after a failure the journal of raw/ copies stays for the next command's recovery; after a
      // success staging goes while the lock is still held (another writer's staging is never touched)
      if (done) rmSync(p.staging, { recursive: true, force: true });
    }
  });
  outcomes.sort((a, b) => (a.origin < b.origin ? -1 : a.origin > b.origin ? 1 : 0));
  const landedRecords = outcomes.reduce((n, f) => n + (f.landing?.landed ?? 0), 0);
  const usable = landedRecords > 0 || outcomes.some((f) => f.status === 'already-ingested' || (f.landing !== null && f.landing.total > 0));
  return { files: outcomes, landedRecords, usable, trail, timings };
}

export function isCase(dir: string): boolean {
  return existsSync(casePaths(dir).config);
}

export type { CasePaths, FileOutcome };

function countBy(keys: string[]): Map<string, number> {
  const m = new Map<string, number>();
  for (const k of keys) m.set(k, (m.get(k) ?? 0) + 1);
  return m;
}
