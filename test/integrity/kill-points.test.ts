/**
 * kill -9 at every named point of a writing command (PODTRAIL_FAULT=<point>:kill makes the real
 * CLI send itself SIGKILL there: no finally block, no exit handler runs), and once from outside at
 * an arbitrary moment of an ingest. After each, the next commands must find the case old or
 * complete: `run` succeeds without an integrity alarm, its bundle verifies, raw/ and the lake hold
 * exactly what the catalog lists, and the custody log covers every catalogued input.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { makeCase, ingest, query, AS_OF } from '../helpers/case.js';
import { tetragonLines } from '../helpers/tetragon-lines.js';
import { CLI, distIsFresh } from '../helpers/dist.js';
import { runCase } from '../../src/pipeline/run-case.js';
import { verifyBundle } from '../../src/bundle/verify-bundle.js';
import { createClock } from '../../src/core/clock.js';
import { FAULT_POINTS } from '../../src/core/fault-point.js';
import { caseProblems } from './invariants.js';

const INGEST_POINTS = ['mid-acquire', 'after-acquire', 'after-land', 'after-partitions', 'after-custody-next', 'after-catalog', 'after-custody'] as const;
const RUN_POINTS = ['after-correlate', 'after-check', 'before-export-entry'] as const;
/** Points at or after the commit point: the second input must be in the case. */
const COMMITTED = new Set(['after-catalog', 'after-custody']);

const held: string[] = [];
const tried: string[] = [];
afterAll(() => {
  // the figures the corpus reports
  console.log(`kill points: ${tried.length} tried, ${held.length} held`);
});

function cli(args: string[], env: Record<string, string> = {}): { status: number | null; signal: NodeJS.Signals | null; stderr: string } {
  const r = spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8', env: { ...process.env, PODTRAIL_AS_OF: AS_OF, ...env } });
  return { status: r.status, signal: r.signal, stderr: r.stderr };
}

async function freshCase(): Promise<{ caseDir: string; second: string; cleanup: () => void }> {
  const c = makeCase();
  const dir = path.join(c.caseDir, 'inputs');
  mkdirSync(dir, { recursive: true });
  writeFileSync(path.join(dir, 'a.json'), tetragonLines(20).join('\n') + '\n');
  writeFileSync(path.join(dir, 'b.json'), tetragonLines(30, { node: 'node-b' }).join('\n') + '\n');
  await ingest(c.caseDir, [path.join(dir, 'a.json')]);
  return { caseDir: c.caseDir, second: path.join(dir, 'b.json'), cleanup: c.cleanup };
}

/** What must hold after the kill: run, verify, exact lake and raw/, custody coverage. */
async function holds(caseDir: string, expectFiles: number | null): Promise<void> {
  const r = await runCase({ caseDir, outDir: path.join(caseDir, 'bundle'), force: true, signer: null, clock: createClock('2026-11-29T01:00:00Z'), operator: 'tester' });
  const v = await verifyBundle(r.outDir);
  expect(v.checks.filter((c) => c.status === 'FAIL')).toEqual([]);
  expect(await caseProblems(caseDir)).toEqual([]);
  if (expectFiles !== null) expect(await query(caseDir, 'select count(*)::INT as n from evidence_files')).toEqual([{ n: expectFiles }]);
}

describe.skipIf(!distIsFresh())('kill -9 during a writing command', () => {
  it('names every fault point it exercises', () => {
    expect([...INGEST_POINTS, ...RUN_POINTS].sort()).toEqual([...FAULT_POINTS].sort());
  });

  for (const point of INGEST_POINTS) {
    it(`ingest killed at ${point}: the case is ${COMMITTED.has(point) ? 'complete' : 'as it was'}`, async () => {
      const c = await freshCase();
      tried.push(point);
      try {
        const r = cli(['ingest', c.caseDir, c.second], { PODTRAIL_FAULT: `${point}:kill` });
        expect(r.signal, r.stderr).toBe('SIGKILL');
        await holds(c.caseDir, COMMITTED.has(point) ? 2 : 1);
        // the input can be ingested again: landed, or already there
        const again = await ingest(c.caseDir, [c.second]);
        expect(again.files[0]!.status).toBe(COMMITTED.has(point) ? 'already-ingested' : 'landed');
        expect(await caseProblems(c.caseDir)).toEqual([]);
        held.push(point);
      } finally {
        c.cleanup();
      }
    });
  }

  for (const point of RUN_POINTS) {
    it(`run killed at ${point}: the next run completes and its bundle verifies`, async () => {
      const c = await freshCase();
      tried.push(point);
      try {
        const r = cli(['run', c.caseDir], { PODTRAIL_FAULT: `${point}:kill` });
        expect(r.signal, r.stderr).toBe('SIGKILL');
        await holds(c.caseDir, 1);
        held.push(point);
      } finally {
        c.cleanup();
      }
    });
  }

  it('ingest killed from outside (kill -9) once it is landing: old or complete', async () => {
    const c = makeCase();
    tried.push('external');
    try {
      const dir = path.join(c.caseDir, 'inputs');
      mkdirSync(dir, { recursive: true });
      writeFileSync(path.join(dir, 'a.json'), tetragonLines(10).join('\n') + '\n');
      await ingest(c.caseDir, [path.join(dir, 'a.json')]);
      for (let i = 0; i < 6; i++) writeFileSync(path.join(dir, `n${i}.json`), tetragonLines(4000, { node: `node-${i}` }).join('\n') + '\n');
      const child = spawn(process.execPath, [CLI, 'ingest', c.caseDir, ...[0, 1, 2, 3, 4, 5].map((i) => path.join(dir, `n${i}.json`))], {
        env: { ...process.env, PODTRAIL_AS_OF: AS_OF },
      });
      const exited = new Promise<NodeJS.Signals | null>((resolve) => child.on('exit', (_code, signal) => resolve(signal)));
      let err = '';
      await new Promise<void>((resolve) => {
        child.stderr.on('data', (d: Buffer) => {
          err += d.toString();
          if (/landed .*n1\.json/.test(err)) resolve();
        });
        child.on('exit', () => resolve());
      });
      child.kill('SIGKILL');
      expect(await exited).toBe('SIGKILL');
      await holds(c.caseDir, null);
      held.push('external');
    } finally {
      c.cleanup();
    }
  });
});
