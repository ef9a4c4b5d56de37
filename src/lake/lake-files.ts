import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';

/** Partition folder of one evidence file in one lake table (Hive layout). */
export function partitionDir(lakeDir: string, table: string, evidenceFileId: string): string {
  return path.join(lakeDir, table, `evidence_file_id=${evidenceFileId}`);
}

export function evidenceFilesParquet(lakeDir: string): string {
  return path.join(lakeDir, 'evidence_files', 'evidence_files.parquet');
}

/**
 * The Parquet files of a table that belong to committed evidence files, sorted. Partitions of
 * evidence ids the catalog does not list (left by an interrupted ingest) are ignored.
 */
export function committedParquetFiles(lakeDir: string, table: string, committedIds: ReadonlySet<string>): string[] {
  const dir = path.join(lakeDir, table);
  if (!existsSync(dir)) return [];
  const files: string[] = [];
  for (const part of readdirSync(dir).sort()) {
    const m = /^evidence_file_id=(.+)$/.exec(part);
    if (!m || !committedIds.has(m[1]!)) continue;
    for (const f of readdirSync(path.join(dir, part)).sort()) if (f.endsWith('.parquet')) files.push(path.join(dir, part, f));
  }
  return files;
}

/** Partition folders no committed evidence file owns (left by an interrupted ingest). */
export function orphanPartitions(lakeDir: string, tables: string[], committedIds: ReadonlySet<string>): string[] {
  const out: string[] = [];
  for (const table of tables) {
    const dir = path.join(lakeDir, table);
    if (!existsSync(dir)) continue;
    for (const part of readdirSync(dir).sort()) {
      const m = /^evidence_file_id=(.+)$/.exec(part);
      if (m && !committedIds.has(m[1]!)) out.push(path.join(dir, part));
    }
  }
  return out;
}
