import { existsSync } from 'node:fs';
import { open, type FileHandle } from 'node:fs/promises';
import { canonicalJson } from '../core/canonical-json.js';
import { IntegrityError } from '../core/errors.js';
import { completeLength, GENESIS, repairTornAppend, sha256Hex, verifyChain, type CustodyEntry, type CustodyEntryInput } from './custody-log.js';

/** Where the log ended after this appender's last append: its length, last entry and that entry's hash. */
interface Head {
  size: number;
  seq: number;
  hash: string;
  /** The last line's bytes with their newline (empty for an empty log). */
  last: Buffer;
}

/**
 * Appends to the custody log in place, at a cost per entry that does not grow with the log (a
 * collection appends a batch every few seconds for hours). The first append reads and verifies the
 * whole chain (and settles a torn tail: repairTornAppend); the appender then keeps the chain's head
 * (byte length, seq, hash and last line). Each later append, under the case lock like every custody
 * writer, checks that the log still holds that last line at that offset, verifies whatever another
 * command appended since (those entries must chain from the head), writes the new lines in one
 * write at the end and fdatasyncs. A log rewritten any other way (shorter, or the last line moved)
 * is read and verified whole again. Everything is off the event loop but the hashing.
 *
 * The whole chain is verified once per appender (per collection run); a log edited in the middle
 * during the run is caught by the next full verification: ingest's, when the run lands what it
 * collected, or the next run's.
 */
export class CustodyAppender {
  private head: Head | null = null;
  constructor(
    readonly file: string,
    private readonly actor?: string,
  ) {}

  async append(inputs: readonly CustodyEntryInput[]): Promise<void> {
    if (inputs.length === 0) return;
    if (existsSync(`${this.file}.next`)) {
      throw new IntegrityError(`${this.file}.next holds custody entries of an ingest not yet rolled forward: refusing to append to ${this.file} (open the case with any podtrail command to settle it)`);
    }
    let fh = await open(this.file, 'a+');
    try {
      let size = (await fh.stat()).size;
      let head = this.head === null ? null : await follow(fh, size, this.head);
      if (head === null) {
        // first append of this appender, or the log was not extended by appending: settle, then verify it whole
        if (repairTornAppend(this.file, this.actor) !== null) {
          await fh.close();
          fh = await open(this.file, 'a+');
          size = (await fh.stat()).size;
        }
        head = await readWhole(this.file, fh, size);
      }
      let { seq, hash } = head;
      const lines: string[] = [];
      for (const input of inputs) {
        const line = canonicalJson({ ...input, seq: ++seq, prev: hash } satisfies CustodyEntry);
        lines.push(line);
        hash = sha256Hex(line);
      }
      const text = Buffer.from(`${lines.join('\n')}\n`, 'utf8');
      let off = 0;
      while (off < text.length) off += (await fh.write(text, off, text.length - off, null)).bytesWritten;
      await fh.datasync();
      this.head = { size: head.size + text.length, seq, hash, last: Buffer.from(`${lines[lines.length - 1]!}\n`, 'utf8') };
    } catch (e) {
      this.head = null; // the next append reads the log whole again
      throw e;
    } finally {
      await fh.close();
    }
  }
}

async function readAt(fh: FileHandle, from: number, to: number): Promise<Buffer> {
  const buf = Buffer.allocUnsafe(to - from);
  let off = 0;
  while (off < buf.length) {
    const { bytesRead } = await fh.read(buf, off, buf.length - off, from + off);
    if (bytesRead === 0) break;
    off += bytesRead;
  }
  return buf.subarray(0, off);
}

function refused(file: string, problems: string[]): IntegrityError {
  return new IntegrityError(`${file} is broken, refusing to extend it:\n  ${problems.join('\n  ')}`);
}

/**
 * The head after what others appended since `h`, or null when the log was not extended from `h`
 * (shorter, its last line elsewhere or different, or the new part not whole lines).
 */
async function follow(fh: FileHandle, size: number, h: Head): Promise<Head | null> {
  if (size < h.size) return null;
  const tail = await readAt(fh, h.size - h.last.length, size);
  if (!tail.subarray(0, h.last.length).equals(h.last)) return null;
  if (size === h.size) return h;
  const added = tail.subarray(h.last.length);
  if (completeLength(added) !== added.length) return null;
  const lines = added.toString('utf8').split('\n').filter((l) => l.length > 0);
  let { seq, hash } = h;
  for (const line of lines) {
    let e: CustodyEntry;
    try {
      e = JSON.parse(line) as CustodyEntry;
    } catch {
      return null;
    }
    if (e.seq !== seq + 1 || e.prev !== hash || canonicalJson(e) !== line) return null;
    seq = e.seq;
    hash = sha256Hex(line);
  }
  return { size, seq, hash, last: Buffer.from(`${lines[lines.length - 1]!}\n`, 'utf8') };
}

async function readWhole(file: string, fh: FileHandle, size: number): Promise<Head> {
  const bytes = await readAt(fh, 0, size);
  if (completeLength(bytes) !== bytes.length) throw refused(file, ['the last line is incomplete']);
  const lines = bytes.toString('utf8').split('\n').filter((l) => l.length > 0);
  const problems = verifyChain(lines);
  if (problems.length > 0) throw refused(file, problems);
  const last = lines[lines.length - 1];
  return { size: bytes.length, seq: lines.length, hash: last === undefined ? GENESIS : sha256Hex(last), last: last === undefined ? Buffer.alloc(0) : Buffer.from(`${last}\n`, 'utf8') };
}
