import { createHash } from 'node:crypto';
import { closeSync, createReadStream, openSync, readdirSync, write, writeFileSync } from 'node:fs';
import { promisify } from 'node:util';
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
 * the bundle never reads back what it wrote. Writes are asynchronous and chained: the disk works
 * while the next chunk is produced and hashed; at most MAX_INFLIGHT bytes wait for the disk.
 */
export class HashingWriter {
  private static readonly CHUNK = 1 << 20;
  private static readonly MAX_INFLIGHT = 16 << 20;
  private readonly fd: number;
  private readonly hash = createHash('sha256');
  private size = 0;
  private pending: string[] = [];
  private pendingChars = 0;
  private tail: Promise<void> = Promise.resolve();
  private inflight = 0;
  private failure: Error | null = null;

  constructor(
    abs: string,
    private readonly name: string,
  ) {
    this.fd = openSync(abs, 'wx');
  }

  /** Queues text; resolves once the bytes waiting for the disk are below the bound. */
  async write(text: string): Promise<void> {
    this.pending.push(text);
    this.pendingChars += text.length;
    if (this.pendingChars >= HashingWriter.CHUNK) await this.flush();
  }

  private async flush(): Promise<void> {
    if (this.failure) throw this.failure;
    if (this.pending.length === 0) return;
    const buf = Buffer.from(this.pending.length === 1 ? this.pending[0]! : this.pending.join(''), 'utf8');
    this.pending = [];
    this.pendingChars = 0;
    this.hash.update(buf);
    this.size += buf.length;
    this.inflight += buf.length;
    this.tail = this.tail.then(async () => {
      let off = 0;
      while (off < buf.length) off += (await fsWrite(this.fd, buf, off, buf.length - off)).bytesWritten;
      this.inflight -= buf.length;
    }).catch((e: unknown) => {
      this.failure = e as Error;
    });
    if (this.inflight >= HashingWriter.MAX_INFLIGHT) await this.tail;
  }

  async close(): Promise<WrittenFile> {
    await this.flush();
    await this.tail;
    closeSync(this.fd);
    if (this.failure) throw this.failure;
    return { name: this.name, sha256: this.hash.digest('hex'), size: this.size };
  }
}

const fsWrite = promisify(write);

/** Writes a whole small file and returns its hash. */
export function writeHashed(dir: string, name: string, text: string): WrittenFile {
  const buf = Buffer.from(text, 'utf8');
  writeFileSync(path.join(dir, ...name.split('/')), buf, { flag: 'wx' });
  return { name, sha256: createHash('sha256').update(buf).digest('hex'), size: buf.length };
}
