import { renameSync, rmSync } from 'node:fs';
import path from 'node:path';
import { createHash } from 'node:crypto';
import type { CasePaths } from '../case/case-paths.js';
import { acquireFile, type AcquiredFile } from '../acquire/acquire-file.js';
import { HashWorker } from '../acquire/hash-worker.js';
import type { Collector, SourceType } from '../collectors/types.js';
import type { InputFile } from './discover-inputs.js';
import { detectSource } from './detect-source.js';
import type { FileLanding } from './land-file.js';
import { snapshotFromFileName, SNAPSHOT_NAME_HELP } from './snapshot-time.js';

/** What one command said about one input. */
export interface FileOutcome {
  origin: string;
  evidenceFileId: string;
  status: 'landed' | 'refused' | 'already-ingested';
  source: string | null;
  message: string;
  landing: FileLanding | null;
}

/** An input acquired into raw/ and waiting to land (or refused, with the reason). */
export interface PendingFile {
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

export interface AcquireContext {
  paths: CasePaths;
  /** Per-run scratch folder (inflated gzip content). */
  staging: string;
  /** --source: the declared type, or null to detect it from the content. */
  source: SourceType | null;
  /** --snapshot-at, as ISO, or null to read the snapshot time from the file name. */
  snapshotOverride: string | null;
  /** Evidence already in the catalog, by evidence file id, with its recorded origin. */
  known: ReadonlyMap<string, { origin: string }>;
}

/** The evidence id is derived from the content; for an inventory snapshot also from its instant,
 * since the same bytes taken at two instants are two observations. */
function evidenceFileId(sha256: string, snapshotAt: string | null): string {
  return snapshotAt ? createHash('sha256').update(`${sha256}\n${snapshotAt}`).digest('hex').slice(0, 16) : sha256.slice(0, 16);
}

/**
 * Acquisition: copies and hashes every input into raw/ before anything parses it, detects its
 * source, and sets aside inputs whose evidence is already in the case (same bytes, same instant).
 */
export async function acquireInputs(inputs: readonly InputFile[], ctx: AcquireContext): Promise<{ pendings: PendingFile[]; outcomes: FileOutcome[] }> {
  const pendings: PendingFile[] = [];
  const outcomes: FileOutcome[] = [];
  const p = ctx.paths;
  const hashes = new HashWorker();
  try {
    for (const [n, input] of inputs.entries()) await acquireOne(n, input);
  } finally {
    await hashes.close();
  }
  return { pendings, outcomes };

  async function acquireOne(n: number, input: InputFile): Promise<void> {
    const tmpRaw = path.join(p.raw, `.acquiring-${n}`);
    const acquired = await acquireFile(input.abs, tmpRaw, path.join(ctx.staging, `content-${n}`), hashes);
    const d = detectSource(acquired.scan, ctx.source);
    let refusal = d.ok ? null : d.reason;
    let snapshotAt: string | null = null;
    if (d.ok && d.collector.needsSnapshot) {
      snapshotAt = ctx.snapshotOverride ?? snapshotFromFileName(path.basename(input.abs));
      if (!snapshotAt) refusal = `inventory snapshot without a time: ${SNAPSHOT_NAME_HELP}`;
    }
    const qualifier = d.ok && d.collector.qualifierFromName ? d.collector.qualifierFromName(input.origin) : null;
    const efid = evidenceFileId(acquired.sha256, snapshotAt ?? (qualifier === null ? null : `${d.ok ? d.collector.source : ''}:${qualifier}`));
    const priorOrigin = ctx.known.get(efid)?.origin ?? pendings.find((x) => x.efid === efid)?.input.origin;
    if (priorOrigin !== undefined) {
      rmSync(tmpRaw, { force: true });
      outcomes.push({ origin: input.origin, evidenceFileId: efid, status: 'already-ingested', source: null, message: `same bytes as evidence ${efid} (${priorOrigin}): nothing changed`, landing: null });
      return;
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
}
