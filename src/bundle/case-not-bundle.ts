import { existsSync } from 'node:fs';
import path from 'node:path';
import { casePaths } from '../case/case-paths.js';
import { readCustody } from '../custody/custody-log.js';
import { SHA256SUMS } from './sha256sums.js';
import { DEFAULT_BUNDLE_DIR } from './bundle-case.js';

/**
 * When a folder given as a bundle is a case folder (case.yaml with its lake or raw/, no SHA256SUMS),
 * what to tell the user: that it is a case, and where its bundle is (the last one its custody log
 * records, else CASE/bundle), or how to write one. Null when the folder is not a case.
 */
export function caseNotBundle(dir: string): string | null {
  const p = casePaths(dir);
  if (existsSync(path.join(p.root, SHA256SUMS)) || !existsSync(p.config) || !(existsSync(p.lake) || existsSync(p.raw))) return null;
  const exported = readCustody(p.custody).entries.filter((e) => e.action === 'exported').map((e) => String(e.object['bundle'] ?? '')).filter(Boolean);
  const recorded = exported.length > 0 ? path.resolve(p.root, exported[exported.length - 1]!) : null;
  const bundle = [recorded, path.join(p.root, DEFAULT_BUNDLE_DIR)].find((b) => b !== null && existsSync(path.join(b, SHA256SUMS)));
  return bundle
    ? `${dir} is a case folder, not a bundle; its bundle is ${bundle}: podtrail verify ${bundle}`
    : `${dir} is a case folder, not a bundle, and has no bundle yet: podtrail bundle ${dir} (or podtrail run ${dir}) writes one`;
}
