import os from 'node:os';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { appendCustody, writeFileDurably, type CustodyEntryInput } from '../../custody/custody-log.js';
import { lockCase } from '../../case/case-lock.js';
import type { CasePaths } from '../../case/case-paths.js';
import { TOOL_ID } from '../../core/version.js';
import { CliError } from '../../core/errors.js';
import type { RequestRecord } from './request-record.js';
import { sleep } from './retry.js';

/**
 * Custody entries of a live collection, appended to the case's hash-chained log in batches (after
 * the evidence they describe is on disk), each batch under the case lock. A batch that cannot take
 * the lock (an ingest running) is kept in `spillFile` (written whole) and goes with the next flush,
 * of this run or, after a kill, of the next one.
 */
export class CustodySink {
  private pending: CustodyEntryInput[] = [];
  readonly actor: string;
  constructor(
    private readonly paths: CasePaths,
    operator: string | null,
    private readonly spillFile: string,
  ) {
    this.actor = operator ?? os.userInfo().username;
    if (existsSync(spillFile)) this.pending = JSON.parse(readFileSync(spillFile, 'utf8')) as CustodyEntryInput[];
  }

  request(r: RequestRecord): void {
    this.add(`${r.method} ${r.path} -> ${r.status ?? 'no response'} ${r.outcome}`, r.responded_at, { kind: 'request', ...r });
  }

  add(purpose: string, at: string, object: Record<string, unknown>): void {
    this.pending.push({ action: 'collected', at, actor: this.actor, tool: TOOL_ID, purpose, object });
  }

  get pendingCount(): number {
    return this.pending.length;
  }

  /** Appends what is pending; with `wait`, retries the lock for up to `waitMs` and fails after. */
  async flush(wait = false, waitMs = 60_000): Promise<void> {
    if (this.pending.length === 0) return;
    const deadline = performance.now() + (wait ? waitMs : 0);
    for (;;) {
      let unlock: (() => void) | null = null;
      try {
        unlock = lockCase(this.paths.lock, this.paths.root);
      } catch (e) {
        if (!(e instanceof CliError) || performance.now() >= deadline) {
          writeFileDurably(this.spillFile, JSON.stringify(this.pending));
          if (wait) throw e;
          return;
        }
        await sleep(200);
        continue;
      }
      try {
        appendCustody(this.paths.custody, this.pending);
        this.pending = [];
        rmSync(this.spillFile, { force: true });
        return;
      } finally {
        unlock();
      }
    }
  }
}
