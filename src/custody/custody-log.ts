import { createHash } from 'node:crypto';
import { closeSync, existsSync, fstatSync, fsyncSync, openSync, readFileSync, readSync, renameSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { canonicalJson } from '../core/canonical-json.js';
import { IntegrityError } from '../core/errors.js';
import { TOOL_ID } from '../core/version.js';
import { createClock, type Clock } from '../core/clock.js';

export const GENESIS = '0'.repeat(64);

/** What an entry records (what was done, by which tool and rules, to which inputs and outputs); 'collected': a request a live collector made. */
export type CustodyAction = 'acquired' | 'refused' | 'landed' | 'transformed' | 'verified' | 'analyzed' | 'exported' | 'collected';

export interface CustodyEntryInput {
  action: CustodyAction;
  /** UTC instant from the injectable clock. */
  at: string;
  actor: string;
  tool: string;
  purpose: string;
  /** What the entry is about: evidence ids and hashes at that moment, rules and versions, counts. */
  object: Record<string, unknown>;
}

export interface CustodyEntry extends CustodyEntryInput {
  seq: number;
  /** sha256 of the previous entry's line (canonical JSON bytes), 64 zeros for the first. */
  prev: string;
}

export function sha256Hex(text: string | Buffer): string {
  return createHash('sha256').update(text).digest('hex');
}

/** Reads custody.jsonl; an empty or missing log is an empty chain. A line that is not JSON is refused (exit 4), naming it. */
export function readCustody(file: string): { entries: CustodyEntry[]; lines: string[] } {
  if (!existsSync(file)) return { entries: [], lines: [] };
  const lines = readFileSync(file, 'utf8').split('\n').filter((l) => l.length > 0);
  const entries = lines.map((l, i) => {
    try {
      return JSON.parse(l) as CustodyEntry;
    } catch {
      throw new IntegrityError(
        `${file} line ${i + 1} is not a custody entry (not JSON): the custody log was damaged or edited; restore it from a backup or from the custody.jsonl of the case's last bundle, and compare`,
      );
    }
  });
  return { entries, lines };
}

export function headHash(lines: string[]): string {
  const last = lines[lines.length - 1];
  return last === undefined ? GENESIS : sha256Hex(last);
}

/** Checks seq numbering and the prev links; returns the problems found, one per broken link. */
export function verifyChain(lines: string[]): string[] {
  const problems: string[] = [];
  let prev = GENESIS;
  lines.forEach((line, i) => {
    let e: CustodyEntry;
    try {
      e = JSON.parse(line) as CustodyEntry;
    } catch {
      problems.push(`custody entry ${i + 1}: not JSON`);
      prev = sha256Hex(line);
      return;
    }
    if (e.seq !== i + 1) problems.push(`custody entry ${i + 1}: seq is ${e.seq}, expected ${i + 1} (entry removed, added or reordered)`);
    if (e.prev !== prev) problems.push(`custody entry ${i + 1}: prev hash does not match entry ${i} (entry edited, removed or reordered)`);
    if (canonicalJson(e) !== line) problems.push(`custody entry ${i + 1}: not in canonical form (edited)`);
    prev = sha256Hex(line);
  });
  return problems;
}

/** The chain extended with new entries (after checking it), as the full text of the next log. */
export function extendCustody(file: string, inputs: CustodyEntryInput[]): { text: string; head: string } {
  const { lines } = readCustody(file);
  const problems = verifyChain(lines);
  if (problems.length > 0) throw new IntegrityError(`${file} is broken, refusing to extend it:\n  ${problems.join('\n  ')}`);
  let prev = headHash(lines);
  let seq = lines.length;
  const out = [...lines];
  for (const input of inputs) {
    const entry: CustodyEntry = { ...input, seq: ++seq, prev };
    const line = canonicalJson(entry);
    out.push(line);
    prev = sha256Hex(line);
  }
  return { text: out.length ? out.join('\n') + '\n' : '', head: prev };
}

/** Writes `text` to `dest` durably: temp file, fsync, rename. */
export function writeFileDurably(dest: string, text: string): void {
  const tmp = `${dest}.tmp`;
  writeFileSync(tmp, text);
  const fd = openSync(tmp, 'r+');
  fsyncSync(fd);
  closeSync(fd);
  renameSync(tmp, dest);
}

/**
 * Appends entries to the custody log (whole-file rewrite through a rename); returns the head hash.
 * Refuses while an ingest's entries wait in custody.jsonl.next: appending first would put analysis
 * or export entries before the acquisition they rest on (the case is settled when it is opened).
 */
export function appendCustody(file: string, inputs: CustodyEntryInput[]): string {
  if (existsSync(`${file}.next`)) {
    throw new IntegrityError(`${file}.next holds custody entries of an ingest not yet rolled forward: refusing to append to ${file} (open the case with any podtrail command to settle it)`);
  }
  const { text, head } = extendCustody(file, inputs);
  if (inputs.length > 0) writeFileDurably(file, text);
  return head;
}

/**
 * Where the complete lines of a custody log end: an append cut short by a crash leaves its last
 * line without its newline, or NUL bytes where the file grew before its data reached the disk.
 * Whole lines are never torn (each ends with its newline), so the complete part is everything up
 * to the last newline before any trailing NULs. Returns that length (the whole length when intact).
 */
export function completeLength(bytes: Buffer): number {
  let end = bytes.length;
  while (end > 0 && bytes[end - 1] === 0) end--;
  if (end === 0 || bytes[end - 1] === 0x0a) return end;
  return bytes.lastIndexOf(0x0a, end - 1) + 1;
}

/** Cheap test (the last byte): does the custody log end inside an interrupted append? */
export function hasTornTail(file: string): boolean {
  if (!existsSync(file)) return false;
  const fd = openSync(file, 'r');
  try {
    const size = fstatSync(fd).size;
    if (size === 0) return false;
    const last = Buffer.alloc(1);
    readSync(fd, last, 0, 1, size - 1);
    return last[0] !== 0x0a;
  } finally {
    closeSync(fd);
  }
}

/**
 * Settles a custody log whose last append was interrupted (custody is appended in place, one write
 * and an fsync per batch): the incomplete bytes after its last whole line are cut, and an entry
 * chained after the last whole one records how many bytes were cut and their SHA-256, in one
 * rewrite (temp file, fsync, rename), so a crash here leaves the log as it was or settled. Those
 * bytes were never a committed entry: a collector writes its checkpoint only after its custody
 * append, so what they described is fetched and recorded again by the next run. The entries before
 * them must still chain (a broken chain is refused, as always). Returns a note, or null.
 */
export function repairTornAppend(file: string, actor: string = os.userInfo().username, clock: Clock = createClock()): string | null {
  if (!hasTornTail(file)) return null;
  const bytes = readFileSync(file);
  const keep = completeLength(bytes);
  const torn = bytes.subarray(keep);
  const lines = bytes.subarray(0, keep).toString('utf8').split('\n').filter((l) => l.length > 0);
  const problems = verifyChain(lines);
  if (problems.length > 0) throw new IntegrityError(`${file} is broken, refusing to settle its interrupted append:\n  ${problems.join('\n  ')}`);
  const purpose = `custody log settled after an interrupted append: ${torn.length} bytes of an incomplete entry after entry ${lines.length} removed`;
  const entry: CustodyEntry = {
    action: 'verified',
    at: clock.nowIso(),
    actor,
    tool: TOOL_ID,
    purpose,
    object: { kind: 'custody-torn-append', after_seq: lines.length, bytes: torn.length, sha256: sha256Hex(torn) },
    seq: lines.length + 1,
    prev: headHash(lines),
  };
  writeFileDurably(file, `${[...lines, canonicalJson(entry)].join('\n')}\n`);
  return `recovered: ${purpose}`;
}
