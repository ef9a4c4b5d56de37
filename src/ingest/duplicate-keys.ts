import { createReadStream } from 'node:fs';

/**
 * Finds records in which one JSON object holds the same key twice. Parsers disagree on such a
 * record (JSON.parse, Python and jq keep the last value; DuckDB's JSON functions the first), so its
 * values would depend on the tool that reads it: podtrail rejects it (duplicate_key) instead of
 * picking one silently.
 *
 * A byte-level tokenizer, not a parser (values are parsed by DuckDB): it follows strings, escapes
 * and nesting, and compares the keys of each open object by two independent 32-bit hashes of their
 * bytes (a false alarm needs both to collide: about 1 in 2^64 per pair). It reports where the
 * duplicate sits in the land SQL's own terms: the value ordinal (a non-blank line, or a top-level
 * value of a document, the elements of a top-level array counting as values as DuckDB's reader
 * unnests them) and the record path inside that value ('/<i>' for an element of a value that is an
 * array, '/<member>/<i>' for an element of a list member of a value that is an object, '' for the
 * value itself), as "<ordinal>|<record path>".
 */
export class DuplicateKeyScanner {
  /** Per depth: 0 none, 1 object expecting a key, 2 object expecting a value, 3 array. */
  private kind = new Uint8Array(512);
  /** Per depth: where the keys of the object at that depth start in the key arrays. */
  private keyStart = new Int32Array(512);
  /** Per depth: index of the element being read, in an array. */
  private elem = new Int32Array(512);
  private h1 = new Int32Array(1024);
  private h2 = new Int32Array(1024);
  private nkeys = 0;
  private depth = 0;
  /** 0 outside strings, 1 in a string, 2 after a backslash in a string, 3 in a number or literal. */
  private state = 0;
  private isKey = false;
  private a = 0;
  private b = 0;
  private keyText = '';
  private ordinal = 0;
  /** Where the key at the value's own level (the member of a top-level object being read) is. */
  private memberPrefix = '';
  private memberBuf: Buffer = Buffer.alloc(0);
  private memberFrom = 0;
  private memberTo = 0;
  private lineHasContent = false;
  readonly found = new Set<string>();

  /** lines: every non-blank line a value (state reset at each newline); document: JSON text over many lines. */
  constructor(private readonly layout: 'lines' | 'document') {}

