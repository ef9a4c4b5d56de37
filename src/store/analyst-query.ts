import { StatementType, type DuckDBPreparedStatement, type DuckDBResult } from '@duckdb/node-api';
import { QueryError } from '../core/errors.js';
import type { Store, Params } from './store.js';
import { bindParams } from './store.js';
import { explainSqlError } from './sql-errors.js';
import { analystValue, isJsonType, jsonColumnValue } from './analyst-values.js';

export interface QueryResult {
  columns: string[];
  types: string[];
  /** Rows as output values (see analystValue): big integers as text, timestamps ISO-8601 with Z. */
  rows: unknown[][];
}

const REFUSED: Record<string, string> = {
  copy: 'COPY writes files',
  export: 'EXPORT writes files',
  import: 'IMPORT changes the database',
  attach: 'ATTACH opens another database',
  detach: 'DETACH changes the session',
  load: 'LOAD loads an extension',
  install: 'INSTALL installs an extension',
  force: 'INSTALL installs an extension',
  update: 'UPDATE writes to the case',
  set: 'SET changes the configuration',
  reset: 'RESET changes the configuration',
  pragma: 'PRAGMA changes or inspects the configuration',
  call: 'CALL runs a procedure',
  create: 'CREATE writes to the case',
  insert: 'INSERT writes to the case',
  delete: 'DELETE writes to the case',
  drop: 'DROP writes to the case',
  alter: 'ALTER writes to the case',
  checkpoint: 'CHECKPOINT writes to the case',
  vacuum: 'VACUUM writes to the case',
  use: 'USE changes the session',
  explain: 'EXPLAIN is not a SELECT (run EXPLAIN in a DuckDB client)',
};

