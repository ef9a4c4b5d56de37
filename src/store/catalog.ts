import { existsSync } from 'node:fs';
import { quotedString } from '@duckdb/node-api';
import type { Row, Store } from './store.js';
import { evidenceFilesParquet } from '../lake/lake-files.js';
import type { EvidenceFileRow } from '../lake/evidence-file-row.js';
import { tableDoc } from '../lake/schema.js';
import { CaseError } from '../core/errors.js';
import { asTyped, shapeOfTable } from './typed-rows.js';
import path from 'node:path';

/** The catalog rows (lake/evidence_files), timestamps as ISO text. */
export async function readEvidenceFiles(store: Store, lakeDir: string): Promise<EvidenceFileRow[]> {
  const file = evidenceFilesParquet(lakeDir);
  if (!existsSync(file)) return [];
  const doc = tableDoc('evidence_files')!;
  let rows: Row[];
  try {
    // a column a catalog written by an earlier version lacks reads as NULL
    const present = new Set((await store.rows<{ name: string }>(`select name from parquet_schema(${quotedString(file)})`)).map((r) => r.name));
    const cols = doc.columns.map((c) =>
      !present.has(c.name)
        ? `null as ${c.name}`
        : c.type === 'TIMESTAMP' ? `strftime(${c.name}, '%Y-%m-%dT%H:%M:%S.%fZ') as ${c.name}` : c.type === 'BIGINT' || c.type === 'INTEGER' ? `${c.name}::DOUBLE as ${c.name}` : c.name,
    );
    rows = await store.rows<Row>(`select ${cols.join(', ')} from read_parquet(${quotedString(file)}) order by evidence_file_id`);
  } catch (e) {
    throw catalogError(file, e);
  }
  // typed where it crosses into TypeScript: the schema and EvidenceFileRow must agree
  return asTyped<EvidenceFileRow>(rows, shapeOfTable(doc), `${file} (the catalog)`);
}

/**
 * A catalog that cannot be read: which file, what is wrong, how to recover. The catalog is the
 * commit point of every ingest: it cannot be derived from the database, which is derived from it.
 */
export function catalogError(file: string, e: unknown): CaseError {
  const why = (e instanceof Error ? e.message : String(e)).split('\n')[0]!.replaceAll(file, 'it');
  return new CaseError(
    `${file} (the catalog of acquired evidence) cannot be read: ${why}. It is the commit point of every ingest and nothing derives it: ` +
      `restore it from a backup (a bundle's manifest.json lists the same rows), or start a new case from the acquired copies ` +
      `(podtrail init NEW ... && podtrail ingest NEW ${path.join(path.dirname(path.dirname(path.dirname(file))), 'raw')}; custody.jsonl keeps their original origins)`,
  );
}
