import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { constants as fsc } from 'node:fs';
import { open, rename, chmod, type FileHandle } from 'node:fs/promises';
import { createInflateRaw, crc32, constants as zc } from 'node:zlib';
import { LineScanner, type LineScanResult } from './line-scan.js';
import { isGzipMagic, parseGzipHeader } from './gzip-frame.js';
import { inlineHasher, type HashWorker } from './hash-worker.js';

const CHUNK = 1 << 20;

/** What acquisition learned about one input before anything parsed it. */
export interface AcquiredFile {
  sha256: string;
  size: number;
  gzip: GzipInfo | null;
  /** The content podtrail parses: the raw copy, or the inflated temp file for gzip. */
  contentPath: string;
  scan: LineScanResult;
}

export interface GzipInfo {
  inflatedSha256: string;
  inflatedSize: number;
  members: number;
  /** Framing problems: truncated stream, CRC or size mismatch, data after the last member. */
  problems: GzipProblem[];
}

export interface GzipProblem {
  code: 'gzip_truncated' | 'gzip_corrupt' | 'gzip_crc_mismatch' | 'gzip_trailing_data';
  byteOffset: number;
  message: string;
}

async function writeAll(fh: FileHandle, buf: Buffer): Promise<void> {
  let off = 0;
  while (off < buf.length) {
    const { bytesWritten } = await fh.write(buf, off, buf.length - off);
    off += bytesWritten;
  }
}

/** Files at least this large are hashed on the HashWorker's thread. */
const WORKER_MIN_BYTES = 16 * 1024 * 1024;

/**
 * Copies `src` to `rawDest` (through a temp name, then rename, then read-only), hashing the exact
 * bytes written in the same pass: each chunk is read, scanned, written, then hashed (on the
 * worker's thread for large files), while the next chunk is read. The original is only read. For
 * gzip input, the members are inflated from the copy into `inflatedDest`, hashed, CRC-checked, and
 * framing problems are recorded, never thrown: what inflates is kept, the rest is reported.
 * The copy is fsynced at commit (syncFile), when the kernel has mostly written it back already.
 */
export async function acquireFile(src: string, rawDest: string, inflatedDest: string, hashes?: HashWorker): Promise<AcquiredFile> {
  const tmp = `${rawDest}.partial`;
  // never follow a link swapped in since discovery, never block on a FIFO: a regular file or nothing
  const input = await open(src, fsc.O_RDONLY | fsc.O_NOFOLLOW | fsc.O_NONBLOCK);
  let size = 0;
  let gz: boolean | null = null;
  const plainScan = new LineScanner();
  let sha256: string;
  try {
    const st = await input.stat();
    if (!st.isFile()) throw Object.assign(new Error(`${src} is not a regular file`), { code: 'ENOTREG' });
    const hasher = hashes && st.size >= WORKER_MIN_BYTES ? hashes.hasher() : inlineHasher();
    const out = await open(tmp, 'wx');
    let pending: Promise<void> = Promise.resolve();
    try {
      for (;;) {
        const buf = Buffer.allocUnsafeSlow(CHUNK);
        const { bytesRead } = await input.read(buf, 0, CHUNK, null);
        if (bytesRead === 0) break;
        const chunk = buf.subarray(0, bytesRead);
        if (gz === null) gz = isGzipMagic(chunk);
        size += bytesRead;
        if (!gz) plainScan.push(chunk);
        await pending;
        pending = writeAll(out, chunk).then(() => hasher.update(chunk));
      }
      await pending;
    } finally {
      await pending.catch(() => undefined);
      await out.close();
    }
    sha256 = await hasher.digest();
  } finally {
    await input.close();
  }
  await rename(tmp, rawDest);
  await chmod(rawDest, 0o444);
  if (!gz) return { sha256, size, gzip: null, contentPath: rawDest, scan: plainScan.finish() };
  const { info, scan } = await inflateMembers(rawDest, size, inflatedDest);
  return { sha256, size, gzip: info, contentPath: inflatedDest, scan };
}

async function readAt(file: string, pos: number, len: number): Promise<Buffer> {
  const fh = await open(file, 'r');
  try {
    const buf = Buffer.alloc(len);
    const { bytesRead } = await fh.read(buf, 0, len, pos);
    return buf.subarray(0, bytesRead);
  } finally {
    await fh.close();
  }
}

