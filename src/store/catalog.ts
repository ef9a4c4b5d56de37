import { existsSync } from 'node:fs';
import { quotedString } from '@duckdb/node-api';
import type { Store } from './store.js';
import { evidenceFilesParquet } from '../lake/lake-files.js';
import type { EvidenceFileRow } from '../ingest/evidence-row.js';
import { tableDoc } from '../lake/schema.js';

/** The catalog rows (lake/evidence_files), timestamps as ISO text. */
export async function readEvidenceFiles(store: Store, lakeDir: string): Promise<EvidenceFileRow[]> {
  const file = evidenceFilesParquet(lakeDir);
  if (!existsSync(file)) return [];
  const cols = tableDoc('evidence_files')!.columns.map((c) =>
    c.type === 'TIMESTAMP' ? `strftime(${c.name}, '%Y-%m-%dT%H:%M:%S.%fZ') as ${c.name}` : c.type === 'BIGINT' || c.type === 'INTEGER' ? `${c.name}::DOUBLE as ${c.name}` : c.name,
  );
  const rows = await store.rows(`select ${cols.join(', ')} from read_parquet(${quotedString(file)}) order by evidence_file_id`);
  return rows as unknown as EvidenceFileRow[];
}
