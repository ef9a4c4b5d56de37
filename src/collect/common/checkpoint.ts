import { existsSync, readdirSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { open } from 'node:fs/promises';
import path from 'node:path';
import { writeFileDurably } from '../../custody/custody-log.js';
import { CliError } from '../../core/errors.js';
import { JournalTracker, replayJournal, type JournalPointer } from './checkpoint-journal.js';

/** The checkpoint's state as it was at one instant, to be written later (`write`, off the event loop). */
export interface CheckpointSnapshot {
  write(): Promise<void>;
}

export interface CheckpointOptions {
  /**
   * Arrays of the state that only grow (a collection's objects and files): kept in a journal that
   * each commit extends with what changed, instead of being rewritten whole (checkpoint-journal.ts).
   */
  journaled?: readonly string[];
  /** Older formats this one reads (their arrays are in the file itself). */
  reads?: readonly string[];
}

/** Journal lines a snapshot writes: appended to its journal, or a new journal replacing `previous`. */
interface JournalWrite {
  file: string;
  lines: string;
  fresh: boolean;
  previous: string | null;
}

/** Where the checkpoint file names its journal (not a field of any state). */
const POINTER = 'checkpoint_journal';

/**
 * A collection's resume state: one JSON file written whole (temp file, fsync, rename), so an
 * interrupted run leaves either the previous state or the new one, never half of each, plus, for
 * its journaled arrays, a journal it names with the byte length that belongs to it. `save()`
 * writes it at once, on the event loop, with a new journal holding every element (done a few times
 * a run); `snapshot()` serializes the state at that instant, and the elements added or changed
 * since the last one, and writes them later, off the event loop (what a collector commits with its
 * custody entries: the state that goes with them, not whatever it has become by the time they are
 * on disk): the journal lines appended and synced first, then the file naming them. A written state
 * never replaces a newer one: snapshots are written in the order taken, and one older than a state
 * already saved is dropped.
 */
export class Checkpoint<T extends { format: string }> {
  /** The last state serialized, and the last one on disk (counters, in the order taken). */
  private taken = 0;
  private written = 0;
  private writing: Promise<void> = Promise.resolve();
  private readonly journal: JournalTracker | null;
  /** The journal the next snapshot extends, and its length once every snapshot taken is written. */
  private pointer: JournalPointer | null = null;
  /** No journal to extend yet, or a write failed: the next snapshot writes a whole new journal. */
  private stale = true;
  /** A write failed: the snapshots taken until then (their journal lengths assumed it) are never written. */
  private brokenUpTo = 0;

  constructor(
    readonly file: string,
    readonly state: T,
    options: CheckpointOptions = {},
  ) {
    this.journal = options.journaled?.length ? new JournalTracker(options.journaled) : null;
  }

  static load<T extends { format: string }>(file: string, format: string, options: CheckpointOptions = {}): Checkpoint<T> | null {
    if (!existsSync(file)) return null;
    let state: T;
    let pointer: JournalPointer | undefined;
    try {
      const raw = JSON.parse(readFileSync(file, 'utf8')) as T & { [POINTER]?: JournalPointer };
      pointer = raw[POINTER];
      delete raw[POINTER];
      if (pointer && options.journaled?.length) {
        const bytes = readFileSync(path.join(path.dirname(file), path.basename(pointer.file)));
        if (bytes.length < pointer.bytes) throw new Error(`its journal ${pointer.file} holds ${bytes.length} of the ${pointer.bytes} bytes it names`);
        replayJournal(raw as unknown as Record<string, unknown>, options.journaled, bytes.subarray(0, pointer.bytes).toString('utf8'));
      }
      state = raw;
    } catch (e) {
      throw new CliError(`${file}: unreadable collection checkpoint (${(e as Error).message}); move the collection folder aside to start afresh`);
    }
    if (state.format !== format && !options.reads?.includes(state.format)) throw new CliError(`${file}: not a ${format} checkpoint (format ${JSON.stringify(state.format)})`);
    state.format = format;
    const cp = new Checkpoint(file, state, options);
    cp.pointer = pointer ?? null; // replaced by a new journal at the first write (stale)
    return cp;
  }

  /** Writes the state whole, now (with a new journal holding every element, when it has one). */
  save(): void {
    const n = ++this.taken;
    if (this.journal === null) writeFileDurably(this.file, this.text(null));
    else {
      const previous = this.pointer;
      const next = this.newJournalName();
      const lines = this.journal.changes(this.state as unknown as Record<string, unknown>, true);
      writeFileDurably(path.join(path.dirname(this.file), next), lines);
      this.pointer = { file: next, bytes: Buffer.byteLength(lines) };
      writeFileDurably(this.file, this.text(this.pointer));
      this.stale = false;
      if (previous && previous.file !== next) rmSync(path.join(path.dirname(this.file), previous.file), { force: true });
    }
    this.written = n;
  }

  snapshot(): CheckpointSnapshot {
    if (this.journal !== null && (this.stale || this.pointer === null)) {
      // no journal to extend (a checkpoint just loaded, or a write failed): this one starts a new one
      const n = ++this.taken;
      const previous = this.pointer;
      const next = this.newJournalName();
      const lines = this.journal.changes(this.state as unknown as Record<string, unknown>, true);
      const pointer: JournalPointer = { file: next, bytes: Buffer.byteLength(lines) };
      this.pointer = pointer;
      this.stale = false;
      const text = this.text(pointer);
      return { write: () => this.queue(n, text, { file: next, lines, fresh: true, previous: previous?.file ?? null }) };
    }
    const n = ++this.taken;
    let append: JournalWrite | null = null;
    if (this.journal !== null) {
      const lines = this.journal.changes(this.state as unknown as Record<string, unknown>);
      this.pointer = { file: this.pointer!.file, bytes: this.pointer!.bytes + Buffer.byteLength(lines) };
      append = { file: this.pointer.file, lines, fresh: false, previous: null };
    }
    const text = this.text(this.pointer);
    return { write: () => this.queue(n, text, append) };
  }

  private queue(n: number, text: string, journal: JournalWrite | null): Promise<void> {
    const run = this.writing.then(() => {
      if (n <= this.brokenUpTo) throw new Error(`${this.file}: not written (an earlier checkpoint write failed)`);
      return this.writeTaken(n, text, journal).catch((e: unknown) => {
        // the journal may now hold fewer or more bytes than the snapshots taken since assumed
        this.brokenUpTo = this.taken;
        this.stale = true;
        throw e;
      });
    });
    this.writing = run.catch(() => {});
    return run;
  }

  private newJournalName(): string {
    const m = /-(\d+)\.jsonl$/.exec(this.pointer?.file ?? '');
    const used = new Set(existsSync(path.dirname(this.file)) ? readdirSync(path.dirname(this.file)) : []);
    let k = m ? Number(m[1]) + 1 : 1;
    while (used.has(`${path.basename(this.file, '.json')}-journal-${String(k).padStart(4, '0')}.jsonl`)) k++;
    return `${path.basename(this.file, '.json')}-journal-${String(k).padStart(4, '0')}.jsonl`;
  }

  private text(pointer: JournalPointer | null): string {
    if (this.journal === null) return `${JSON.stringify(this.state, null, 2)}\n`;
    const rest: Record<string, unknown> = { ...this.state };
    for (const a of this.journal.arrays) delete rest[a];
    return `${JSON.stringify({ ...rest, [POINTER]: pointer }, null, 2)}\n`;
  }

  private async writeTaken(n: number, text: string, journal: JournalWrite | null): Promise<void> {
    if (n <= this.written) return;
    const dir = path.dirname(this.file);
    if (journal !== null && (journal.fresh || journal.lines.length > 0)) {
      const fh = await open(path.join(dir, journal.file), journal.fresh ? 'w' : 'a');
      try {
        await fh.writeFile(journal.lines);
        await fh.datasync();
      } finally {
        await fh.close();
      }
    }
    const tmp = `${this.file}.saving`; // not save()'s temp name: a save() may run while this one is written
    const fh = await open(tmp, 'w');
    try {
      await fh.writeFile(text);
      await fh.datasync();
    } finally {
      await fh.close();
    }
    // the rename is synchronous, so no save() can come between this check and it
    if (n <= this.written) {
      // a save() wrote a newer state meanwhile (with a journal of its own)
      rmSync(tmp, { force: true });
      if (journal !== null && journal.file !== this.pointer?.file) rmSync(path.join(dir, journal.file), { force: true });
    } else {
      renameSync(tmp, this.file);
      this.written = n;
      if (journal?.previous && journal.previous !== journal.file) rmSync(path.join(dir, journal.previous), { force: true });
    }
  }
}
