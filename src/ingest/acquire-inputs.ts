import { existsSync, renameSync, rmSync, statSync } from 'node:fs';
import { count, formatBytes, silentProgress, type Progress } from '../core/progress.js';
import path from 'node:path';
import { createHash } from 'node:crypto';
import type { CasePaths } from '../case/case-paths.js';
import { acquireFile, type AcquiredFile } from '../acquire/acquire-file.js';
import { HashWorker } from '../acquire/hash-worker.js';
import type { Collector, SourceType } from '../collectors/types.js';
import type { InputFile } from './discover-inputs.js';
import { detectSource } from './detect-source.js';
import type { FileLanding } from './file-landing.js';
import { snapshotFromFileName, SNAPSHOT_NAME_HELP } from './snapshot-time.js';
import { ACQUIRING_PREFIX, journalRawCopy } from '../case/recover-case.js';
import { faultPoint } from '../core/fault-point.js';

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
  /** This ingest: its journal lists every copy moved into raw/ (see case/recover-case). */
  ingestId: string;
  /** --source: the declared type, or null to detect it from the content. */
  source: SourceType | null;
  /** --snapshot-at, as ISO, or null to read the snapshot time from the file name. */
  snapshotOverride: string | null;
  /** Evidence already in the catalog, by evidence file id, with its recorded origin. */
  known: ReadonlyMap<string, { origin: string }>;
  /** Bytes copied and hashed so far, per file. */
  progress?: Progress;
}

function readError(e: unknown): string {
  const err = e as NodeJS.ErrnoException;
  if (err.code === 'ELOOP') return 'a symbolic link where a file was found at discovery';
  if (err.code === 'ENOTREG') return 'no longer a regular file';
  if (err.code === 'ENAMETOOLONG') return 'path too long';
  if (err.code === 'EACCES' || err.code === 'EPERM') return 'permission denied';
  return err.code ?? err.message;
}

/** Longest file name most file systems take (bytes). */
const NAME_MAX = 255;

/**
 * A raw copy's file name: `<evidence id>-<name as given>`, the name shortened (keeping its
 * extensions) when the whole would not fit in NAME_MAX bytes.
 */
export function rawName(efid: string, name: string): string {
  const full = `${efid}-${name}`;
  if (Buffer.byteLength(full) <= NAME_MAX) return full;
  const ext = /(\.[A-Za-z0-9]{1,10}){0,2}$/.exec(name)?.[0] ?? '';
  const room = NAME_MAX - Buffer.byteLength(`${efid}-~${ext}`);
  let stem = Buffer.from(name.slice(0, name.length - ext.length)).subarray(0, room).toString('utf8');
  // a character cut in the middle decodes as U+FFFD: drop it
  stem = stem.replace(/\uFFFD+$/, '');
  while (Buffer.byteLength(stem) > room) stem = stem.slice(0, -1);
  return `${efid}-${stem}~${ext}`;
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
  const progress = ctx.progress ?? silentProgress;
  const total = inputs.reduce((n, i) => n + (existsSync(i.abs) ? statSync(i.abs).size : 0), 0);
  const t0 = performance.now();
  let bytes = 0;
  progress.begin(`acquiring ${count(inputs.length, 'file')}`, total, 'bytes');
  try {
    for (const [n, input] of inputs.entries()) {
      await acquireOne(n, input);
      bytes += existsSync(input.abs) ? statSync(input.abs).size : 0;
      progress.tick(bytes, input.origin);
    }
  } finally {
    await hashes.close();
  }
  progress.end(`acquired ${count(inputs.length, 'file')} (${formatBytes(bytes)} copied and hashed) in ${((performance.now() - t0) / 1000).toFixed(2)} s`);
  return { pendings, outcomes };

  async function acquireOne(n: number, input: InputFile): Promise<void> {
    const tmpRaw = path.join(p.raw, `${ACQUIRING_PREFIX}${n}`);
    let acquired: AcquiredFile;
    try {
      acquired = await acquireFile(input.abs, tmpRaw, path.join(ctx.staging, `content-${n}`), hashes);
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (typeof code !== 'string' || !code.startsWith('E')) throw e;
      // this file only: the others are acquired; nothing of it stays in raw/
      rmSync(tmpRaw, { force: true });
      rmSync(`${tmpRaw}.partial`, { force: true });
      outcomes.push({ origin: input.origin, evidenceFileId: '', status: 'refused', source: null, message: `could not be read (${readError(e)}): nothing acquired`, landing: null });
      return;
    }
    faultPoint('mid-acquire');
    const d = detectSource(acquired.scan, ctx.source);
    let refusal = d.ok ? null : d.reason;
    const gz = acquired.gzip?.problems[0];
    if (refusal !== null && gz) {
      refusal = acquired.scan.bytes === 0 ? `nothing inflated: ${gz.code} at byte ${gz.byteOffset} (${gz.message})` : `${refusal}; gzip: ${gz.code} at byte ${gz.byteOffset} (${gz.message})`;
    }
    let snapshotAt: string | null = null;
    if (d.ok && d.collector.needsSnapshot) {
      snapshotAt = ctx.snapshotOverride ?? snapshotFromFileName(path.basename(input.origin));
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
    const rawRel = `raw/${rawName(efid, path.basename(input.origin))}`;
    journalRawCopy(p, ctx.ingestId, rawRel);
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
