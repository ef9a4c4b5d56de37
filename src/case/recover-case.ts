import { appendFileSync, existsSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import type { CasePaths } from './case-paths.js';
import { settlePendingCustody } from '../custody/pending.js';
import { hasTornTail, repairTornAppend } from '../custody/custody-log.js';
import { evidenceFilesParquet, orphanPartitions } from '../lake/lake-files.js';
import { LAKE_TABLE_NAMES } from '../lake/schema.js';

/** What recovery needs of each catalog row. */
export interface CatalogEntry {
  evidence_file_id: string;
  ingest_id: string;
  raw_path: string;
}

/** Prefix of an input's copy in raw/ while it is being acquired (removed by recovery). */
export const ACQUIRING_PREFIX = '.acquiring-';

/**
 * An ingest lists every copy it moves into raw/ in a journal under lake/.staging before the move,
 * so that recovery can tell a copy an interrupted ingest left behind (removed) from a file someone
 * put into raw/ (left in place: a bundle refuses it).
 */
export function rawJournal(p: CasePaths, ingestId: string): string {
  return path.join(p.staging, `${ingestId}.acquired`);
}

export function journalRawCopy(p: CasePaths, ingestId: string, rawRel: string): void {
  appendFileSync(rawJournal(p, ingestId), `${rawRel}\n`);
}

function journaledRawCopies(p: CasePaths): Set<string> {
  const out = new Set<string>();
  if (!existsSync(p.staging)) return out;
  for (const f of readdirSync(p.staging)) {
    if (!f.endsWith('.acquired')) continue;
    for (const l of readFileSync(path.join(p.staging, f), 'utf8').split('\n')) if (l.length > 0) out.add(l);
  }
  return out;
}

/** Cheap test (no catalog read) for what an interrupted writer may have left to settle. */
export function mayNeedRecovery(p: CasePaths): boolean {
  if (existsSync(`${p.custody}.next`) || existsSync(p.staging) || hasTornTail(p.custody)) return true;
  return existsSync(p.raw) && readdirSync(p.raw).some((f) => f.startsWith('.'));
}

/**
 * Settles what an interrupted podtrail command left, before anything reads or writes the case
 * (the caller holds the case lock): cuts the incomplete tail an interrupted custody append left
 * (and records it in the chain), completes or drops a pending custody roll-forward, removes
 * lake partitions and raw/ copies no catalog row owns (only copies an ingest journaled: anything
 * else in raw/ stays, for the bundle's integrity check to name), the staging folder and temp
 * files of interrupted writes. Returns one note per action, for the log.
 */
export function recoverCase(p: CasePaths, catalog: readonly CatalogEntry[]): string[] {
  const notes: string[] = [];
  const torn = repairTornAppend(p.custody);
  if (torn !== null) notes.push(torn);
  notes.push(...settlePendingCustody(p.custody, new Set(catalog.map((r) => r.ingest_id))));
  rmSync(`${p.custody}.tmp`, { force: true });
  rmSync(`${evidenceFilesParquet(p.lake)}.tmp`, { force: true });
  const ids = new Set(catalog.map((r) => r.evidence_file_id));
  for (const dir of orphanPartitions(p.lake, LAKE_TABLE_NAMES, ids)) {
    rmSync(dir, { recursive: true, force: true });
    notes.push(`recovered: removed ${path.relative(p.root, dir)} (not in the catalog)`);
  }
  if (existsSync(p.raw)) {
    const catalogued = new Set(catalog.map((r) => r.raw_path));
    const journaled = journaledRawCopies(p);
    for (const f of readdirSync(p.raw).sort()) {
      const rel = `raw/${f}`;
      if (catalogued.has(rel)) continue;
      if (f.startsWith(ACQUIRING_PREFIX) || journaled.has(rel)) {
        rmSync(path.join(p.raw, f), { force: true, recursive: true });
        notes.push(`recovered: removed ${rel} (copied by an interrupted ingest, never catalogued)`);
      }
    }
  }
  if (existsSync(p.staging)) rmSync(p.staging, { recursive: true, force: true });
  for (const f of staleReaderFiles(p)) rmSync(f, { force: true });
  return notes;
}

/** Reader databases left by a process that died (their pid is gone). */
export function staleReaderFiles(p: CasePaths): string[] {
  if (!existsSync(p.tmp)) return [];
  return readdirSync(p.tmp)
    .filter((f) => {
      const m = /^reader-(\d+)-\d+\.duckdb(\.wal)?$/.exec(f);
      if (!m) return false;
      try {
        process.kill(Number(m[1]), 0);
        return false;
      } catch (e) {
        return (e as NodeJS.ErrnoException).code !== 'EPERM';
      }
    })
    .map((f) => path.join(p.tmp, f));
}
