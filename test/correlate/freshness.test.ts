/**
 * Check and bundle present correlation tables only when they were computed from the case as it is:
 * the same evidence catalog, the same case.yaml, the same tool (correlation_runs). Otherwise they
 * refuse, saying what changed and what to run, and write nothing.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { baselineSpec, buildCheckedCase } from '../helpers/check-baseline.js';
import { editCaseYaml, handmadeCase, ingestInputs, lines, tgHeartbeat, writeInput } from '../helpers/handmade.js';
import { checkCase } from '../../src/check/check-case.js';
import { correlateCase } from '../../src/correlate/correlate-case.js';
import { bundleCase } from '../../src/bundle/bundle-case.js';
import { createClock } from '../../src/core/clock.js';
import { CliError } from '../../src/core/errors.js';

const AT = '2026-11-29T00:00:00Z';
let caseDir: string;
let cleanup: () => void;

beforeAll(async () => {
  ({ caseDir, cleanup } = await buildCheckedCase(baselineSpec()));
}, 120_000);

afterAll(() => cleanup?.());

const check = () => checkCase(caseDir, () => {}, createClock(AT));
const bundle = (out: string) => bundleCase({ caseDir, outDir: path.join(caseDir, out), signer: null, clock: createClock(AT) });

describe('correlation freshness', () => {
  it('a case never correlated: check refuses and says to correlate', async () => {
    const c = handmadeCase();
    try {
      writeInput(c.caseDir, 'tetragon/node-a.json', lines(tgHeartbeat('node-a', '2026-10-20T09:10:00Z', '2026-10-20T09:13:00Z')));
      await ingestInputs(c.caseDir, { asOf: AT });
      await expect(checkCase(c.caseDir, () => {}, createClock(AT))).rejects.toThrow(/has not been correlated: run podtrail correlate .* \(or podtrail run /);
    } finally {
      c.cleanup();
    }
  });

  it('case.yaml edited after correlate: check and bundle refuse, bundle writes nothing', async () => {
    editCaseYaml(caseDir, (doc) => {
      (doc['window'] as Record<string, unknown>)['reason'] = 'scope widened after review';
    });
    await expect(check()).rejects.toThrow(/stale \(case\.yaml changed since\)/);
    await expect(bundle('bundle-stale-config')).rejects.toBeInstanceOf(CliError);
    expect(existsSync(path.join(caseDir, 'bundle-stale-config'))).toBe(false);
    await correlateCase(caseDir, () => {}, createClock(AT));
    await expect(check()).resolves.toMatchObject({ schema: 'podtrail.validation/v1' });
  }, 120_000);

  it('evidence acquired after correlate: check refuses until correlate runs again', async () => {
    writeInput(caseDir, 'late/node-a-late.json', lines(tgHeartbeat('node-a', '2026-10-20T11:59:30Z', '2026-10-20T12:00:30Z', 20)));
    await ingestInputs(caseDir, { paths: [path.join(caseDir, 'inputs', 'late')], asOf: AT });
    await expect(check()).rejects.toThrow(/stale \(evidence was acquired since\)/);
    await correlateCase(caseDir, () => {}, createClock(AT));
    await expect(check()).resolves.toMatchObject({ schema: 'podtrail.validation/v1' });
  }, 120_000);
});
