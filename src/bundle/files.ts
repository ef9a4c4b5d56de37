import { createHash } from 'node:crypto';
import { closeSync, createReadStream, openSync, readdirSync, writeSync } from 'node:fs';
import path from 'node:path';

/** Byte-order (C locale) comparison of two strings as UTF-8, what `LC_ALL=C sort` does. */
export function byteOrder(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));
}

/** SHA-256 of a file, streamed (bounded memory whatever its size). */
export async function sha256File(file: string): Promise<{ sha256: string; size: number }> {
  const h = createHash('sha256');
  let size = 0;
  for await (const chunk of createReadStream(file, { highWaterMark: 1 << 20 })) {
    h.update(chunk as Buffer);
    size += (chunk as Buffer).length;
  }
  return { sha256: h.digest('hex'), size };
}

/**
 * Every regular file under dir, as paths relative to it with forward slashes, in byte order.
 * Symlinks and other special files are reported too (as `special`) so that a verifier can refuse them.
 */
export function listFiles(dir: string): { files: string[]; special: string[] } {
  const files: string[] = [];
  const special: string[] = [];
  const walk = (abs: string, rel: string): void => {
    for (const e of readdirSync(abs, { withFileTypes: true })) {
      const r = rel ? `${rel}/${e.name}` : e.name;
      if (e.isDirectory()) walk(path.join(abs, e.name), r);
      else if (e.isFile()) files.push(r);
      else special.push(r);
    }
  };
  walk(dir, '');
  return { files: files.sort(byteOrder), special: special.sort(byteOrder) };
}

/** The bytes written and their SHA-256, for files the bundle writes itself. */
export interface WrittenFile {
  /** Path relative to the bundle, forward slashes. */
  name: string;
  sha256: string;
  size: number;
}

/**
 * A file written incrementally (bounded memory) whose SHA-256 is computed from the same bytes, so
 * the bundle never reads back what it wrote.
 */
export class HashingWriter {
  private readonly fd: number;
  private readonly hash = createHash('sha256');
  private size = 0;
  private pending: string[] = [];
  private pendingBytes = 0;

  constructor(
    private readonly abs: string,
    private readonly name: string,
  ) {
    this.fd = openSync(abs, 'wx');
  }

  write(text: string): void {
    this.pending.push(text);
    this.pendingBytes += text.length;
    if (this.pendingBytes >= 1 << 20) this.flush();
  }

  private flush(): void {
    if (this.pending.length === 0) return;
    const buf = Buffer.from(this.pending.join(''), 'utf8');
    this.pending = [];
    this.pendingBytes = 0;
    this.hash.update(buf);
    this.size += buf.length;
    let off = 0;
    while (off < buf.length) off += writeSync(this.fd, buf, off, buf.length - off);
  }

  close(): WrittenFile {
    this.flush();
    closeSync(this.fd);
    return { name: this.name, sha256: this.hash.digest('hex'), size: this.size };
  }
}

/** Writes a whole small file through a HashingWriter. */
export function writeHashed(dir: string, name: string, text: string): WrittenFile {
  const w = new HashingWriter(path.join(dir, ...name.split('/')), name);
  w.write(text);
  return w.close();
}