  push(buf: Buffer): void {
    const lines = this.layout === 'lines';
    const kind = this.kind;
    const keyStart = this.keyStart;
    let { state, a, b, depth, isKey, lineHasContent, nkeys } = this;
    let h1 = this.h1;
    let h2 = this.h2;
    // a key continued from the previous chunk is read from this chunk's start
    let keyFrom = (state === 1 || state === 2) && isKey ? 0 : -1;
    const n = buf.length;
    for (let i = 0; i < n; i++) {
      const c = buf[i]!;
      if (lines && !lineHasContent && c !== 0x20 && c !== 0x09 && c !== 0x0d && c !== 0x0a) {
        lineHasContent = true;
        this.ordinal++;
      }
      if (state === 1) {
        if (c === 0x22) {
          state = 0;
          if (isKey) {
            // compare with the keys of the same object
            let dup = false;
            for (let k = keyStart[depth]!; k < nkeys; k++) {
              if (h1[k] === a && h2[k] === b) {
                dup = true;
                break;
              }
            }
            if (nkeys === h1.length) {
              const g1 = new Int32Array(h1.length * 2);
              const g2 = new Int32Array(h1.length * 2);
              g1.set(h1);
              g2.set(h2);
              h1 = this.h1 = g1;
              h2 = this.h2 = g2;
            }
            h1[nkeys] = a;
            h2[nkeys] = b;
            nkeys++;
            if (depth === (!lines && kind[1] === 3 ? 2 : 1)) {
              // the member name is decoded only if a duplicate is found under it
              this.memberPrefix = this.keyText;
              this.memberBuf = buf;
              this.memberFrom = keyFrom === -1 ? 0 : keyFrom;
              this.memberTo = i;
            }
            if (dup) {
              this.depth = depth;
              this.found.add(`${this.ordinal}|${this.recordPath()}`);
            }
            keyFrom = -1;
          }
        } else {
          if (c === 0x5c) state = 2;
          else if (c === 0x0a && lines) {
            depth = 0;
            nkeys = 0;
            lineHasContent = false;
            state = 0;
            continue;
          }
          if (isKey) {
            a = (Math.imul(a, 31) + c) | 0;
            b = Math.imul(b ^ c, 16777619);
          }
        }
        continue;
      }
      if (state === 2) {
        state = 1;
        if (isKey) {
          a = (Math.imul(a, 31) + c) | 0;
          b = Math.imul(b ^ c, 16777619);
        }
        continue;
      }
      if (state === 3) {
        if (c === 0x2c || c === 0x7d || c === 0x5d || c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09) state = 0;
        else continue;
      }
      switch (c) {
        case 0x22:
          isKey = depth > 0 && kind[depth] === 1;
          if (isKey) {
            kind[depth] = 2;
            a = 0;
            b = -2128831035;
            if (this.keyText !== '') this.keyText = '';
            keyFrom = i + 1;
          } else if (depth > 0 && kind[depth] === 3) this.element(depth);
          else if (depth === 0 && !lines) this.ordinal++;
          state = 1;
          break;
        case 0x7b:
        case 0x5b:
          if (depth > 0 && kind[depth] === 3) this.element(depth);
          else if (depth === 0 && !lines && c === 0x7b) this.ordinal++;
          if (depth + 1 < kind.length) {
            depth++;
            kind[depth] = c === 0x7b ? 1 : 3;
            keyStart[depth] = nkeys;
            this.elem[depth] = -1;
          }
          break;
        case 0x7d:
        case 0x5d:
          if (depth > 0) {
            nkeys = keyStart[depth]!;
            depth--;
          }
          break;
        case 0x2c:
          if (kind[depth] === 2) kind[depth] = 1;
          break;
        case 0x0a:
          if (lines) {
            depth = 0;
            nkeys = 0;
            lineHasContent = false;
          }
          break;
        case 0x20:
        case 0x09:
        case 0x0d:
        case 0x3a:
          break;
        default:
          // a number or a literal (or garbage): one value until a delimiter
          if (depth > 0 && kind[depth] === 3) this.element(depth);
          else if (depth === 0 && !lines) this.ordinal++;
          state = 3;
      }
    }
    // a key cut by the chunk boundary: keep its start
    if (state !== 0 && isKey && keyFrom !== -1) this.keyText += (buf as Buffer & { latin1Slice(s: number, e: number): string }).latin1Slice(keyFrom, n);
    Object.assign(this, { state, a, b, depth, isKey, lineHasContent, nkeys });
  }

  /** An element starts in the array at `depth` (a document's top-level array: a value). */
  private element(depth: number): void {
    this.elem[depth] = this.elem[depth]! + 1;
    if (this.layout === 'document' && depth === 1) this.ordinal++;
  }

  /** Depth at which values live: 1 inside a document's top-level array (DuckDB reads its elements as values), else 0. */
  private valueDepth(): number {
    return this.layout === 'document' && this.kind[1] === 3 ? 1 : 0;
  }

  /** The path of the record holding the current position, as the land SQL names record paths. */
  private recordPath(): string {
    const vd = this.valueDepth();
    const own = this.kind[vd + 1];
    if (own === 3 && this.depth >= vd + 2) return `/${this.elem[vd + 1]}`;
    if ((own === 1 || own === 2) && this.kind[vd + 2] === 3 && this.depth >= vd + 3) {
      const member = Buffer.concat([Buffer.from(this.memberPrefix, 'latin1'), this.memberBuf.subarray(this.memberFrom, this.memberTo)]).toString('utf8');
      return `/${member}/${this.elem[vd + 2]}`;
    }
    return '';
  }
}

/** The duplicate-key locations ("<ordinal>|<record path>") of a content file. */
export async function duplicateKeyLocations(contentPath: string, layout: 'lines' | 'document'): Promise<Set<string>> {
  const s = new DuplicateKeyScanner(layout);
  for await (const chunk of createReadStream(contentPath, { highWaterMark: 1 << 20 }) as AsyncIterable<Buffer>) s.push(chunk);
  return s.found;
}
