import { createHash } from 'node:crypto';
import { existsSync, openSync, fsyncSync, closeSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { canonicalJson } from '../core/canonical-json.js';
import { IntegrityError } from '../core/errors.js';

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
