/**
 * Interruption and concurrency. DuckDB lets one process write a database file, or many read it:
 * - a query during an ingest reads the case's last committed state (committed lake partitions,
 *   the correlation tables of the last correlate) and says so, instead of an internal lock error;
 * - an ingest while a shell holds case.duckdb is refused with the case-lock message naming the
 *   shell (exit 6), and a query beside the shell works;
 * - a writer that finds another writer's lock names it;
 * - `run` after an interrupted ingest raises no integrity alarm about its leftovers in raw/.
 */
import { describe, expect, it } from 'vitest';
import { ExitCode } from '../../src/core/errors.js';
import { scratch } from './scratch.js';
import { spawn } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { ingest, query, AS_OF } from '../helpers/case.js';
import { tetragonLines } from '../helpers/tetragon-lines.js';
import { CLI, distIsFresh } from '../helpers/dist.js';
import { casePaths } from '../../src/case/case-paths.js';
import { openCaseStore } from '../../src/store/case-store.js';
import { runCase } from '../../src/pipeline/run-case.js';
import { correlateCase } from '../../src/correlate/correlate-case.js';
import { createClock } from '../../src/core/clock.js';
import { caseProblems } from './invariants.js';

const { newCase, later } = scratch();

function inputs(caseDir: string, files: Record<string, string[]>): string[] {
  const dir = path.join(caseDir, 'inputs');
  mkdirSync(dir, { recursive: true });
  return Object.entries(files).map(([name, lines]) => {
    writeFileSync(path.join(dir, name), lines.join('\n') + '\n');
    return path.join(dir, name);
  });
}

/** Reads with the notes openCaseStore writes captured. */
async function readWithNotes(caseDir: string, sql: string): Promise<{ rows: Record<string, unknown>[]; notes: string[] }> {
  const notes: string[] = [];
  const store = await openCaseStore(casePaths(caseDir), { write: false, log: (l) => notes.push(l) });
  try {
    return { rows: await store.rows(sql), notes };
  } finally {
    store.close();
  }
}

function waitFor(stream: NodeJS.ReadableStream, re: RegExp): Promise<string> {
  let seen = '';
  return new Promise((resolve, reject) => {
    stream.on('data', (d: Buffer) => {
      seen += d.toString();
      if (re.test(seen)) resolve(seen);
    });
    stream.on('end', () => reject(new Error(`stream ended before ${re}: ${seen}`)));
  });
}

describe.skipIf(!distIsFresh())('readers beside a writer', () => {
  it('a query during an ingest reads the last committed state and says so', async () => {
    const caseDir = newCase();
    const [a] = inputs(caseDir, { 'a.json': tetragonLines(20) });
    await ingest(caseDir, [a!]);
    await correlateCase(caseDir, () => {}, createClock(AS_OF), 'tester');
    const committed = await query(caseDir, 'select count(*)::INT as runs from correlation_runs');
    const big = inputs(caseDir, Object.fromEntries([1, 2, 3, 4, 5, 6].map((i) => [`n${i}.json`, tetragonLines(6000, { node: `node-${i}` })])));
    const child = spawn(process.execPath, [CLI, 'ingest', caseDir, ...big], { env: { ...process.env, PODTRAIL_AS_OF: AS_OF } });
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    // acquisition done: the files are landing now, nothing is committed yet
    await waitFor(child.stderr, /acquired \d+ files/);
    const during = await readWithNotes(caseDir, `select (select count(*) from runtime_events)::INT as events, (select count(*) from correlation_runs)::INT as runs`);
    expect(during.notes.join('\n')).toMatch(/podtrail ingest \(pid \d+\) is writing to the case: reading its last committed state/);
    expect(during.rows).toEqual([{ events: 20, runs: committed[0]!.runs }]);
    expect(await exited).toBe(0);
    expect(await query(caseDir, 'select count(*)::INT as n from runtime_events')).toEqual([{ n: 20 + 6 * 6000 }]);
    expect(await caseProblems(caseDir)).toEqual([]);
  });

  it('an ingest while a shell holds the case is refused naming the shell (exit 6); a query beside the shell works', async () => {
    const caseDir = newCase();
    const [a, b] = inputs(caseDir, { 'a.json': tetragonLines(5), 'b.json': tetragonLines(3, { node: 'node-b' }) });
    await ingest(caseDir, [a!]);
    const shell = spawn(process.execPath, [CLI, 'shell', caseDir], { env: { ...process.env, PODTRAIL_HISTORY: '' } });
    const exited = new Promise<number | null>((resolve) => shell.on('exit', (code) => resolve(code)));
    try {
      shell.stdin.write('select 41 + 1 as answer;\n');
      await waitFor(shell.stdout, /42/);
      await expect(ingest(caseDir, [b!])).rejects.toMatchObject({
        exitCode: ExitCode.busy,
        message: expect.stringMatching(/in use by podtrail shell \(pid \d+\); wait for it to finish/),
      });
      expect(await query(caseDir, 'select count(*)::INT as n from runtime_events')).toEqual([{ n: 5 }]);
    } finally {
      shell.stdin.end();
    }
    expect(await exited).toBe(0);
    await ingest(caseDir, [b!]);
    expect(await query(caseDir, 'select count(*)::INT as n from runtime_events')).toEqual([{ n: 8 }]);
  });
});

describe('writers', () => {
  it('a writer that finds another writer holding the case names it (exit 6)', async () => {
    const caseDir = newCase();
    const [a] = inputs(caseDir, { 'a.json': tetragonLines(2) });
    const holder = spawn('sleep', ['30']);
    later(() => holder.kill());
    writeFileSync(casePaths(caseDir).lock, `${holder.pid} podtrail correlate\n`);
    await expect(ingest(caseDir, [a!])).rejects.toMatchObject({ exitCode: ExitCode.busy, message: expect.stringMatching(/in use by podtrail correlate \(pid \d+\)/) });
  });

  it('run after an interrupted ingest raises no integrity alarm about what it left in raw/', async () => {
    const caseDir = newCase();
    const [a, b] = inputs(caseDir, { 'a.json': tetragonLines(4), 'b.json': tetragonLines(3, { node: 'node-b' }) });
    await ingest(caseDir, [a!]);
    for (const point of ['after-acquire', 'after-land', 'after-partitions']) {
      process.env['PODTRAIL_FAULT'] = point;
      await expect(ingest(caseDir, [b!])).rejects.toThrow(/injected fault/);
      delete process.env['PODTRAIL_FAULT'];
      const r = await runCase({ caseDir, outDir: path.join(caseDir, 'bundle'), force: true, signer: null, clock: createClock('2026-11-29T01:00:00Z'), operator: 'tester' });
      expect(r.model.input_totals.files).toBe(1);
    }
    expect(await caseProblems(caseDir)).toEqual([]);
  });
});
