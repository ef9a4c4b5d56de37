import { existsSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';

export const REPO = path.resolve(__dirname, '..', '..');
export const CLI = path.join(REPO, 'dist', 'cli', 'index.js');

/**
 * True when dist/ holds a build at least as new as every src/ file (npm ci builds it through
 * "prepare"): tests that spawn the real binary skip on a stale build rather than test old code.
 */
export function distIsFresh(): boolean {
  const walk = (dir: string): string[] =>
    readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? walk(path.join(dir, e.name)) : e.name.endsWith('.ts') ? [path.join(dir, e.name)] : []));
  for (const src of walk(path.join(REPO, 'src'))) {
    const js = path.join(REPO, 'dist', path.relative(path.join(REPO, 'src'), src)).replace(/\.ts$/, '.js');
    if (!existsSync(js) || statSync(js).mtimeMs < statSync(src).mtimeMs) return false;
  }
  return true;
}
