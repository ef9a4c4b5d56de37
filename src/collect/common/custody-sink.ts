import os from 'node:os';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { writeFileDurably, type CustodyEntryInput } from '../../custody/custody-log.js';
import { CustodyAppender } from '../../custody/custody-append.js';
import { busyMessage, CaseBusyError, lockHolder, tryLockCase } from '../../case/case-lock.js';
import type { CasePaths } from '../../case/case-paths.js';
import { TOOL_ID } from '../../core/version.js';
import type { RequestRecord } from './request-record.js';
import { sleep } from './retry.js';

/** How long a batch waits for the case lock before it is spilled (a reader holds it only while it opens the case). */
const LOCK_WAIT_MS = 3000;

/**
 * Custody entries of a live collection, appended to the case's hash-chained log in batches (after
 * the evidence they describe is on disk), each batch under the case lock, in place (CustodyAppender:
 * the log is verified whole once per run, then only appended to). A batch that cannot take the lock
 * (an ingest running) is kept in `spillFile` (written whole) and goes with the next flush, of this
 * run or, after a kill, of the next one. Batches are appended one at a time, in the order taken.
 */
export class CustodySink {
  private pending: CustodyEntryInput[] = [];
  /** Entries of batches that found the case locked (in the spill file), appended before the next batch. */
  private spilled: CustodyEntryInput[] = [];
  private appending: Promise<void> = Promise.resolve();
  private readonly appender: CustodyAppender;
  readonly actor: string;
  constructor(
    private readonly paths: CasePaths,
    operator: string | null,
    private readonly spillFile: string,
  ) {
    this.actor = operator ?? os.userInfo().username;
    this.appender = new CustodyAppender(paths.custody, this.actor);
    if (existsSync(spillFile)) this.spilled = JSON.parse(readFileSync(spillFile, 'utf8')) as CustodyEntryInput[];
  }

  request(r: RequestRecord): void {
    this.add(`${r.method} ${r.path} -> ${r.status ?? 'no response'} ${r.outcome}`, r.responded_at, { kind: 'request', ...r });
  }

  add(purpose: string, at: string, object: Record<string, unknown>): void {
    this.pending.push({ action: 'collected', at, actor: this.actor, tool: TOOL_ID, purpose, object });
  }

  get pendingCount(): number {
    return this.spilled.length + this.pending.length;
  }

  /** Everything pending, as one batch for `append` (what is added from now on goes with a later one). */
  take(): CustodyEntryInput[] {
    const batch = this.pending;
    this.pending = [];
    return batch;
  }

  /** Appends what is pending; with `wait`, retries the lock for up to `waitMs` and fails after. */
  flush(wait = false, waitMs = 60_000): Promise<void> {
    return this.append(this.take(), wait, waitMs);
  }

  /**
   * Appends a batch taken earlier, after the batches before it (and after any spilled entries). A
   * batch that finds the case locked goes into the spill file, durably, and with the next batch;
   * with `wait` that is thrown after `waitMs` of retrying the lock. A batch that fails to append
   * otherwise goes back in front of what is pending, and the failure is thrown.
   */
  append(batch: CustodyEntryInput[], wait = false, waitMs = 60_000): Promise<void> {
    const run = this.appending.then(() => this.appendNow(batch, wait, waitMs));
    this.appending = run.catch(() => {});
    return run;
  }

  private async appendNow(batch: CustodyEntryInput[], wait: boolean, waitMs: number): Promise<void> {
    if (batch.length === 0 && this.spilled.length === 0) return;
    const deadline = performance.now() + (wait ? waitMs : LOCK_WAIT_MS);
    for (;;) {
      const unlock = tryLockCase(this.paths.lock);
      if (unlock === null) {
        if (performance.now() < deadline) {
          await sleep(wait ? 200 : 100);
          continue;
        }
        this.spilled = [...this.spilled, ...batch];
        writeFileDurably(this.spillFile, JSON.stringify(this.spilled));
        if (wait) throw new CaseBusyError(busyMessage(this.paths.root, lockHolder(this.paths.lock) ?? { pid: 0, command: 'another podtrail command' }));
        return;
      }
      try {
        await this.appender.append([...this.spilled, ...batch]);
      } catch (e) {
        this.pending = [...batch, ...this.pending];
        throw e;
      } finally {
        unlock();
      }
      if (this.spilled.length > 0) {
        this.spilled = [];
        rmSync(this.spillFile, { force: true });
      }
      return;
    }
  }
}
