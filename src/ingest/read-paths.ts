import { rmSync } from 'node:fs';
import path from 'node:path';
import type { Store, Params } from '../store/store.js';
import { createSourceViews, PositionalOrderLost, textRejects, type LandSource, type TargetOutcome, type TextReject } from '../store/land.js';
import type { Collector } from '../collectors/types.js';
import type { AcquiredFile } from '../acquire/acquire-file.js';
import { splitLines, type LineReject } from './line-split.js';
import { duplicateKeyLocations } from './duplicate-keys.js';
import { runTargets } from './land-targets.js';

/** How a file was read: fast-parallel is the fast path with ordinals from row positions (Collector.rowPerRecord). */
export type ReadPath = 'fast' | 'fast-parallel' | 'line-exact' | 'document';

/** What every read path of one file is given. */
export interface ReadContext {
  store: Store;
  a: AcquiredFile;
  collector: Collector;
  efid: string;
  stagingDir: string;
  params: Params;
  truncated: boolean;
}

/** What a read path found: the outcome of the land SQL and what was rejected before it ran. */
export interface ReadResult {
  readPath: ReadPath;
  /** Why the fast path was not taken or was abandoned, or why a document landed nothing. */
  note: string | null;
  /** Lines read (checked against the records accounted for in columns mode); 0 for a document. */
  values: number;
  blankLines: number;
  outcomes: TargetOutcome[];
  /** Lines rejected before the land SQL (line-exact path). */
  lineRejects: LineReject[];
  /** Wrapper lines the land SQL never sees (line-exact path). */
  sqlTextRejects: TextReject[];
  /** A document that is not valid JSON: it lands nothing. */
  brokenDocument: boolean;
}

export const readResult = (r: Partial<ReadResult> & Pick<ReadResult, 'readPath' | 'outcomes' | 'values' | 'blankLines'>): ReadResult => ({
  note: null,
  lineRejects: [],
  sqlTextRejects: [],
  brokenDocument: false,
  ...r,
});

/** A read DuckDB's JSON reader refused (the caller falls back), as opposed to any other failure. */
export function isJsonReadError(e: unknown): boolean {
  const m = (e as Error).message ?? '';
  if (/^(IO|Permission|Binder|Catalog|Parser|Internal|Out of Memory) Error/.test(m)) return false;
  return /Malformed JSON|JSON|Could not convert|Conversion Error|maximum_object_size/i.test(m);
}

/** The first line of an error's message. */
const firstLine = (e: unknown): string => String((e as Error).message).split('\n')[0]!;

/**
 * The fast path: DuckDB's own reader over the file (positionally in parallel when one target takes
 * a row per record and keeps the order). A file the reader refuses is abandoned to the line-exact path.
 */
export async function readFast(ctx: ReadContext): Promise<ReadResult | { abandoned: string }> {
  const { store, a, collector, efid, stagingDir, params } = ctx;
  const done = (readPath: ReadPath, outcomes: Map<string, TargetOutcome[]>): ReadResult =>
    readResult({ readPath, outcomes: outcomes.get(efid) ?? [], values: a.scan.lines, blankLines: a.scan.blankLines });
  try {
    const src = { evidenceFileId: efid, contentPath: a.contentPath, contentBytes: a.scan.bytes, layout: 'lines' as const, fast: true, mode: collector.input };
    if (collector.rowPerRecord === true && collector.targets.length === 1) {
      try {
        await createSourceViews(store, { ...src, positional: true });
        return done('fast-parallel', await runTargets(store, collector, stagingDir, params, true));
      } catch (e) {
        if (!(e instanceof PositionalOrderLost)) throw e;
      }
    }
    await createSourceViews(store, src);
    return done('fast', await runTargets(store, collector, stagingDir, params));
  } catch (e) {
    if (!isJsonReadError(e)) throw e;
    rmSync(stagingDir, { recursive: true, force: true });
    return { abandoned: `fast path abandoned (${firstLine(e)}); read line by line` };
  }
}

/** The line-exact path: every line split out with its number, bad lines rejected before the land SQL. */
export async function readLineExact(ctx: ReadContext, note: string): Promise<ReadResult> {
  const { store, a, collector, efid, stagingDir, params, truncated } = ctx;
  const mode = collector.input;
  const wrapperPath = path.join(stagingDir, '..', `${efid}.lines.ndjson`);
  // columns mode: DuckDB's typed reader refused a duplicate key on the fast path; here its lenient
  // one would take the first value, so the scan finds those lines and they are rejected
  const duplicateKeyOrdinals = mode.mode === 'columns' ? ordinalsOf(await duplicateKeyLocations(a.contentPath, 'lines')) : undefined;
  const split = await splitLines(a.contentPath, wrapperPath, { truncated, bom: a.scan.bom, duplicateKeyOrdinals });
  const src: LandSource = { evidenceFileId: efid, contentPath: a.contentPath, contentBytes: a.scan.bytes, layout: 'lines', fast: false, wrapperPath, wrapperMaxBytes: split.maxRecordBytes, mode };
  await createSourceViews(store, src);
  const sqlTextRejects = await textRejects(store, mode);
  const outcomes = (await runTargets(store, collector, stagingDir, params)).get(efid) ?? [];
  rmSync(wrapperPath, { force: true });
  return readResult({ readPath: 'line-exact', note, outcomes, values: split.values, blankLines: split.blankLines, lineRejects: split.rejects, sqlTextRejects });
}

/** A whole-document file: read as one value; one that is not valid JSON lands nothing and says why. */
export async function readDocument(ctx: ReadContext): Promise<ReadResult> {
  const { store, a, collector, efid, stagingDir, params } = ctx;
  const base = { readPath: 'document' as const, values: 0, blankLines: a.scan.blankLines };
  try {
    await createSourceViews(store, { evidenceFileId: efid, contentPath: a.contentPath, contentBytes: a.scan.bytes, layout: 'document', fast: false, mode: collector.input });
    return readResult({ ...base, outcomes: (await runTargets(store, collector, stagingDir, params)).get(efid) ?? [] });
  } catch (e) {
    if (!isJsonReadError(e)) throw e;
    rmSync(stagingDir, { recursive: true, force: true });
    // the message lands in ingest_rejects: no temp path in it (determinism)
    const why = firstLine(e).replaceAll(` in file "${a.contentPath}"`, '').trim();
    return readResult({ ...base, outcomes: [], brokenDocument: true, note: `the document is not valid JSON (${why})` });
  }
}

/** The value ordinals of duplicate-key locations ("<ordinal>|<record path>"). */
function ordinalsOf(locations: ReadonlySet<string>): Set<number> {
  return new Set([...locations].map((l) => Number(l.split('|')[0])));
}
