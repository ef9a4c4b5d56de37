import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';

/** validation.json of the case, once the gaps checks have run (null until they exist). */
export async function runChecksIfAvailable(caseDir: string): Promise<unknown | null> {
  const file = path.join(caseDir, 'validation.json');
  return existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as unknown) : null;
}
