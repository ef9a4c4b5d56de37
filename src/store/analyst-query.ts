import { StatementType } from '@duckdb/node-api';
import { QueryError } from '../core/errors.js';
import type { Store, Params } from './store.js';
import { bindParams } from './store.js';

export interface QueryResult {
  columns: string[];
  types: string[];
  /** Rows as lossless JSON values (big integers and timestamps as strings). */
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

/**
 * Runs an analyst's SQL on a read-only hardened store: exactly one statement, and it must be a
 * SELECT. The check runs on the parse tree (json_serialize_sql serialises SELECT statements only)
 * before the statement is even prepared: preparing some statements already has effects (preparing
 * EXPORT DATABASE creates its folder). Then the prepared statement's type is checked again.
 * Values are bound parameters.
 */
export async function runAnalystQuery(store: Store, sql: string, params: Params, limit?: number): Promise<QueryResult> {
  let extracted;
  try {
    extracted = await store.conn.extractStatements(sql);
  } catch (e) {
    throw new QueryError(`SQL error: ${(e as Error).message}`);
  }
  if (extracted.count === 0) throw new QueryError('no SQL statement given');
  if (extracted.count > 1) throw new QueryError(`only a single SELECT statement is allowed (got ${extracted.count} statements)`);
  const parsed = await store.rows('select json_serialize_sql($sql::VARCHAR) as tree', { sql });
  const tree = JSON.parse(String(parsed[0]?.['tree'])) as { error: boolean; error_message?: string; statements?: unknown[] };
  if (tree.error) {
    if (/Only SELECT statements/.test(tree.error_message ?? '')) {
      throw new QueryError(`refused: only a single read-only SELECT is allowed (${refusalReason(sql)})`);
    }
    throw new QueryError(`SQL error: ${tree.error_message ?? 'cannot parse'}`);
  }
  let stmt;
  try {
    stmt = await extracted.prepare(0);
  } catch (e) {
    throw new QueryError(friendly((e as Error).message));
  }
  if (stmt.statementType !== StatementType.SELECT) {
    throw new QueryError(`refused: only a single read-only SELECT is allowed (${refusalReason(sql)})`);
  }
  const declared = new Set<string>();
  for (let i = 1; i <= stmt.parameterCount; i++) declared.add(stmt.parameterName(i));
  for (const name of Object.keys(params)) {
    if (!declared.has(name)) throw new QueryError(`--param ${name} is not used by the query (it uses: ${[...declared].map((d) => '$' + d).join(', ') || 'no parameters'})`);
  }
  for (const name of declared) if (!(name in params)) throw new QueryError(`the query uses $${name}: give it with --param ${name}=VALUE`);
  bindParams(stmt, params);
  try {
    const reader = limit === undefined ? await stmt.runAndReadAll() : await stmt.runAndReadUntil(limit);
    const rows = reader.getRowsJson() as unknown[][];
    return {
      columns: reader.columnNames(),
      types: reader.columnTypes().map((t) => t.toString()),
      rows: limit === undefined ? rows : rows.slice(0, limit),
    };
  } catch (e) {
    throw new QueryError(friendly((e as Error).message));
  }
}

function friendly(message: string): string {
  if (/disabled by configuration|Permission Error/.test(message)) {
    return `refused: ${message.split('\n')[0]} (queries may read only inside the case)`;
  }
  return message;
}
