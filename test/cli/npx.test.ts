/**
 * The README's quick start is `npm ci && npx podtrail demo`: npm runs the project's own bin
 * (package.json "bin") by executing dist/cli/index.js, so the build must leave it executable
 * (tsc writes 0644; "prepare" and "build" set 0755).
 */
import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { statSync } from 'node:fs';
import { CLI, REPO, distIsFresh } from '../helpers/dist.js';

describe('npx podtrail', () => {
  it.skipIf(process.platform === 'win32')('the built bin is executable', () => {
    expect(statSync(CLI).mode & 0o111).toBe(0o111);
  });

  it.skipIf(!distIsFresh())('runs the CLI from the project folder', () => {
    const r = spawnSync('npm', ['exec', '--offline', '--', 'podtrail', '--version'], { cwd: REPO, encoding: 'utf8' });
    expect(r.stderr).not.toMatch(/Permission denied/);
    expect(r.status).toBe(0);
    expect(r.stdout.trim()).toMatch(/^\d+\.\d+\.\d+/);
  });
});
