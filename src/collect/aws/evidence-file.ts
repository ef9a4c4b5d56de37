import { closeSync, fsyncSync, mkdirSync, openSync, renameSync, writeSync } from 'node:fs';
import { mkdir, open, rename, rm, type FileHandle } from 'node:fs/promises';
import path from 'node:path';

/**
 * Writes an evidence file whole: a temp name, fsync, then a rename, so a file at its final name
 * is always complete (a killed run leaves at most a .partial file, never a short page).
 */
export function writeEvidence(file: string, bytes: Buffer): void {
  mkdirSync(path.dirname(file), { recursive: true });
  const tmp = `${file}.partial`;
  const fd = openSync(tmp, 'w');
  try {
    let off = 0;
    while (off < bytes.length) off += writeSync(fd, bytes, off, bytes.length - off);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(tmp, file);
}

interface Written {
  file: string;
  tmp: string;
  fh: FileHandle;
  /** What waits for the file to be durable (its record, its state in the checkpoint). */
  durable: () => void;
}

/** Chunks are gathered up to this size, then written with one call (a small file: one write in all). */
const WRITE_AT = 1024 * 1024;

/**
 * One evidence file written as its bytes come (a response body streamed in): chunks are kept only
 * until a megabyte has gathered, then written in one call under the file's temp name (.partial),
 * which is opened at the first write. `finish()` writes the rest and keeps the file open for its
 * batch's fsync (EvidenceBatch.add); `discard()` removes what was written (a failed attempt).
 */
export class EvidenceWriter {
  readonly tmp: string;
  private fh: FileHandle | null = null;
  private chunks: Buffer[] = [];
  private gathered = 0;
  private writing: Promise<void> = Promise.resolve();
  private failed: unknown = null;
  bytes = 0;

  constructor(
    readonly file: string,
    private readonly folder: () => Promise<void>,
  ) {
    this.tmp = `${file}.partial`;
  }

  /** Takes a chunk; resolves at once unless a megabyte gathered (then when it is written). */
  write(chunk: Buffer): Promise<void> | void {
    this.chunks.push(chunk);
    this.gathered += chunk.length;
    this.bytes += chunk.length;
    if (this.gathered >= WRITE_AT) return this.flush();
  }

  private flush(): Promise<void> {
    const chunks = this.chunks;
    this.chunks = [];
    this.gathered = 0;
    this.writing = this.writing.then(async () => {
      if (this.failed !== null) throw this.failed;
      try {
        if (this.fh === null) {
          await this.folder();
          this.fh = await open(this.tmp, 'w');
        }
        await writeAll(this.fh, chunks);
      } catch (e) {
        this.failed = e;
        throw e;
      }
    });
    return this.writing;
  }

  /** Writes what is gathered; the file stays open, for its batch. */
  async finish(): Promise<FileHandle> {
    await this.flush();
    return this.fh!;
  }

  /** Closes and removes the temp file (a body that broke off, a failed attempt). */
  async discard(): Promise<void> {
    await this.writing.catch(() => {});
    this.chunks = [];
    if (this.fh !== null) await this.fh.close().catch(() => {});
    this.fh = null;
    await rm(this.tmp, { force: true });
  }
}

async function writeAll(fh: FileHandle, chunks: Buffer[]): Promise<void> {
  let rest = chunks.filter((c) => c.length > 0);
  while (rest.length > 0) {
    let n = (await fh.writev(rest)).bytesWritten;
    // a short write: drop what was written, go on with the rest
    while (rest.length > 0 && n >= rest[0]!.length) n -= rest.shift()!.length;
    if (n > 0) rest[0] = rest[0]!.subarray(n);
  }
}

/**
 * Evidence files written off the event loop and made durable in batches. `open()` gives a writer
 * for one file (its bytes written under its temp name, .partial, as they come); `add()` puts the
 * finished file, still open, in the current batch with what waits for it; `take()` hands over
 * every file added since as a batch whose `sync()` fsyncs them side by side (so the disk can merge
 * them), closes each, renames it to its final name, then runs each file's `durable` callback in the
 * order the files were added. A file at its final name is complete and on disk; a run killed before
 * its batch synced leaves .partial files, which the next run writes again.
 */
export class EvidenceBatch {
  private written: Written[] = [];
  private folders = new Map<string, Promise<void>>();

  /** A writer for `file` (its folder made once per batch object). */
  open(file: string): EvidenceWriter {
    const dir = path.dirname(file);
    return new EvidenceWriter(file, () => {
      let made = this.folders.get(dir);
      if (!made) {
        made = mkdir(dir, { recursive: true }).then(() => {});
        made.catch(() => this.folders.delete(dir));
        this.folders.set(dir, made);
      }
      return made;
    });
  }

  /** A finished writer's file joins the current batch. */
  async add(w: EvidenceWriter, durable: () => void): Promise<void> {
    const fh = await w.finish();
    this.written.push({ file: w.file, tmp: w.tmp, fh, durable });
  }

  /** Writes `bytes` as one file of the current batch. */
  async write(file: string, bytes: Buffer, durable: () => void): Promise<void> {
    const w = this.open(file);
    try {
      await w.write(bytes);
      await this.add(w, durable);
    } catch (e) {
      await w.discard();
      throw e;
    }
  }

  /** The files added so far, as a batch of their own. */
  take(): { sync(): Promise<void> } {
    const files = this.written;
    this.written = [];
    return {
      sync: async () => {
        const done = await Promise.allSettled(
          files.map(async (f) => {
            try {
              await f.fh.datasync();
            } finally {
              await f.fh.close();
            }
            await rename(f.tmp, f.file);
          }),
        );
        const failed = done.find((d): d is PromiseRejectedResult => d.status === 'rejected');
        if (failed) throw failed.reason;
        for (const f of files) f.durable();
      },
    };
  }
}
