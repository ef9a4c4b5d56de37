import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { quotedString, quotedIdentifier } from '@duckdb/node-api';
import type { Store, Params } from './store.js';
import type { InputMode } from '../lake/input-mode.js';
import { MAX_RECORD_BYTES } from '../core/limits.js';

/** DuckDB sizes its read buffer from maximum_object_size: a document gets its own size, not a fixed ceiling. */
function documentLimit(bytes: number): number {
  return Math.max(bytes + 1024, MAX_RECORD_BYTES + 1024);
}

export interface LandSource {
  /** The evidence file: every row of `src` carries it as column _efid. */
  evidenceFileId: string;
  /** Plain (inflated) content. */
  contentPath: string;
  contentBytes: number;
  layout: 'lines' | 'document';
  /** lines layout: read the content directly (row order = line order); else read the wrapper file. */
  fast: boolean;
  /** Line-exact path: one {"l": line, "o": ordinal, "t": "text"} per non-blank line. */
  wrapperPath?: string;
  /** Bytes of the longest wrapper record (JSON escaping can make it several times its line). */
  wrapperMaxBytes?: number;
  mode: InputMode;
  /**
   * Fast path of a row-per-record collector: no row_number() (a window makes the whole read one
   * thread); `_ordinal` and `_line` are 0 and landTarget numbers the rows from their position.
   */
  positional?: boolean;
}

export interface LandTargetSpec {
  table: string;
  sqlPath: string;
  columns: string[];
  timeColumn: string;
  /** Number rows by position (the source view was created `positional`). */
  positional?: boolean;
}

/** The plan of a positional land would not keep the row order: land with row_number() instead. */
export class PositionalOrderLost extends Error {
  constructor(table: string) {
    super(`the land plan of ${table} does not preserve the row order`);
  }
}

export interface LandedRejectRow {
  row_id: string;
  line: number | null;
  record_path: string | null;
  reason: string;
  ts_raw: string | null;
}

/** An event's copy that landed as a duplicate, as ingest_duplicates lists it (line: BIGINT, its exact text). */
export interface DuplicateCopy {
  row_id: string;
  line: string | null;
  record_path: string | null;
  event_id: string;
  ts: string;
}

export interface TargetOutcome {
  table: string;
  counts: Record<string, number>;
  /** Directory of the landed Parquet files, when any landed. */
  landedDir: string | null;
  firstAt: string | null;
  lastAt: string | null;
  rejects: LandedRejectRow[];
  duplicates: DuplicateCopy[];
}

export interface TextReject {
  line: number | null;
  ordinal: number;
  reason: 'invalid_json' | 'not_an_object';
}

function lit(p: string): string {
  return quotedString(p);
}

function jsonStructure(columns: Record<string, string>): string {
  return JSON.stringify(columns);
}

function columnsLiteral(columns: Record<string, string>): string {
  return '{' + Object.entries(columns).map(([k, v]) => `${quotedString(k)}: ${quotedString(v.replace(/\s+/g, ' '))}`).join(', ') + '}';
}

