import { existsSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { IntegrityError } from '../core/errors.js';
import { extendCustody, readCustody, verifyChain, writeFileDurably, type CustodyEntry, type CustodyEntryInput } from './custody-log.js';

/**
 * An ingest writes its custody entries to custody.jsonl.next before its commit point (the catalog)
 * and renames it over custody.jsonl after: a crash in between leaves a committed ingest whose
 * entries are only in the .next file. Nothing may read or extend the custody log until that is
 * settled (settlePendingCustody).
 */
export function custodyNext(custodyFile: string): string {
  return `${custodyFile}.next`;
}

export function hasPendingCustody(custodyFile: string): boolean {
  return existsSync(custodyNext(custodyFile));
}

function ingestIdOf(line: string): string | null {
  try {
    const id = (JSON.parse(line) as CustodyEntry).object?.['ingest_id'];
    return typeof id === 'string' ? id : null;
  } catch {
    return null;
  }
}

/**
 * Completes or drops a pending custody roll-forward, given the ingest ids the catalog lists:
 * - the pending ingest is committed and custody.jsonl is still the log the .next file extends:
 *   the .next file replaces it (the rename the crash prevented);
 * - committed, but entries were appended to custody.jsonl since (by a podtrail that did not settle
 *   first): the ingest's entries are appended after them, re-chained, so nothing is lost;
 * - not committed: the .next file is dropped (the ingest left nothing in the lake).
 * A .next file that does not extend custody.jsonl by that ingest's entries alone is refused.
 * Returns notes for the log.
 */
export function settlePendingCustody(custodyFile: string, committedIngestIds: ReadonlySet<string>): string[] {
  const next = custodyNext(custodyFile);
  rmSync(`${next}.tmp`, { force: true });
  if (!existsSync(next)) return [];
  const pending = readFileSync(next, 'utf8').split('\n').filter((l) => l.length > 0);
  const ingestId = pending.length > 0 ? ingestIdOf(pending[pending.length - 1]!) : null;
  if (ingestId === null || !committedIngestIds.has(ingestId)) {
    rmSync(next, { force: true });
    return ['recovered: an interrupted ingest left no trace in the catalog; its pending custody entries were dropped'];
  }
  const { lines } = readCustody(custodyFile);
  let shared = 0;
  while (shared < lines.length && shared < pending.length && lines[shared] === pending[shared]) shared++;
  const own = pending.slice(shared);
  const problems = verifyChain(pending);
  if (own.some((l) => ingestIdOf(l) !== ingestId) || problems.length > 0) {
    throw new IntegrityError(
      `${next} holds the custody entries of committed ingest ${ingestId}, but it does not extend ${custodyFile} by that ingest's entries alone` +
        ` (${problems[0] ?? 'the logs disagree before that ingest'}): refusing to complete it; compare the two files and restore the log`,
    );
  }
  if (shared === lines.length) {
    renameSync(next, custodyFile);
    return [`recovered: custody entries of ingest ${ingestId} completed after an interruption`];
  }
  const entries: CustodyEntryInput[] = own.map((l) => {
    const { seq: _seq, prev: _prev, ...input } = JSON.parse(l) as CustodyEntry;
    return input;
  });
  writeFileDurably(custodyFile, extendCustody(custodyFile, entries).text);
  rmSync(next, { force: true });
  return [`recovered: custody entries of ingest ${ingestId} appended after ${lines.length - shared} entries written since its commit`];
}