/** Why a non-SELECT statement is refused, from its first keyword (comments skipped). */
function refusalReason(sql: string): string {
  const first = sql.replace(/--[^\n]*|\/\*[\s\S]*?\*\//g, ' ').trim().split(/\s+/)[0]?.toLowerCase() ?? '';
  return REFUSED[first] ?? 'not a SELECT statement';
}

/** Where the SQL came from, for messages (a file, a hunt), and how strict parameter checks are. */
export interface SqlOrigin {
  label?: string;
  /** Bind only the given params the statement uses (the shell's .param set); default: an unused one is an error. */
  ignoreUnusedParams?: boolean;
}

function fail(sql: string, message: string, origin: SqlOrigin, position?: number): never {
  const text = explainSqlError(sql, message, position);
  throw new QueryError(origin.label ? `${origin.label}: ${text}` : text);
}

/** One statement, a SELECT on the parse tree before it is prepared, then prepared and checked again. */
async function checkedPrepare(store: Store, sql: string, origin: SqlOrigin): Promise<DuckDBPreparedStatement> {
  let extracted;
  try {
    extracted = await store.conn.extractStatements(sql);
  } catch (e) {
    fail(sql, (e as Error).message, origin);
  }
  if (extracted.count === 0) throw new QueryError('no SQL statement given');
  if (extracted.count > 1) {
    const pivot = /\bpivot\b/i.test(sql) ? `; a PIVOT without an IN list expands to several: list the values (on col in ('a', 'b'))` : '';
    throw new QueryError(`only a single SELECT statement is allowed (got ${extracted.count} statements${pivot})`);
  }
  const parsed = await store.rows<{ tree: string }>('select json_serialize_sql($sql::VARCHAR) as tree', { sql });
  const tree = JSON.parse(String(parsed[0]?.tree)) as { error: boolean; error_message?: string; position?: string };
  if (tree.error) {
    if (/Only SELECT statements/.test(tree.error_message ?? '')) {
      throw new QueryError(`refused: only a single read-only SELECT is allowed (${refusalReason(sql)})`);
    }
    fail(sql, tree.error_message ?? 'cannot parse', origin, tree.position === undefined ? undefined : Number(tree.position));
  }
  let stmt: DuckDBPreparedStatement;
  try {
    stmt = await extracted.prepare(0);
  } catch (e) {
    fail(sql, (e as Error).message, origin);
  }
  if (stmt.statementType !== StatementType.SELECT) {
    throw new QueryError(`refused: only a single read-only SELECT is allowed (${refusalReason(sql)})`);
  }
  return stmt;
}

/**
 * Checks and prepares an analyst's SQL on a read-only hardened store: exactly one statement, and
 * it must be a SELECT. The check runs on the parse tree (json_serialize_sql serialises SELECT
 * statements only) before the statement is even prepared: preparing some statements already has
 * effects (preparing EXPORT DATABASE creates its folder). Then the prepared statement's type is
 * checked again, and the given parameters must be exactly the ones the statement uses.
 */
export async function prepareAnalystQuery(store: Store, sql: string, params: Params, origin: SqlOrigin = {}): Promise<DuckDBPreparedStatement> {
  const stmt = await checkedPrepare(store, sql, origin);
  const declared = new Set<string>();
  for (let i = 1; i <= stmt.parameterCount; i++) declared.add(stmt.parameterName(i));
  if (origin.ignoreUnusedParams) params = Object.fromEntries(Object.entries(params).filter(([k]) => declared.has(k)));
  for (const name of Object.keys(params)) {
    if (!declared.has(name)) throw new QueryError(`--param ${name} is not used by the query (it uses: ${[...declared].map((d) => '$' + d).join(', ') || 'no parameters'})`);
  }
  for (const name of declared) if (!(name in params)) throw new QueryError(`the query uses $${name}: give it with ${origin.ignoreUnusedParams ? `.param ${name}=VALUE` : `--param ${name}=VALUE`}`);
  bindParams(stmt, params);
  return stmt;
}

/** An analyst SELECT running: its columns, and its rows produced batch by batch as DuckDB makes them. */
export interface AnalystStream {
  columns: string[];
  /** DuckDB's type of each column (BIGINT, TIMESTAMP_NS, JSON, ...). */
  types: string[];
  /** Rows as output values (see analystValue), one DuckDB chunk (about 2048 rows) at a time. */
  batches: AsyncGenerator<unknown[][]>;
}

/**
 * Runs one analyst SELECT (see prepareAnalystQuery) as a stream: nothing is held beyond the chunk
 * being converted, so a result of any size goes out in bounded memory. At most `limit` rows.
 */
export async function streamAnalystQuery(store: Store, sql: string, params: Params, limit?: number, origin: SqlOrigin = {}): Promise<AnalystStream> {
  const stmt = await prepareAnalystQuery(store, sql, params, origin);
  let result: DuckDBResult;
  try {
    result = await stmt.stream();
  } catch (e) {
    stmt.destroySync();
    fail(sql, (e as Error).message, origin);
  }
  const types = result.columnTypes();
  const jsonColumns = types.flatMap((t, i) => (isJsonType(t) ? [i] : []));
  async function* batches(): AsyncGenerator<unknown[][]> {
    let left = limit ?? Infinity;
    try {
      while (left > 0) {
        let chunk;
        try {
          chunk = await result.fetchChunk();
        } catch (e) {
          fail(sql, (e as Error).message, origin);
        }
        if (!chunk || chunk.rowCount === 0) break;
        const rows = chunk.convertRows(analystValue) as unknown[][];
        for (const row of rows) for (const i of jsonColumns) row[i] = jsonColumnValue(row[i]);
        const out = rows.length > left ? rows.slice(0, left) : rows;
        left -= out.length;
        yield out;
      }
    } finally {
      stmt.destroySync();
    }
  }
  return { columns: result.columnNames(), types: types.map((t) => (t.alias ?? t.toString())), batches: batches() };
}

/** Runs one analyst SELECT and returns at most `limit` rows (small results: dot-commands, tests). */
export async function runAnalystQuery(store: Store, sql: string, params: Params, limit?: number, origin: SqlOrigin = {}): Promise<QueryResult> {
  const s = await streamAnalystQuery(store, sql, params, limit, origin);
  const rows: unknown[][] = [];
  for await (const batch of s.batches) rows.push(...batch);
  return { columns: s.columns, types: s.types, rows };
}

/** DuckDB type names a declared parameter may have (hunt headers), lower-case header word → DuckDB. */
export const PARAM_TYPES: Readonly<Record<string, string>> = {
  varchar: 'VARCHAR',
  integer: 'INTEGER',
  bigint: 'BIGINT',
  double: 'DOUBLE',
  boolean: 'BOOLEAN',
  timestamp: 'TIMESTAMP',
  timestamptz: 'TIMESTAMP WITH TIME ZONE',
  interval: 'INTERVAL',
};

/**
 * Checks that each text value converts to its declared type, so a bad value is reported by the
 * parameter's name before the query runs. The type comes from PARAM_TYPES (never user text); the
 * value is a bound parameter.
 */
export async function checkParamValues(store: Store, values: { name: string; type: string; value: string | null }[]): Promise<void> {
  for (const v of values) {
    const type = PARAM_TYPES[v.type];
    if (type === undefined) throw new QueryError(`$${v.name}: unknown parameter type "${v.type}" (known: ${Object.keys(PARAM_TYPES).join(', ')})`);
    if (v.value === null || type === 'VARCHAR') continue;
    const r = await store.rows<{ ok: boolean }>(`select try_cast($v::VARCHAR as ${type}) is not null as ok`, { v: v.value });
    if (r[0]?.ok !== true) throw new QueryError(`--param ${v.name}=${v.value}: not a valid ${v.type}${v.type.startsWith('timestamp') ? ' (e.g. 2026-10-20T08:00:00Z)' : ''}`);
  }
}

/** Declared parameters and result columns of a prepared SELECT, as DuckDB sees them. */
export interface StatementShape {
  params: { name: string; type: string | null }[];
  columns: { name: string; type: string }[];
}

/**
 * Prepares a SELECT without running it and reports its parameters (with the type DuckDB infers
 * from their use, NULL when it cannot) and its result columns. Used to check queries/ files.
 */
export async function describeStatement(store: Store, sql: string, origin: SqlOrigin = {}): Promise<StatementShape> {
  const stmt = await checkedPrepare(store, sql, origin);
  const params: StatementShape['params'] = [];
  for (let i = 1; i <= stmt.parameterCount; i++) {
    let type: string | null;
    try {
      type = stmt.parameterType(i).toString();
    } catch {
      type = null;
    }
    params.push({ name: stmt.parameterName(i), type });
  }
  const columns: StatementShape['columns'] = [];
  for (let i = 0; i < stmt.columnCount; i++) columns.push({ name: stmt.columnName(i), type: stmt.columnType(i).toString() });
  return { params, columns };
}