/** Creates temp view `src` (and `src_text` on the line-exact path) for the land SQL to read. */
export async function createSourceViews(store: Store, s: LandSource): Promise<void> {
  const efid = quotedString(s.evidenceFileId);
  const maxLine = MAX_RECORD_BYTES + 1024;
  const spec = s.mode.mode === 'columns' ? s.mode.columns : null;
  if (s.layout === 'lines' && !s.fast) {
    // DuckDB allocates read buffers from maximum_object_size, per thread: a fixed 7 x 16 MiB made
    // every line-exact read take ~0.5-0.7 GB whatever the file, and a wide land SQL ran out of memory
    const wrapperLimit = Math.max(maxLine, (s.wrapperMaxBytes ?? maxLine * 7) + 1024);
    await store.run(`create or replace temp view src_text as
      select l, o, t from read_json(${lit(s.wrapperPath!)}, format = 'newline_delimited',
        columns = {l: 'BIGINT', o: 'BIGINT', t: 'VARCHAR'}, maximum_object_size = ${wrapperLimit})`);
    // DuckDB does not short-circuit AND: t::JSON would throw on the invalid lines json_valid is meant to skip.
    // Columns mode reads objects only; doc mode hands every JSON value to the land SQL, which rejects
    // or unwraps it as on the fast path (a one-line array of records is read element by element).
    const valid = spec ? `coalesce(json_type(try_cast(t as JSON)) = 'OBJECT', false)` : `try_cast(t as JSON) is not null`;
    await store.run(
      spec
        ? `create or replace temp view src as select ${efid} as _efid, o as _ordinal, l as _line, '' as _path,
             unnest(from_json(t, ${quotedString(jsonStructure(spec))})) from src_text where ${valid}`
        : `create or replace temp view src as select ${efid} as _efid, o as _ordinal, l as _line, '' as _path, t::JSON as _doc
             from src_text where ${valid}`,
    );
    return;
  }
  if (s.layout === 'lines' && spec && s.positional) {
    await store.run(`create or replace temp view src as select ${efid} as _efid, 0::BIGINT as _ordinal, 0::BIGINT as _line, '' as _path, *
      from read_json(${lit(s.contentPath)}, format = 'newline_delimited', columns = ${columnsLiteral(spec)}, maximum_object_size = ${maxLine})`);
    return;
  }
  if (s.layout === 'lines') {
    await store.run(
      spec
        ? `create or replace temp view src as select ${efid} as _efid, _n as _ordinal, _n as _line, '' as _path, * exclude (_n)
             from (select row_number() over () as _n, * from read_json(${lit(s.contentPath)}, format = 'newline_delimited',
               columns = ${columnsLiteral(spec)}, maximum_object_size = ${maxLine}))`
        : `create or replace temp view src as select ${efid} as _efid, _n as _ordinal, _n as _line, '' as _path, json as _doc
             from (select row_number() over () as _n, json from read_json_objects(${lit(s.contentPath)},
               format = 'newline_delimited', maximum_object_size = ${maxLine}))`,
    );
    return;
  }
  const docs = `(select row_number() over () as _n, json from read_json_objects(${lit(s.contentPath)},
      format = 'auto', maximum_object_size = ${documentLimit(s.contentBytes)}))`;
  await store.run(
    spec
      ? `create or replace temp view src as select ${efid} as _efid, _n as _ordinal, null::BIGINT as _line, '' as _path,
           unnest(from_json(json, ${quotedString(jsonStructure(spec))})) from ${docs} where json_type(json) = 'OBJECT'`
      : `create or replace temp view src as select ${efid} as _efid, _n as _ordinal, null::BIGINT as _line, '' as _path, json as _doc from ${docs}`,
  );
}

/** Values (lines or top-level values) the source relation reads; for documents, a count query. */
export async function countDocumentValues(store: Store, s: LandSource): Promise<number> {
  const rows = await store.rows<{ n: string }>(`select count(*)::BIGINT as n from read_json_objects(${lit(s.contentPath)},
      format = 'auto', maximum_object_size = ${documentLimit(s.contentBytes)})`);
  return Number(rows[0]?.n ?? 0);
}

/**
 * Lines of the wrapper the land SQL never sees, rejected here: not JSON; in columns mode also JSON
 * that is not an object (doc mode hands those to its land SQL).
 */
export async function textRejects(store: Store, mode: InputMode): Promise<TextReject[]> {
  const seen = mode.mode === 'columns' ? `coalesce(json_type(try_cast(t as JSON)) = 'OBJECT', false)` : `try_cast(t as JSON) is not null`;
  // BIGINT columns: their exact text
  const rows = await store.rows<{ line: string; ordinal: string; reason: TextReject['reason'] }>(`select l as line, o as ordinal,
      case when json_valid(t) then 'not_an_object' else 'invalid_json' end as reason
    from src_text where not ${seen} order by o`);
  return rows.map((r) => ({ line: Number(r.line), ordinal: Number(r.ordinal), reason: r.reason }));
}

/**
 * SQL text without its comments and string literals: what a step's name is looked for in. One pass,
 * whichever starts first: an apostrophe in a comment opens no string, a `--` in a string no comment.
 */
function codeOf(sql: string): string {
  return sql.replace(/'(?:[^']|'')*'|--[^\n]*/g, (m) => (m.startsWith("'") ? "''" : ''));
}

/**
 * The statement of a land SQL file. `<name>.sql` may read steps: the files of folder `<name>/` beside
 * it, each one SELECT named after the relation it holds, joined to the statement as CTEs, each after
 * the steps it reads (ties in lexical order). A step with a comment line `-- materialized: <why>` is
 * computed once however often the others read it; one with `-- not materialized: <why>` is computed
 * by each step that reads it (DuckDB would otherwise hold a step read twice). One statement: the
 * parameters reach every step.
 */
