import { open, rm } from 'node:fs/promises';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { quotedIdentifier, quotedString } from '@duckdb/node-api';
import type { Store } from './store.js';
import type { TableDoc } from '../lake/schema.js';

/**
 * Replaces a table of case.duckdb with rows computed in TypeScript (plain JSON values), typed by the
 * table's doc and ordered by its key: the rows go through a temp NDJSON file that DuckDB reads.
 */
export async function replaceTableRows(store: Store, table: TableDoc, rows: readonly object[], tmpDir: string): Promise<void> {
  const name = quotedIdentifier(table.name);
  if (rows.length === 0) {
    await store.run(`create or replace table main.${name} as select ${table.columns.map((c) => `null::${c.type} as ${quotedIdentifier(c.name)}`).join(', ')} where false`);
    return;
  }
  mkdirSync(tmpDir, { recursive: true });
  const ndjson = path.join(tmpDir, `${table.name}.ndjson`);
  const fh = await open(ndjson, 'w');
  try {
    await fh.write(rows.map((r) => JSON.stringify(r)).join('\n') + '\n');
  } finally {
    await fh.close();
  }
  try {
    const readCols = '{' + table.columns.map((c) => `${quotedString(c.name)}: ${quotedString(c.type)}`).join(', ') + '}';
    await store.run(
      `create or replace table main.${name} as
         select ${table.columns.map((c) => quotedIdentifier(c.name)).join(', ')}
         from read_json(${quotedString(ndjson)}, format = 'newline_delimited', columns = ${readCols})
         order by ${table.key.map((k) => `${quotedIdentifier(k)} nulls first`).join(', ')}`,
    );
  } finally {
    await rm(ndjson, { force: true });
  }
}
