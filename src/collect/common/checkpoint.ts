import { existsSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { writeFileDurably } from '../../custody/custody-log.js';
import { CliError } from '../../core/errors.js';

/** The checkpoint's state as it was at one instant, to be written later (`write`, off the event loop). */
export interface CheckpointSnapshot {
  write(): Promise<void>;
}

/**
 * A collection's resume state, one JSON file written whole (temp file, fsync, rename), so an
 * interrupted run leaves either the previous state or the new one, never half of each. `save()`
 * writes it at once, on the event loop; `snapshot()` serializes the state at that instant and
 * writes it later, off the event loop (what a collector commits with its custody entries: the
 * state that goes with them, not whatever it has become by the time they are on disk). A written
 * state never replaces a newer one: snapshots are written in the order taken, and one older than
 * a state already saved is dropped.
 */
export class Checkpoint<T extends { format: string }> {
  /** The last state serialized, and the last one on disk (counters, in the order taken). */
  private taken = 0;
  private written = 0;
  private writing: Promise<void> = Promise.resolve();
  constructor(
    readonly file: string,
    readonly state: T,
  ) {}

  static load<T extends { format: string }>(file: string, format: string): Checkpoint<T> | null {
    if (!existsSync(file)) return null;
    let state: T;
    try {
      state = JSON.parse(readFileSync(file, 'utf8')) as T;
    } catch (e) {
      throw new CliError(`${file}: unreadable collection checkpoint (${(e as Error).message}); move the collection folder aside to start afresh`);
    }
    if (state.format !== format) throw new CliError(`${file}: not a ${format} checkpoint (format ${JSON.stringify(state.format)})`);
    return new Checkpoint(file, state);
  }

  save(): void {
    const n = ++this.taken;
    writeFileDurably(this.file, this.text());
    this.written = n;
  }

  snapshot(): CheckpointSnapshot {
    const n = ++this.taken;
    const text = this.text();
    return {
      write: () => {
        const run = this.writing.then(() => this.writeTaken(n, text));
        this.writing = run.catch(() => {});
        return run;
      },
    };
  }

  private text(): string {
    return `${JSON.stringify(this.state, null, 2)}\n`;
  }

  private async writeTaken(n: number, text: string): Promise<void> {
    if (n <= this.written) return;
    const tmp = `${this.file}.saving`; // not save()'s temp name: a save() may run while this one is written
    const fh = await open(tmp, 'w');
    try {
      await fh.writeFile(text);
      await fh.datasync();
    } finally {
      await fh.close();
    }
    // the rename is synchronous, so no save() can come between this check and it
    if (n <= this.written) rmSync(tmp, { force: true });
    else {
      renameSync(tmp, this.file);
      this.written = n;
    }
  }
}
