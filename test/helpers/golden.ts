import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { expect } from 'vitest';

/** True when golden files may be rewritten: UPDATE_GOLDEN=1 and not in CI. */
export function mayUpdateGolden(): boolean {
  return process.env['UPDATE_GOLDEN'] === '1' && !process.env['CI'];
}

/**
 * Compares text with a golden file. UPDATE_GOLDEN=1 rewrites it (never when CI is set); a missing
 * golden file is written locally and fails in CI.
 */
export function expectGoldenFile(file: string, actual: string): void {
  const exists = existsSync(file);
  if (mayUpdateGolden() || (!exists && !process.env['CI'])) {
    mkdirSync(path.dirname(file), { recursive: true });
    writeFileSync(file, actual);
    return;
  }
  if (!exists) throw new Error(`golden file ${file} is missing (run the tests once locally, or with UPDATE_GOLDEN=1)`);
  expect(actual, `${file} differs (UPDATE_GOLDEN=1 rewrites it after review)`).toBe(readFileSync(file, 'utf8'));
}