export function landQuery(sqlPath: string): string {
  const own = readFileSync(sqlPath, 'utf8').replace(/;\s*$/, '');
  const dir = sqlPath.replace(/\.sql$/, '');
  if (!existsSync(dir)) return own;
  const steps = new Map(
    readdirSync(dir)
      .filter((f) => f.endsWith('.sql'))
      .sort()
      .map((f) => [path.basename(f, '.sql'), readFileSync(path.join(dir, f), 'utf8').replace(/;\s*$/, '')] as const),
  );
  const reads = (text: string): string[] => [...steps.keys()].filter((n) => new RegExp(`\\b${n}\\b`).test(codeOf(text)));
  const ordered: string[] = [];
  const visit = (name: string, stack: string[]): void => {
    if (ordered.includes(name)) return;
    if (stack.includes(name)) throw new Error(`${path.relative(path.dirname(dir), dir)}/: circular reference ${[...stack, name].join(' -> ')}`);
    for (const d of reads(steps.get(name)!).filter((d) => d !== name)) visit(d, [...stack, name]);
    ordered.push(name);
  };
  for (const name of steps.keys()) visit(name, []);
  const ctes = ordered.map((n) => {
    const body = steps.get(n)!;
    const hint = /^-- materialized:/m.test(body) ? 'materialized ' : /^-- not materialized:/m.test(body) ? 'not materialized ' : '';
    return `${quotedIdentifier(n)} as ${hint}(\n${body}\n)`;
  });
  return `with\n${ctes.join(',\n')}\nselect * from (\n${own}\n) as ${quotedIdentifier(path.basename(dir))}`;
}

/** Runs a prelude SQL file over `src` into a temp table its collector's targets read. */
export async function materializePrelude(store: Store, table: string, sqlPath: string, params: Params): Promise<void> {
  const sql = landQuery(sqlPath);
  await store.run(`create or replace temp table ${quotedIdentifier(table)} as ${sql}`, params);
}

/**
 * Positional numbering, in two passes. 1: the land SQL runs in parallel into one staged file, in
 * the source's row order (DuckDB's order-preserving BATCH_COPY_TO_FILE, checked on the plan before
 * anything is written: a join or another order-breaking operator in the SQL throws
 * PositionalOrderLost and the caller lands with row_number()). 2: the staged rows get row_id and
 * line from their position in that file (read_parquet's file_row_number), into the partitions.
 */
async function landPositional(store: Store, t: LandTargetSpec, select: string, partitioned: string, stagingDir: string, params: Params): Promise<void> {
  const staged = path.join(stagingDir, `${t.table}.ordered.parquet`);
  // a temporary file: the fastest codec
  const pass1 = `copy (${select}) to ${lit(staged)} (format parquet, compression lz4_raw)`;
  const plan = await store.rows<{ explain_key: string; explain_value: string | null }>(`explain ${pass1}`, params);
  if (!plan.some((r) => (r.explain_value ?? '').includes('BATCH_COPY_TO_FILE'))) throw new PositionalOrderLost(t.table);
  await store.run(pass1, params);
  const n = `file_row_number + 1`;
  const inWindow = (expr: string): string => `case when _disposition = 'out_of_window' then null else ${expr} end`;
  const replaced = [
    // _part is the evidence file id (the row_id pass 1 wrote for ordinal 0)
    `${inWindow(`pt_row_id(_part, ${n})`)} as row_id`,
    ...(t.columns.includes('line') ? [`${inWindow(n)} as line`] : []),
  ];
  await store.run(
    `copy (select * exclude (file_row_number) replace (${replaced.join(', ')})
       from read_parquet(${lit(staged)}, file_row_number = true)) to ${lit(path.join(stagingDir, t.table))} ${partitioned}`,
  );
  rmSync(staged, { force: true });
}

/**
 * Runs one land SQL file over `src` and writes its rows to Parquet under stagingDir, one partition
 * per evidence file and disposition (src may hold several files: a batch of small CloudTrail
 * files). Out-of-window rows are written with every column NULL (so they cost almost nothing) and
 * only counted, which keeps the accounting exact in a single pass over the input.
 * Returns the outcome of each evidence file that produced rows.
 */
