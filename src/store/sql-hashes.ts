import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { createHash } from 'node:crypto';
import { SQL_DIR } from './lake-views.js';

/** sha256 of every .sql file of the given sql/ folders (and the step folders in them), by relative path: the rules a step applied. */
export function sqlRuleHashes(folders: string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const folder of folders) {
    const files = readdirSync(path.join(SQL_DIR, folder), { recursive: true }).map((f) => String(f).split(path.sep).join('/'));
    for (const f of files.filter((f) => f.endsWith('.sql')).sort()) {
      out[`sql/${folder}/${f}`] = createHash('sha256').update(readFileSync(path.join(SQL_DIR, folder, f))).digest('hex');
    }
  }
  return out;
}
