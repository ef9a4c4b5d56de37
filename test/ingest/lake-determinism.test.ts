/**
 * The lake is written the same way on every run: the same inputs ingested twice give the same
 * Parquet bytes, table by table, file by file. CloudTrail and audit logs land through a window
 * (duplicate detection), whose rows come out in the order DuckDB's threads finish: before they
 * were written in record order, two ingests of one generated case differed in 26 of their files.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { cpSync, readFileSync, readdirSync } from 'node:fs';
import { createHash } from 'node:crypto';
import path from 'node:path';
import { generateScenario } from '../../src/generate/generate.js';
import { ingestCase } from '../../src/ingest/ingest-case.js';
import { createClock } from '../../src/core/clock.js';
import { AS_OF, tempDir } from '../helpers/case.js';

const t = tempDir('podtrail-determinism-');
afterAll(() => t.cleanup());

function lakeSums(lake: string): Map<string, string> {
  const files = readdirSync(lake, { recursive: true }).map(String).filter((f) => f.endsWith('.parquet')).sort();
  return new Map(files.map((f) => [f, createHash('sha256').update(readFileSync(path.join(lake, f))).digest('hex')]));
}

async function ingestCopy(generated: string, name: string, kinds: string[]): Promise<Map<string, string>> {
  const caseDir = path.join(t.dir, name);
  cpSync(path.join(generated, 'case.yaml'), path.join(caseDir, 'case.yaml'));
  await ingestCase({
    caseDir,
    paths: kinds.map((k) => path.join(generated, 'inputs', k)),
    source: null,
    operator: 'tester',
    snapshotAt: null,
    clock: createClock(AS_OF),
    log: () => {},
  });
  return lakeSums(path.join(caseDir, 'lake'));
}

describe('the lake is deterministic', () => {
  it('two ingests of the same CloudTrail and audit logs write the same Parquet bytes', async () => {
    const generated = path.join(t.dir, 'generated');
    generateScenario({ scenario: 'mixed', seed: 1, scale: 0.2, outDir: generated });
    const kinds = ['cloudtrail', 'cloudtrail-lookup', 'kube-audit'];
    const a = await ingestCopy(generated, 'a', kinds);
    const b = await ingestCopy(generated, 'b', kinds);
    const tables = new Set([...a.keys()].map((f) => f.split(path.sep)[0]));
    expect([...tables].sort()).toEqual(expect.arrayContaining(['cloud_events', 'kube_audit_events']));
    expect(a.size).toBeGreaterThan(20);
    const differing = [...a.keys()].filter((f) => a.get(f) !== b.get(f));
    expect(differing).toEqual([]);
    expect([...b.keys()]).toEqual([...a.keys()]);
  }, 120_000);
});
