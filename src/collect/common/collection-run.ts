import path from 'node:path';
import type { CasePaths } from '../../case/case-paths.js';
import type { Checkpoint } from './checkpoint.js';
import { CollectionLog, type GapRecord, type SnapshotRecord } from './collection-log.js';
import { CustodySink } from './custody-sink.js';
import type { HttpExchange } from './exchange.js';
import { requestDigest, serverClock, sha256Hex, type RequestRecord } from './request-record.js';

export interface ExchangeNote {
  resource: string;
  verb: string;
  attempt: number;
  /** ok, or the failure kind. */
  outcome: string;
  resourceVersion?: string | null;
  /** Absolute path of the evidence file holding the response, when kept. */
  responseFile?: string | null;
  /** A streamed response: its byte count and hash (the exchange body is not kept in memory). */
  streamed?: { bytes: number; sha256: string };
  message?: string | null;
  /** The server's request id, the parameters sent, the retry wait and the rate-limit wait (AWS collectors). */
  requestId?: string | null;
  parameters?: Record<string, unknown> | null;
  retryDelayMs?: number | null;
  throttleWaitMs?: number | null;
  /** The server of this request when it is not the run's (a collector that talks to several endpoints). */
  server?: string;
}

/**
 * One run of a live collection: every request it makes goes to the run's collection log and to
 * the case's custody log (request and response sizes and hashes, server clock, identity), every
 * snapshot and gap to the collection log. `commit()` makes what was recorded durable; callers commit
 * after the evidence files a record names are on disk.
 */
export class CollectionRun {
  readonly log: CollectionLog;
  readonly custody: CustodySink;
  private seq = 0;
  private committing: Promise<void> = Promise.resolve();
  identity: string;
  /** SHA-256 of the response body of the request recorded last (saves hashing large bodies twice). */
  lastResponseSha256: string | null = null;

  constructor(
    readonly paths: CasePaths,
    /** The collection folder (absolute). */
    readonly dir: string,
    readonly collectionId: string,
    readonly run: number,
    readonly server: string,
    identity: string,
    operator: string | null,
  ) {
    this.identity = identity;
    this.log = new CollectionLog(path.join(dir, this.logFileName));
    this.custody = new CustodySink(paths, operator, path.join(dir, 'custody-pending.json'));
  }

  get logFileName(): string {
    return `collection-run${String(this.run).padStart(4, '0')}.jsonl`;
  }

  /** A path relative to the case folder (how records name evidence files). */
  rel(abs: string): string {
    return path.relative(this.paths.root, abs).split(path.sep).join('/');
  }

  nextSeq(): number {
    return ++this.seq;
  }

  /** Records one request and its outcome (call once per attempt). */
  recordExchange(ex: HttpExchange, n: ExchangeNote, seq = this.nextSeq()): RequestRecord {
    const u = new URL(ex.url);
    const req = requestDigest(ex.method, ex.url, ex.requestBody);
    const respondedAt = ex.respondedAtMs || Date.now();
    const r: RequestRecord = {
      collection_id: this.collectionId,
      run: this.run,
      seq,
      attempt: n.attempt,
      server: n.server ?? this.server,
      method: ex.method,
      path: `${u.pathname}${u.search}`,
      resource: n.resource,
      verb: n.verb,
      requested_at: new Date(ex.requestedAtMs).toISOString(),
      responded_at: new Date(respondedAt).toISOString(),
      status: ex.status,
      outcome: n.outcome,
      resource_version: n.resourceVersion ?? null,
      request_bytes: req.bytes,
      request_sha256: req.sha256,
      response_bytes: (n.streamed ?? ex.streamed)?.bytes ?? ex.body.length,
      response_sha256: (n.streamed ?? ex.streamed)?.sha256 ?? sha256Hex(ex.body),
      response_file: n.responseFile ? this.rel(n.responseFile) : null,
      ...serverClock(ex.headers['date'], respondedAt),
      identity: this.identity,
      message: n.message ?? null,
      ...(n.requestId !== undefined ? { request_id: n.requestId } : {}),
      ...(n.parameters !== undefined ? { parameters: n.parameters } : {}),
      ...(n.retryDelayMs !== undefined ? { retry_delay_ms: n.retryDelayMs } : {}),
      ...(n.throttleWaitMs !== undefined ? { throttle_wait_ms: n.throttleWaitMs } : {}),
    };
    this.log.append({ record: 'request', ...r });
    this.custody.request(r);
    this.lastResponseSha256 = r.response_sha256;
    return r;
  }

  recordGap(g: Omit<GapRecord, 'collection_id' | 'run' | 'server' | 'at'>): void {
    const at = new Date().toISOString();
    const gap: GapRecord = { collection_id: this.collectionId, run: this.run, server: this.server, at, ...g };
    this.log.append({ record: 'gap', ...gap });
    this.custody.add(`gap: ${g.gap} ${g.verb} ${g.resource}: ${g.message}`, at, { kind: 'gap', ...gap });
  }

  recordSnapshot(s: Omit<SnapshotRecord, 'collection_id' | 'run' | 'server' | 'at'>): void {
    const at = new Date().toISOString();
    const snap: SnapshotRecord = { collection_id: this.collectionId, run: this.run, server: this.server, at, ...s };
    this.log.append({ record: 'snapshot', ...snap });
    this.custody.add(`snapshot of ${s.resource} at ${s.snapshot_at}: ${s.items} items in ${s.pages} pages`, at, { kind: 'snapshot', ...snap });
  }

  recordRun(state: string, identitySource: string, message: string): void {
    const at = new Date().toISOString();
    const r = { collection_id: this.collectionId, run: this.run, server: this.server, state, identity: this.identity, identity_source: identitySource, at, message };
    this.log.append({ record: 'run', ...r });
    this.custody.add(`collection ${this.collectionId} run ${this.run} ${state}: ${message}`, at, { kind: 'run', ...r });
  }

  /**
   * Makes what was recorded so far durable, off the event loop: the log synced, then the custody
   * entries recorded so far appended (waiting for the case lock when `wait`), then, given a
   * checkpoint, the state it had at this call written. The entries and the state are taken at the
   * same instant, so a state on disk never goes with a custody entry that is not (records and
   * state changes made while this commit writes go with the next). Commits complete in the order
   * they were made. `afterCustody` runs between the custody append and the checkpoint (a test's
   * fault point).
   */
  commit(wait = false, checkpoint?: Checkpoint<{ format: string }>, afterCustody?: () => void): Promise<void> {
    const entries = this.custody.take();
    const state = checkpoint?.snapshot();
    const run = this.committing.then(async () => {
      await this.log.sync();
      await this.custody.append(entries, wait);
      afterCustody?.();
      await state?.write();
    });
    this.committing = run.catch(() => {});
    return run;
  }

  async close(): Promise<void> {
    await this.committing; // the commits made so far first (one may be syncing the log)
    this.log.close();
    await this.custody.flush(true);
  }
}
