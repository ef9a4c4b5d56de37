import { closeSync, fsyncSync, mkdirSync, openSync, renameSync, writeSync } from 'node:fs';
import { mkdir, open, rename } from 'node:fs/promises';
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

/**
 * Evidence files written off the event loop and made durable in batches: each file is written
 * whole under a temp name and renamed, and `sync()` fsyncs every file written since (side by side,
 * so the disk can merge them) before the caller appends the custody entries that name them.
 */
export class EvidenceBatch {
  private unsynced: string[] = [];

  async write(file: string, bytes: Buffer): Promise<void> {
    await mkdir(path.dirname(file), { recursive: true });
    const tmp = `${file}.partial`;
    const fh = await open(tmp, 'w');
    try {
      let off = 0;
      while (off < bytes.length) off += (await fh.write(bytes, off, bytes.length - off)).bytesWritten;
    } finally {
      await fh.close();
    }
    await rename(tmp, file);
    this.unsynced.push(file);
  }

  async sync(): Promise<void> {
    const files = this.unsynced;
    this.unsynced = [];
    await Promise.all(
      files.map(async (f) => {
        const fh = await open(f, 'r');
        try {
          await fh.datasync();
        } finally {
          await fh.close();
        }
      }),
    );
  }
}