export async function landTarget(store: Store, t: LandTargetSpec, stagingDir: string, params: Params): Promise<Map<string, TargetOutcome>> {
  const sql = landQuery(t.sqlPath);
  const out = path.join(stagingDir, t.table);
  mkdirSync(stagingDir, { recursive: true });
  const projection = t.columns
    .map((col) => `case when _disposition = 'out_of_window' then null else ${quotedIdentifier(col)} end as ${quotedIdentifier(col)}`)
    .join(',\n    ');
  const select = `select ${projection}, split_part(row_id, '-', 1) as _part, _disposition from (\n${sql}\n) as land`;
  const partitioned = `(format parquet, compression zstd, partition_by (_part, _disposition), filename_pattern 'part-{i}', overwrite_or_ignore true)`;
  if (!t.positional) {
    // a window or a join in the land SQL gives its rows in the order its threads finished: the lake
    // is written in record order (row_id's file, ordinal, element), the same on every run
    const recordOrder = `order by _part, try_cast(split_part(row_id, '-', 2) as BIGINT), try_cast(split_part(row_id, '-', 3) as BIGINT), row_id`;
    await store.run(`copy (${select} ${recordOrder}) to ${lit(out)} ${partitioned}`, params);
  } else {
    await landPositional(store, t, select, partitioned, stagingDir, params);
  }
  const outcomes = new Map<string, TargetOutcome>();
  // COPY ... partition_by writes the folder but no file when the SQL yields no row (e.g. a nodes
  // file read by the pods target): read_parquet would then fail on an empty glob.
  const files = existsSync(out) ? readdirSync(out, { recursive: true }).map(String).filter((f) => f.endsWith('.parquet')) : [];
  if (files.length === 0) return outcomes;
  const all = `read_parquet(${lit(path.join(out, '*', '*', '*.parquet'))}, hive_partitioning = true, hive_types = {'_part': 'VARCHAR', '_disposition': 'VARCHAR'})`;
  const outcome = (efid: string): TargetOutcome => {
    let o = outcomes.get(efid);
    if (!o) {
      o = { table: t.table, counts: {}, landedDir: null, firstAt: null, lastAt: null, rejects: [], duplicates: [] };
      outcomes.set(efid, o);
    }
    return o;
  };
  for (const r of await store.rows<{ f: string; d: string; n: string }>(`select _part as f, _disposition as d, count(*)::BIGINT as n from ${all} group by _part, _disposition`)) {
    outcome(r.f).counts[r.d] = Number(r.n);
  }
  const landedGlob = lit(path.join(out, '*', '_disposition=landed', '*.parquet'));
  if ([...outcomes.values()].some((o) => o.counts['landed'])) {
    const spans = await store.rows<{ f: string; lo: string | null; hi: string | null }>(
      `select _part as f, min(${quotedIdentifier(t.timeColumn)})::TIMESTAMP::VARCHAR as lo, max(${quotedIdentifier(t.timeColumn)})::TIMESTAMP::VARCHAR as hi
         from read_parquet(${landedGlob}, hive_partitioning = true, hive_types = {'_part': 'VARCHAR', '_disposition': 'VARCHAR'})
         group by _part`,
    );
    for (const r of spans) {
      const o = outcome(r.f);
      o.firstAt = r.lo;
      o.lastAt = r.hi;
      o.landedDir = path.join(out, `_part=${r.f}`, '_disposition=landed');
    }
  }
  if ([...outcomes.values()].some((o) => Object.keys(o.counts).some((k) => k.startsWith('reject.')))) {
    const tsRaw = t.columns.includes('ts_raw') ? 'ts_raw' : 'null::VARCHAR';
    for (const { f, line, ...r } of await store.rows<{ f: string; line: string | null } & Omit<LandedRejectRow, 'line'>>(
      `select _part as f, row_id, line, record_path, substr(_disposition, 8) as reason, ${tsRaw} as ts_raw
         from ${all} where _disposition like 'reject.%' order by row_id`,
    )) {
      outcome(f).rejects.push({ ...r, line: line === null ? null : Number(line) });
    }
  }
  if (t.columns.includes('event_id') && [...outcomes.values()].some((o) => o.counts['duplicate'])) {
    for (const { f, ...dup } of await store.rows<{ f: string } & DuplicateCopy>(
      `select _part as f, row_id, line, record_path, event_id, ts::VARCHAR as ts from ${all} where _disposition = 'duplicate' order by row_id`,
    )) {
      outcome(f).duplicates.push(dup);
    }
  }
  return outcomes;
}

export interface BatchFile {
  evidenceFileId: string;
  contentPath: string;
  /** 1 for a one-line file, NULL for a multi-line document. */
  line: number | null;
}

/**
 * `src` over many small one-value files (doc mode): one read, one land statement, instead of one
 * per file. Returns the evidence ids whose file did not hold exactly one value: the caller lands
 * those one by one.
 */
export async function createBatchSourceView(store: Store, files: BatchFile[], maxBytes: number): Promise<string[]> {
  await store.run(`create or replace temp table pt_batch_files (path VARCHAR, efid VARCHAR, line BIGINT)`);
  for (const f of files) await store.run(`insert into pt_batch_files values ($path, $efid, $line)`, { path: f.contentPath, efid: f.evidenceFileId, line: f.line });
  const list = `[${files.map((f) => lit(f.contentPath)).join(', ')}]`;
  await store.run(`create or replace temp view src as
    select b.efid as _efid, 1::BIGINT as _ordinal, b.line as _line, '' as _path, r.json as _doc
    from read_json_objects(${list}, format = 'auto', filename = true, maximum_object_size = ${Math.max(maxBytes + 1024, MAX_RECORD_BYTES + 1024)}) as r
    inner join pt_batch_files as b on b.path = r.filename`);
  const odd = await store.rows<{ efid: string; n: string }>(`select b.efid, count(r._efid)::BIGINT as n from pt_batch_files as b left join src as r on r._efid = b.efid group by b.efid having count(r._efid) <> 1`);
  return odd.map((r) => r.efid);
}
