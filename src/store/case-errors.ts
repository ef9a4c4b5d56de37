import type { CasePaths } from '../case/case-paths.js';
import { busyMessage, CaseBusyError, describeProcess, lockHolder } from '../case/case-lock.js';
import { CaseError } from '../core/errors.js';

/** How to get a working case.duckdb back: it only holds views and derived tables. */
export function rebuildDatabaseHint(p: CasePaths): string {
  const db = p.database;
  return (
    `case.duckdb holds no evidence (the lake and raw/ are the system of record): move it aside` +
    ` (mv ${db} ${db}.broken, and ${db}.wal if there is one), then run podtrail correlate and podtrail check,` +
    ` which rebuild it from the lake`
  );
}

/**
 * A DuckDB error from opening case.duckdb, as the user should see it: a file lock held by another
 * process is the case-lock refusal naming that process (the lock file's command, else what /proc
 * says it runs); a file that is not a usable DuckDB database names the file, what is wrong and how
 * to rebuild it. Anything else is returned unchanged.
 */
export function caseDatabaseError(p: CasePaths, e: unknown): unknown {
  const msg = e instanceof Error ? e.message : String(e);
  const lock = /Could not set lock on file .*Conflicting lock is held in .*\(PID (\d+)\)/s.exec(msg);
  if (lock) {
    const pid = Number(lock[1]);
    const holder = lockHolder(p.lock) ?? { pid, command: describeProcess(pid) };
    return new CaseBusyError(busyMessage(p.root, holder));
  }
  if (/Could not set lock on file/.test(msg)) return new CaseBusyError(busyMessage(p.root, lockHolder(p.lock) ?? { pid: 0, command: 'another process' }));
  const broken =
    /not a valid DuckDB database file|Could not read enough bytes|Is a directory|database file .* (is|was) (corrupt|truncated)|checksum|Corrupt|Serialization Error|INTERNAL Error|Catalog Error: .*WAL|Failure while replaying WAL|wal/i.test(msg) &&
    !/Permission denied/.test(msg);
  if (broken) {
    const what = msg.split('\n')[0]!.replace(/^IO Error: /, '').replaceAll(p.database, 'it');
    return new CaseError(`${p.database} is not a usable DuckDB database (${what}). ${rebuildDatabaseHint(p)}`);
  }
  if (/Permission denied/.test(msg)) return new CaseError(`${p.database}: permission denied (${msg.split('\n')[0]})`);
  return e;
}
