import { closeSync, fsyncSync, mkdirSync, openSync, renameSync, writeSync } from 'node:fs';
import { mkdir, open, rename, type FileHandle } from 'node:fs/promises';
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

/**
 * Evidence files written off the event loop and made durable in batches. `write()` writes a file
 * whole under its temp name (.partial) and keeps it open; `take()` hands over every file written
 * since as a batch whose `sync()` fsyncs them side by side (so the disk can merge them), closes
 * each, renames it to its final name, then runs each file's `durable` callback in the order the
 * files were written. A file at its final name is complete and on disk; a run killed before its
 * batch synced leaves .partial files, which the next run writes again.
 */
export class EvidenceBatch {
  private written: Written[] = [];
  private folders = new Set<string>();

  async write(file: string, bytes: Buffer, durable: () => void): Promise<void> {
    const dir = path.dirname(file);
    if (!this.folders.has(dir)) {
      await mkdir(dir, { recursive: true });
      this.folders.add(dir);
    }
    const tmp = `${file}.partial`;
    const fh = await open(tmp, 'w');
    try {
      let off = 0;
      while (off < bytes.length) off += (await fh.write(bytes, off, bytes.length - off)).bytesWritten;
    } catch (e) {
      await fh.close();
      throw e;
    }
    this.written.push({ file, tmp, fh, durable });
  }

  /** The files written so far, as a batch of their own. */
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
