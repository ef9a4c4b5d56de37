import { mkdtempSync, renameSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { quotedIdentifier, quotedString, DuckDBTypeId } from '@duckdb/node-api';
import { QueryError } from '../core/errors.js';
import { openStore } from './open-store.js';
import { prepareAnalystQuery, type SqlOrigin } from './analyst-query.js';
import type { Params, Store } from './store.js';

/** Types Parquet cannot hold exactly (DuckDB writes HUGEINT as DOUBLE): written as their exact text. */
const AS_TEXT = new Set<DuckDBTypeId>([DuckDBTypeId.HUGEINT, DuckDBTypeId.UHUGEINT, DuckDBTypeId.BIGNUM]);

/**
 * Runs one analyst SELECT (read-only, checked like any other) and writes its rows to a Parquet
 * file. The user's SQL never writes: its result chunks are appended to a table of a second,
 * in-memory DuckDB instance that may write only to the output's folder (and a private spill
 * folder under spillRoot: the analyst session's own folder in the case), and podtrail's own COPY,
 * with a path it quotes itself, writes the file under a temp
 * name that is then renamed. Column names and types are kept; HUGEINT-like columns become text.
 */
export async function writeAnalystQueryParquet(
  store: Store,
  sql: string,
  params: Params,
  out: string,
  limit?: number,
  origin: SqlOrigin = {},
  spillRoot: string = os.tmpdir(),
): Promise<{ columns: string[]; rows: number }> {
  const stmt = await prepareAnalystQuery(store, sql, params, origin);
  const result = await stmt.stream();
  const names = result.columnNames();
  const types = result.columnTypes();
  const seen = new Set<string>();
  for (const n of names) {
    if (seen.has(n.toLowerCase())) throw new QueryError(`Parquet needs distinct column names: "${n}" appears twice (give one an alias)`);
    seen.add(n.toLowerCase());
  }
  const target = path.resolve(out);
  const spill = mkdtempSync(path.join(spillRoot, 'podtrail-parquet-'));
  const writer = await openStore({ database: ':memory:', allowedDirectories: [path.dirname(target), spill], tempDirectory: spill, threads: 1, memoryLimit: '512MB' });
  const partial = `${target}.partial-${process.pid}`;
  try {
    await writer.run(`create table result (${names.map((n, i) => `${quotedIdentifier(n)} ${types[i]!.toString()}`).join(', ')})`);
    const appender = await writer.conn.createAppender('result');
    let rows = 0;
    while (limit === undefined || rows < limit) {
      const chunk = await result.fetchChunk();
      if (!chunk || chunk.rowCount === 0) break;
      if (limit !== undefined && rows + chunk.rowCount > limit) chunk.rowCount = limit - rows;
      appender.appendDataChunk(chunk);
      rows += chunk.rowCount;
    }
    appender.flushSync();
    appender.closeSync();
    const cols = names.map((n, i) => (AS_TEXT.has(types[i]!.typeId) ? `${quotedIdentifier(n)}::VARCHAR as ${quotedIdentifier(n)}` : quotedIdentifier(n)));
    await writer.run(`copy (select ${cols.join(', ') || '*'} from result) to ${quotedString(partial)} (format parquet, compression zstd)`);
    renameSync(partial, target);
    return { columns: names, rows };
  } catch (e) {
    rmSync(partial, { force: true });
    if (e instanceof QueryError) throw e;
    throw new QueryError(`cannot write ${out}: ${(e as Error).message.split('\n')[0]}`);
  } finally {
    writer.close();
    rmSync(spill, { recursive: true, force: true });
  }
}
