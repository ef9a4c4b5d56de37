/**
 * The journal of a checkpoint's growing arrays (a collection's objects and files: one element per
 * trail file, hundreds of thousands for an organization trail over a day). Rewriting them whole at
 * every commit made each commit cost the size of the collection; the journal gets, at each commit,
 * only the elements added or changed since the one before, one JSON line each:
 *   {"a":"objects","i":41,"v":{...the element...}}
 * and replaying its lines in order (a later line for the same index replaces the earlier one)
 * gives the arrays back. The checkpoint file names the journal and how many of its bytes belong to
 * the state it holds; bytes after that are a commit that never completed, and are ignored.
 *
 * Changes are found by comparing each element with a copy kept at the last commit, field by field
 * (an object-valued field, such as an object's S3 metadata, is compared one level down; deeper
 * values by their JSON): no call site has to declare what it changed. Journaled arrays only grow.
 */

export interface JournalPointer {
  /** The journal file, in the checkpoint's folder. */
  file: string;
  /** How many of its bytes belong to the checkpoint that names it. */
  bytes: number;
}

type Rec = Record<string, unknown>;

/** Same keys, same values (without allocating: this runs for every element at every commit). */
function sameFields(a: Rec, b: Rec, deep: boolean): boolean {
  let n = 0;
  for (const k in a) {
    n++;
    const x = a[k];
    const y = b[k];
    if (x === y) continue;
    if (x === null || y === null || typeof x !== 'object' || typeof y !== 'object') return false;
    if (deep ? !sameFields(x as Rec, y as Rec, false) : JSON.stringify(x) !== JSON.stringify(y)) return false;
  }
  for (const _ in b) n--;
  return n === 0;
}

function sameRecord(a: Rec, b: Rec): boolean {
  return sameFields(a, b, true);
}

/** A copy deep enough for sameRecord to see later changes (object-valued fields copied one level down). */
function copyOf(r: Rec): Rec {
  const out: Rec = {};
  for (const [k, v] of Object.entries(r)) out[k] = v !== null && typeof v === 'object' ? (Array.isArray(v) ? [...v] : { ...(v as Rec) }) : v;
  return out;
}

/** Tracks the journaled arrays of one state: what changed since the last commit. */
export class JournalTracker {
  private seen = new Map<string, Rec[]>();
  constructor(readonly arrays: readonly string[]) {}

  /** The lines for every element added or changed since the last call (or `reset`), all when `all`. */
  changes(state: Rec, all = false): string {
    let text = '';
    for (const a of this.arrays) {
      const list = (state[a] ?? []) as Rec[];
      const seen = all ? [] : (this.seen.get(a) ?? []);
      for (let i = 0; i < list.length; i++) {
        const el = list[i]!;
        if (i < seen.length && sameRecord(el, seen[i]!)) continue;
        text += `${JSON.stringify({ a, i, v: el })}\n`;
        seen[i] = copyOf(el);
      }
      this.seen.set(a, seen);
    }
    return text;
  }

  /** Forgets what was committed: the next `changes` writes everything. */
  reset(): void {
    this.seen.clear();
  }
}

/** The arrays the journal's first `bytes` hold, into `state`; throws on a line that is not one. */
export function replayJournal(state: Rec, arrays: readonly string[], text: string): void {
  for (const a of arrays) state[a] = [];
  for (const line of text.split('\n')) {
    if (line.length === 0) continue;
    const { a, i, v } = JSON.parse(line) as { a: string; i: number; v: Rec };
    const list = state[a] as Rec[] | undefined;
    if (!list || !Number.isInteger(i) || i < 0 || i > list.length) throw new Error(`journal line for ${a}[${i}] does not fit (${list ? list.length : 'no such array'})`);
    list[i] = v;
  }
}
