import { open, rename, rm } from 'node:fs/promises';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { quotedIdentifier, quotedString } from '@duckdb/node-api';
import type { Store } from './store.js';
import type { TableDoc } from '../lake/schema.js';

/**
 * Writes rows (objects of plain JSON values, the table's columns by name) to one Parquet file with
 * the table's declared columns and types, ordered by its key: rows go through a temp NDJSON file that
 * DuckDB reads (no JSON parsing in JS), then a temp name, then rename.
 */
export async function writeRowsParquet(store: Store, table: TableDoc, rows: readonly object[], dest: string, tmpDir: string): Promise<void> {
  mkdirSync(path.dirname(dest), { recursive: true });
  mkdirSync(tmpDir, { recursive: true });
  const ndjson = path.join(tmpDir, `${table.name}-${path.basename(dest)}.ndjson`);
  const fh = await open(ndjson, 'w');
  try {
    let batch: string[] = [];
    for (const r of rows) {
      batch.push(JSON.stringify(r));
      if (batch.length >= 10_000) {
        await fh.write(batch.join('\n') + '\n');
        batch = [];
      }
    }
    if (batch.length > 0) await fh.write(batch.join('\n') + '\n');
  } finally {
    await fh.close();
  }
  const readCols = '{' + table.columns.map((c) => `${quotedString(c.name)}: ${quotedString(c.type === 'JSON' ? 'JSON' : c.type)}`).join(', ') + '}';
  const select = rows.length === 0
    ? `select ${table.columns.map((c) => `null::${c.type} as ${quotedIdentifier(c.name)}`).join(', ')} where false`
    : `select ${table.columns.map((c) => quotedIdentifier(c.name)).join(', ')}
         from read_json(${quotedString(ndjson)}, format = 'newline_delimited', columns = ${readCols})
         order by ${table.key.map(quotedIdentifier).join(', ')}`;
  const tmp = `${dest}.tmp`;
  await store.run(`copy (${select}) to ${quotedString(tmp)} (format parquet, compression zstd)`);
  await rename(tmp, dest);
  await rm(ndjson, { force: true });
}
