// Runs a command as a child process and reports its wall time and peak RSS.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const HOOK = path.join(path.dirname(fileURLToPath(import.meta.url)), 'rss-hook.mjs');

/** Runs `node <args>` with the RSS hook; returns { ms, rssBytes, stdout, stderr }. */
export function measureNode(args, env = {}) {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'podtrail-rss-'));
  const rssFile = path.join(dir, 'rss');
  const t0 = performance.now();
  const r = spawnSync(process.execPath, ['--import', HOOK, ...args], {
    env: { ...process.env, ...env, PODTRAIL_BENCH_RSS_FILE: rssFile },
    encoding: 'utf8',
    maxBuffer: 1 << 28,
  });
  const ms = performance.now() - t0;
  if (r.status !== 0) throw new Error(`node ${args.join(' ')} failed (${r.status}):\n${r.stderr}`);
  const rssBytes = Number(readFileSync(rssFile, 'utf8'));
  rmSync(dir, { recursive: true, force: true });
  return { ms, rssBytes, stdout: r.stdout, stderr: r.stderr };
}

export const mb = (b) => `${(b / 1024 / 1024).toFixed(0)} MB`;
export const sec = (ms) => `${(ms / 1000).toFixed(2)} s`;

export function parseArgs(argv, defaults) {
  const out = { ...defaults };
  for (let i = 0; i < argv.length; i++) {
    const m = /^--([a-z-]+)$/.exec(argv[i]);
    if (m && i + 1 < argv.length) out[m[1]] = argv[++i];
  }
  return out;
}
