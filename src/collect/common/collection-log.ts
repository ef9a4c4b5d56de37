import { closeSync, fdatasync, fsyncSync, openSync, writeSync } from 'node:fs';
import { canonicalJson } from '../../core/canonical-json.js';
import type { RequestRecord } from './request-record.js';

export const COLLECTION_LOG_FORMAT = 'podtrail.collection/v1';

/** A stretch of evidence the collection could not get, for the gaps checks. */
export interface GapRecord {
  collection_id: string;
  run: number;
  server: string;
  /** forbidden | not-collected | interrupted | watch-expired | watch-paused */
  gap: string;
  resource: string;
  verb: string;
  /** What the gap spans (local clock), when it spans time. */
  from: string | null;
  to: string | null;
  at: string;
  message: string;
}

/** A complete list (every page) of one resource: the snapshot instant by both clocks. */
export interface SnapshotRecord {
  collection_id: string;
  run: number;
  server: string;
  resource: string;
  /** Local clock when the first page's response came (the instant in the file names). */
  snapshot_at: string;
  server_date: string | null;
  clock_difference_ms: number | null;
  resource_version: string | null;
  pages: number;
  items: number;
  files: string[];
  at: string;
}

/** The start or end of a run: who collected, from where, what was asked. */
export interface RunRecord {
  collection_id: string;
  run: number;
  server: string;
  /** started | finished | interrupted | failed */
  state: string;
  identity: string;
  identity_source: string;
  at: string;
  message: string;
}

export type CollectionRecord =
  | ({ record: 'request' } & RequestRecord)
  | ({ record: 'gap' } & GapRecord)
  | ({ record: 'snapshot' } & SnapshotRecord)
  | ({ record: 'run' } & RunRecord);

/**
 * The collection log of one run: JSON lines (podtrail.collection/v1), one per request, snapshot,
 * gap and run state, appended as they happen and synced to disk at each flush. `podtrail ingest`
 * lands it into the collection_log table.
 */
export class CollectionLog {
  private fd: number;
  private dirty = false;
  constructor(readonly file: string) {
    this.fd = openSync(file, 'a');
  }

  append(r: CollectionRecord): void {
    writeSync(this.fd, `${canonicalJson({ format: COLLECTION_LOG_FORMAT, ...r })}\n`);
    this.dirty = true;
  }

  flush(): void {
    if (this.dirty) fsyncSync(this.fd);
    this.dirty = false;
  }

  /** As flush, off the event loop: every line appended before the call is on disk when it resolves. */
  async sync(): Promise<void> {
    if (!this.dirty) return;
    this.dirty = false;
    await new Promise<void>((resolve, reject) => fdatasync(this.fd, (e) => (e ? reject(e) : resolve())));
  }

  close(): void {
    this.flush();
    closeSync(this.fd);
  }
}
