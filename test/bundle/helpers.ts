import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { expect } from 'vitest';
import { ingestCase } from '../../src/ingest/ingest-case.js';
import { createClock } from '../../src/core/clock.js';
import { runCase } from '../../src/pipeline/run-case.js';
import { signerFromPair, type BundleResult } from '../../src/bundle/bundle-case.js';
import { loadPrivateKey } from '../../src/bundle/keys.js';
import { listFiles } from '../../src/bundle/files.js';

export const REPO = path.resolve(__dirname, '..', '..');
export const GOLDEN = path.join(REPO, 'test', 'golden', 'bundle-small');
export const TEST_KEY = path.join(REPO, 'fixtures', 'keys', 'TEST-ONLY-podtrail-test.key');
export const TEST_PUB = path.join(REPO, 'fixtures', 'keys', 'TEST-ONLY-podtrail-test.pub.pem');
export const ACQUIRED_AT = '2026-10-20T12:00:00Z';
export const ANALYZED_AT = '2026-10-20T12:30:00Z';
export const OPERATOR = 'golden';

/** Every file under dir, recursively, relative. */
export function filesOf(dir: string): string[] {
  return listFiles(dir).files;
}

/**
 * The bundle-small case: the committed inputs copied into caseDir (inside the case, as the demo
 * does), ingested with a pinned clock (as one folder, or as a file list in the order given), then
 * correlated, checked and bundled with the TEST-ONLY key.
 */
export async function buildGoldenCase(caseDir: string, o: { order?: (files: string[]) => string[]; mutate?: (caseDir: string) => void } = {}): Promise<BundleResult> {
  cpSync(path.join(GOLDEN, 'input'), caseDir, { recursive: true });
  o.mutate?.(caseDir);
  const inputs = path.join(caseDir, 'inputs');
  const paths = o.order ? o.order(filesOf(inputs).map((f) => path.join(inputs, f))) : [inputs];
  await ingestCase({ caseDir, paths, source: null, operator: OPERATOR, snapshotAt: null, clock: createClock(ACQUIRED_AT), log: () => {} });
  return runCase({ caseDir, outDir: path.join(caseDir, 'bundle'), signer: signerFromPair(loadPrivateKey(TEST_KEY)), clock: createClock(ANALYZED_AT), operator: OPERATOR });
}

/** Asserts two folders hold the same files with the same bytes, naming the first difference. */
export function expectSameTree(expected: string, actual: string, hint = ''): void {
  const a = filesOf(expected);
  const b = filesOf(actual);
  expect(b, `file list of ${actual}${hint}`).toEqual(a);
  for (const f of a) {
    const x = readFileSync(path.join(expected, f));
    const y = readFileSync(path.join(actual, f));
    if (!x.equals(y)) {
      const xl = x.toString('utf8').split('\n');
      const yl = y.toString('utf8').split('\n');
      const i = xl.findIndex((l, k) => l !== yl[k]);
      expect(`${f} line ${i + 1}: ${yl[i]}`, hint || undefined).toBe(`${f} line ${i + 1}: ${xl[i]}`);
    }
  }
}

/** Copies a folder to a new sibling for a mutation test. */
export function copyTree(src: string, dest: string): string {
  if (existsSync(dest)) throw new Error(`${dest} exists`);
  mkdirSync(path.dirname(dest), { recursive: true });
  cpSync(src, dest, { recursive: true });
  return dest;
}

export function isDir(p: string): boolean {
  return existsSync(p) && statSync(p).isDirectory();
}

export function hasTool(cmd: string, args: string[]): boolean {
  return spawnSync(cmd, args, { encoding: 'utf8' }).status === 0;
}

export { expectInertHtml } from '../helpers/inert-html.js';

export function readdirSorted(dir: string): string[] {
  return readdirSync(dir).sort();
}
