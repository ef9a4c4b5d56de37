/**
 * Bad configuration or a damaged case is a clear refusal, never an internal error: a margin or
 * tolerance too large to compute with is refused by case.yaml validation; a case.duckdb, a catalog
 * or a custody log that is not what it should be names the file, what is wrong and how to recover
 * (case.duckdb is derived from the lake: move it aside and correlate again).
 */
import { describe, expect, it } from 'vitest';
import { scratch } from './scratch.js';
import { mkdirSync, readFileSync, renameSync, truncateSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { ingest, query } from '../helpers/case.js';
import { tetragonLines } from '../helpers/tetragon-lines.js';
import { casePaths } from '../../src/case/case-paths.js';
import { evidenceFilesParquet } from '../../src/lake/lake-files.js';
import { validateCaseConfig } from '../../src/case/case-config.js';
import { correlateCase } from '../../src/correlate/correlate-case.js';
import { createClock } from '../../src/core/clock.js';
import { CaseError, IntegrityError } from '../../src/core/errors.js';

const { newCase } = scratch();

async function ingestedCase(): Promise<string> {
  const caseDir = newCase();
  const dir = path.join(caseDir, 'inputs');
  mkdirSync(dir);
  writeFileSync(path.join(dir, 'a.json'), tetragonLines(4).join('\n') + '\n');
  await ingest(caseDir, [path.join(dir, 'a.json')]);
  return caseDir;
}

const window = { from: '2026-10-20T09:00:00Z', to: '2026-10-20T10:00:00Z' };
function problems(doc: Record<string, unknown>): string {
  try {
    validateCaseConfig({ schema: 'podtrail.case/v1', case_id: 'x', ...doc }, 'case.yaml');
    return '';
  } catch (e) {
    expect(e).toBeInstanceOf(CaseError);
    return (e as Error).message;
  }
}

describe('case.yaml values too large to compute with', () => {
  it('refuses a huge margin, tolerance, offset or gap, and a window +/- margin outside the years 1-9999', () => {
    expect(problems({ window: { ...window, margin: '999999999d' } })).toMatch(/window\.margin: .* is too large: at most 3650d/);
    expect(problems({ window: { ...window, margin: `${'9'.repeat(400)}s` } })).toMatch(/window\.margin: .* too large to compute with/);
    expect(problems({ window, clock: { tolerance: '99999999999h' } })).toMatch(/clock\.tolerance: .* is too large: at most 1h/);
    expect(problems({ window, clock: { node_offsets: { n: '-2d' } } })).toMatch(/clock\.node_offsets\.n: .* is too large: at most 1d/);
    expect(problems({ window, gaps: { expected_gap_ceiling: '400d' } })).toMatch(/gaps\.expected_gap_ceiling: .* is too large/);
    expect(problems({ window: { from: '0001-01-02T00:00:00Z', to: '0001-01-03T00:00:00Z', margin: '10d' } })).toMatch(/between the years 1 and 9999/);
    expect(problems({ window: { ...window, margin: '3650d' }, clock: { tolerance: '1h', node_offsets: { n: '-1d' } } })).toBe('');
  });

  it('a case.yaml edited to a huge margin is refused before anything runs (it crashed ingest)', async () => {
    const caseDir = await ingestedCase();
    const p = casePaths(caseDir);
    writeFileSync(p.config, readFileSync(p.config, 'utf8').replace(/margin: .*/, 'margin: 999999999d'));
    await expect(ingest(caseDir, [path.join(caseDir, 'inputs', 'a.json')])).rejects.toMatchObject({ name: 'CaseError', message: expect.stringMatching(/window\.margin/) });
  });
});

describe('a damaged case names the file, the problem and the way back', () => {
  it('case.duckdb that is not a database: refused with how to rebuild it from the lake, which then works', async () => {
    const caseDir = await ingestedCase();
    const p = casePaths(caseDir);
    for (const damage of [() => writeFileSync(p.database, 'not a database'), () => truncateSync(p.database, 5000)]) {
      damage();
      const e = await query(caseDir, 'select 1').catch((x: unknown) => x);
      expect(e).toBeInstanceOf(CaseError);
      expect((e as Error).message).toContain(`${p.database} is not a usable DuckDB database`);
      expect((e as Error).message).toMatch(/holds no evidence .* move it aside \(mv .*case\.duckdb .*case\.duckdb\.broken.*then run podtrail correlate/);
      await expect(correlateCase(caseDir, () => {}, createClock('2026-11-29T01:00:00Z'), 'tester')).rejects.toBeInstanceOf(CaseError);
      // the recovery the message gives
      renameSync(p.database, `${p.database}.broken`);
      await correlateCase(caseDir, () => {}, createClock('2026-11-29T01:00:00Z'), 'tester');
      expect(await query(caseDir, 'select count(*)::INT as n from runtime_events')).toEqual([{ n: 4 }]);
    }
  });

  it('a catalog that is not Parquet names the file and how to recover', async () => {
    const caseDir = await ingestedCase();
    const p = casePaths(caseDir);
    writeFileSync(evidenceFilesParquet(p.lake), 'PAR1 garbage');
    const e = await query(caseDir, 'select 1').catch((x: unknown) => x);
    expect(e).toBeInstanceOf(CaseError);
    expect((e as Error).message).toMatch(/evidence_files\.parquet \(the catalog of acquired evidence\) cannot be read: .*restore it from a backup .*manifest\.json/);
  });

  it('a custody log with a line that is not JSON is refused naming the line (exit 4)', async () => {
    const caseDir = await ingestedCase();
    const p = casePaths(caseDir);
    writeFileSync(p.custody, readFileSync(p.custody, 'utf8').replace(/\n$/, '\n{broken\n'));
    const e = await correlateCase(caseDir, () => {}, createClock('2026-11-29T01:00:00Z'), 'tester').catch((x: unknown) => x);
    expect(e).toBeInstanceOf(IntegrityError);
    expect((e as Error).message).toMatch(/custody\.jsonl line 4 is not a custody entry/);
  });
});
