import { afterAll, describe, expect, it } from 'vitest';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { tempDir } from '../helpers/case.js';
import { CLI, REPO, distIsFresh } from '../helpers/dist.js';
import { mayUpdateGolden } from '../helpers/golden.js';
import { renderSchemaDoc } from '../../src/lake/schema-doc.js';
import { renderHuntMarkdown } from '../../src/query/hunts.js';

/**
 * docs/analyst-sql.md and docs/schema.md: the generated parts (the hunt table, the schema) match
 * their one source, and the ```sh examples of the analyst page run as written against the built CLI.
 */

const ANALYST = path.join(REPO, 'docs', 'analyst-sql.md');
const SCHEMA = path.join(REPO, 'docs', 'schema.md');
const cleanups: (() => void)[] = [];
afterAll(() => cleanups.forEach((f) => f()));

/** Checks (or, with UPDATE_GOLDEN=1 outside CI, rewrites) the text between two markers. */
function checkGenerated(file: string, name: string, body: string): void {
  const text = readFileSync(file, 'utf8');
  const doc = path.relative(REPO, file);
  const begin = `<!-- ${name}:begin -->\n`;
  const end = `<!-- ${name}:end -->`;
  const i = text.indexOf(begin);
  const j = text.indexOf(end, i);
  expect(i, `${doc} has ${begin.trim()}`).toBeGreaterThanOrEqual(0);
  expect(j, `${doc} has ${end}`).toBeGreaterThan(i);
  const current = text.slice(i + begin.length, j);
  if (mayUpdateGolden()) {
    writeFileSync(file, text.slice(0, i + begin.length) + body + text.slice(j));
    return;
  }
  expect(current, `${doc}: the ${name} section is stale: run the tests with UPDATE_GOLDEN=1`).toBe(body);
}

describe('docs: analyst SQL and schema', () => {
  it('shows the schema generated from src/lake (the text podtrail schema prints)', () => {
    checkGenerated(SCHEMA, 'schema', renderSchemaDoc());
  });

  it('lists every hunt from the headers of queries/', () => {
    checkGenerated(ANALYST, 'hunts', renderHuntMarkdown());
  });

  it.skipIf(!distIsFresh())('runs its examples as written', () => {
    const blocks = [...readFileSync(ANALYST, 'utf8').matchAll(/```sh\n([\s\S]*?)```/g)].map((m) => m[1]!);
    expect(blocks.length).toBeGreaterThanOrEqual(5);
    const t = tempDir('podtrail-readme-');
    cleanups.push(t.cleanup);
    const bin = path.join(t.dir, 'bin');
    mkdirSync(bin);
    writeFileSync(path.join(bin, 'podtrail'), `#!/bin/sh\nexec ${JSON.stringify(process.execPath)} ${JSON.stringify(CLI)} "$@"\n`);
    chmodSync(path.join(bin, 'podtrail'), 0o755);
    const work = path.join(t.dir, 'work');
    mkdirSync(work);
    const script = ['set -euo pipefail', ...blocks, 'test -n "$POD" && test -n "$EVENT"'].join('\n');
    const r = spawnSync('bash', ['-c', script], {
      cwd: work,
      encoding: 'utf8',
      env: { ...process.env, PATH: `${bin}:${process.env['PATH'] ?? ''}`, HOME: t.dir },
      timeout: 600_000,
      maxBuffer: 64 * 1024 * 1024,
    });
    expect(r.stderr, 'stderr of the examples').not.toMatch(/internal error|podtrail: (?!.*\bwrote\b)/);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toContain('proven');
    expect(r.stdout).toContain('cloud-event');
    expect(r.stdout).toContain('| ts ');
    expect(existsSync(path.join(work, 'runtime.parquet'))).toBe(true);
    expect(r.stderr).toContain('wrote ');
  }, 900_000);
});
