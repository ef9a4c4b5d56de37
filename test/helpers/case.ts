import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { initCase } from '../../src/case/init-case.js';
import { ingestCase, type IngestResult } from '../../src/ingest/ingest-case.js';
import { createClock } from '../../src/core/clock.js';
import { casePaths } from '../../src/case/case-paths.js';
import { openCaseStore } from '../../src/store/case-store.js';
import type { Row } from '../../src/store/store.js';
import type { SourceType } from '../../src/collectors/types.js';

export { SAMPLES } from './samples.js';
export const AS_OF = '2026-11-29T00:00:00Z';

/** A fresh temp folder, removed by the returned cleanup. */
export function tempDir(prefix = 'podtrail-test-'): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(path.join(os.tmpdir(), prefix));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/** Creates a case in a fresh temp folder (window wide enough for every sample by default). */
export function makeCase(opts: { from?: string; to?: string; namespaces?: string[]; margin?: string } = {}): { caseDir: string; cleanup: () => void } {
  const { dir, cleanup } = tempDir();
  const caseDir = path.join(dir, 'case');
  initCase(caseDir, {
    from: opts.from ?? '2010-01-01T00:00:00Z',
    to: opts.to ?? '2030-01-01T00:00:00Z',
    namespaces: opts.namespaces ?? [],
    reason: 'test',
    margin: opts.margin ?? '15m',
  });
  return { caseDir, cleanup };
}

export async function ingest(caseDir: string, paths: string[], o: { source?: SourceType; snapshotAt?: string } = {}): Promise<IngestResult> {
  return ingestCase({
    caseDir,
    paths,
    source: o.source ?? null,
    operator: 'tester',
    snapshotAt: o.snapshotAt ?? null,
    clock: createClock(AS_OF),
    log: () => {},
  });
}

/** Runs SQL against the case (read-only) and returns rows as lossless JSON values. */
export async function query(caseDir: string, sql: string): Promise<Row[]> {
  const store = await openCaseStore(casePaths(caseDir), { write: false });
  try {
    return await store.rows(sql);
  } finally {
    store.close();
  }
}

/** A fresh case (default window) with `n` small Tetragon exec lines ingested from CASE/inputs/x.json. */
export async function tetragonCase(n: number): Promise<{ caseDir: string; cleanup: () => void }> {
  const { tetragonLines } = await import('./tetragon-lines.js');
  const c = makeCase();
  const input = path.join(c.caseDir, 'inputs');
  mkdirSync(input);
  writeFileSync(path.join(input, 'x.json'), tetragonLines(n).join('\n'));
  await ingest(c.caseDir, [input]);
  return c;
}
