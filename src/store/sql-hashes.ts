import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { createHash } from 'node:crypto';
import { SQL_DIR } from './lake-views.js';

/** sha256 of every .sql file of the given sql/ folders, by relative path: the rules a step applied. */
export function sqlRuleHashes(folders: string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const folder of folders) {
    for (const f of readdirSync(path.join(SQL_DIR, folder)).sort()) {
      if (f.endsWith('.sql')) out[`sql/${folder}/${f}`] = createHash('sha256').update(readFileSync(path.join(SQL_DIR, folder, f))).digest('hex');
    }
  }
  return out;
}