/** Inflates every gzip member of `file` in sequence into `dest`, checking each trailer. */
async function inflateMembers(file: string, size: number, dest: string): Promise<{ info: GzipInfo; scan: LineScanResult }> {
  const hash = createHash('sha256');
  const scan = new LineScanner();
  const out = await open(dest, 'w');
  const problems: GzipProblem[] = [];
  let inflatedSize = 0;
  let members = 0;
  let pos = 0;
  try {
    while (pos < size) {
      const headerBuf = await readAt(file, pos, 64 * 1024);
      const header = parseGzipHeader(headerBuf);
      if ('error' in header) {
        if (members === 0) problems.push({ code: 'gzip_corrupt', byteOffset: pos, message: header.error });
        else problems.push({ code: 'gzip_trailing_data', byteOffset: pos, message: `${size - pos} bytes after the last gzip member (${header.error})` });
        break;
      }
      members++;
      const inflater = createInflateRaw({ finishFlush: zc.Z_SYNC_FLUSH, chunkSize: CHUNK });
      const input = createReadStream(file, { start: pos + header.length, highWaterMark: CHUNK });
      input.pipe(inflater);
      let crc = 0;
      let memberSize = 0;
      let failed: Error | null = null;
      try {
        for await (const chunk of inflater as AsyncIterable<Buffer>) {
          hash.update(chunk);
          crc = crc32(chunk, crc);
          memberSize += chunk.length;
          scan.push(chunk);
          await writeAll(out, chunk);
        }
      } catch (e) {
        failed = e as Error;
      } finally {
        input.destroy();
      }
      const consumed = inflater.bytesWritten;
      if (failed) {
        // keep every byte the corrupt stream still yields: the longest prefix that inflates
        const start = pos + header.length;
        const good = await longestInflatablePrefix(file, start, consumed, Math.min(size - start, consumed + CHUNK));
        const rest = await inflatePrefix(file, start, good, memberSize);
        for (const chunk of rest.chunks) {
          hash.update(chunk);
          scan.push(chunk);
          await writeAll(out, chunk);
          memberSize += chunk.length;
        }
        inflatedSize += memberSize;
        problems.push({ code: 'gzip_corrupt', byteOffset: start + good, message: `deflate data is corrupt from about byte ${start + good} (${failed.message}): the ${memberSize} bytes inflated before it are kept, the rest of the file is not readable` });
        break;
      }
      inflatedSize += memberSize;
      const trailerAt = pos + header.length + consumed;
      if (trailerAt + 8 > size) {
        problems.push({ code: 'gzip_truncated', byteOffset: size, message: `gzip stream ends before its trailer (file is ${size} bytes): truncated` });
        break;
      }
      const trailer = await readAt(file, trailerAt, 8);
      if (trailer.readUInt32LE(0) !== crc >>> 0 || trailer.readUInt32LE(4) !== (memberSize & 0xffffffff) >>> 0) {
        problems.push({ code: 'gzip_crc_mismatch', byteOffset: trailerAt, message: 'gzip CRC32 or size trailer does not match the inflated data' });
      }
      pos = trailerAt + 8;
      // Zero padding after the last member (tape-style) is still data after the stream: reported.
    }
  } finally {
    await out.close();
  }
  return {
    info: { inflatedSha256: hash.digest('hex'), inflatedSize, members, problems },
    scan: scan.finish(),
  };
}

/**
 * Inflates the first `len` compressed bytes of a raw deflate stream at `start` (no error for a
 * stream that stops there: sync flush); returns the output after its first `skip` bytes, or
 * `failed` when those bytes already hold the corruption.
 */
async function inflatePrefix(file: string, start: number, len: number, skip: number, keep = true): Promise<{ failed: boolean; chunks: Buffer[] }> {
  const chunks: Buffer[] = [];
  if (len <= 0) return { failed: false, chunks };
  const inflater = createInflateRaw({ finishFlush: zc.Z_SYNC_FLUSH, chunkSize: CHUNK });
  const input = createReadStream(file, { start, end: start + len - 1, highWaterMark: CHUNK });
  input.pipe(inflater);
  let seen = 0;
  try {
    for await (const chunk of inflater as AsyncIterable<Buffer>) {
      if (keep && seen + chunk.length > skip) chunks.push(seen >= skip ? chunk : chunk.subarray(skip - seen));
      seen += chunk.length;
    }
    return { failed: false, chunks };
  } catch {
    return { failed: true, chunks: [] };
  } finally {
    input.destroy();
  }
}

/**
 * The longest prefix (in compressed bytes, between lo and hi) of a corrupt deflate stream that
 * inflates without error: inflation stops at the first bad byte, so a prefix fails exactly when it
 * reaches it, and a binary search finds the boundary. Each probe inflates from the stream's start
 * (about 20 probes for a 1 MiB window): only corrupt files pay for it.
 */
async function longestInflatablePrefix(file: string, start: number, lo: number, hi: number): Promise<number> {
  let good = lo;
  let bad = hi + 1;
  while (bad - good > 1) {
    const mid = Math.floor((good + bad) / 2);
    if ((await inflatePrefix(file, start, mid, 0, false)).failed) bad = mid;
    else good = mid;
  }
  return good;
}

/** Forces a file's data to disk (raw copies, before the catalog commit makes them evidence). */
export async function syncFile(p: string): Promise<void> {
  const fh = await open(p, 'r');
  try {
    await fh.datasync();
  } finally {
    await fh.close();
  }
}
