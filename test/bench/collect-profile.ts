/**
 * The trail collection's fetch phase (first GetObject to landing) on its own, BENCH_ROUNDS times,
 * against the benchmark's remote account (remote-account.ts, in a child process), to find where
 * the collector's CPU goes:
 *   node --import ./test/bench/ts-register.mjs test/bench/collect-profile.ts [OUT.cpuprofile]
 * prints this process's CPU per MB and the wall time of each round's fetch phase; with OUT, the
 * last round's is profiled by V8 (JS self time per function and package; V8 samples by wall clock,
 * so time the main thread spends preempted, e.g. while the thread pool creates the files, is put on
 * whatever JS ran last). For CPU by thread, the thread pool and GC included, use perf:
 *   PRINT_CLOCK=1 perf record -k CLOCK_MONOTONIC -g -- node --perf-basic-prof --import ./test/bench/ts-register.mjs test/bench/collect-profile.ts
 *   perf report --time FROM,TO (a round's "fetch phase from / to" instants)
 * KEEP_CASE=1 keeps each round's case (its custody log times every request). BENCH_FILES,
 * BENCH_SIZE_KB and BENCH_CONCURRENCY as for the benchmark.
 */
import { Session } from 'node:inspector/promises';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { useTestCredentials } from '../collect/aws-credentials.js';
import { initCase } from '../../src/case/init-case.js';
import { collectAws, DEFAULT_GET_CONCURRENCY } from '../../src/collect/aws/collect-aws.js';
import { collectOptions, startRemote } from './remote-client.js';

const FILES = Number(process.env['BENCH_FILES'] ?? 240);
const SIZE_KB = Number(process.env['BENCH_SIZE_KB'] ?? 256);
const CONCURRENCY = Number(process.env['BENCH_CONCURRENCY'] ?? DEFAULT_GET_CONCURRENCY);
const ROUNDS = Number(process.env['BENCH_ROUNDS'] ?? 1);
const out = process.argv[2] ?? null;

interface Profile {
  nodes: { id: number; callFrame: { functionName: string; url: string; lineNumber: number } }[];
  samples: number[];
  timeDeltas: number[];
}

const remote = await startRemote({ lookupTps: 1000, trail: { regions: ['us-east-1'], hours: 2, logsPerHour: Math.ceil(FILES / 2), eventsPerLog: 1 }, sizeKb: SIZE_KB });
useTestCredentials();
const session = new Session();
session.connect();
await session.post('Profiler.enable');
await session.post('Profiler.setSamplingInterval', { interval: 200 });
const rounds: { cpuMs: number; wallMs: number }[] = [];
let profile: Profile | null = null;
for (let round = 0; round < ROUNDS; round++) {
  const tmp = mkdtempSync(path.join(os.tmpdir(), 'podtrail-profile-'));
  const caseDir = path.join(tmp, 'case');
  initCase(caseDir, { from: '2026-10-20T07:00:00Z', to: '2026-10-20T09:10:00Z', namespaces: [], reason: 'profile', margin: '15m' });
  let started = false;
  let stopped: Promise<unknown> | null = null;
  let cpu0: NodeJS.CpuUsage | null = null;
  let t0 = 0;
  const profiled = out !== null && round === ROUNDS - 1;
  await collectAws({
    ...collectOptions(remote, caseDir, CONCURRENCY),
    log: (line) => {
      if (!started && line.startsWith('fetching ')) {
        started = true;
        if (profiled) void session.post('Profiler.start');
        cpu0 = process.cpuUsage();
        t0 = performance.now();
        if (process.env['PRINT_CLOCK']) console.log(`fetch phase from ${(Number(process.hrtime.bigint()) / 1e9).toFixed(6)}`);
      } else if (started && stopped === null && line.startsWith('landing ')) {
        const d = process.cpuUsage(cpu0!);
        if (process.env['PRINT_CLOCK']) console.log(`fetch phase to ${(Number(process.hrtime.bigint()) / 1e9).toFixed(6)}`);
        rounds.push({ cpuMs: (d.user + d.system) / 1000, wallMs: performance.now() - t0 });
        stopped = profiled ? session.post('Profiler.stop').then((r) => (profile = (r as { profile: Profile }).profile)) : Promise.resolve();
      }
    },
  });
  await stopped;
  if (process.env['KEEP_CASE']) console.log(`case kept: ${caseDir}`);
  else rmSync(tmp, { recursive: true, force: true });
}
await remote.stop();
const mb = remote.objects.reduce((n, o) => n + o.bytes, 0) / 1e6;
console.log(`fetch phase, ${mb.toFixed(1)} MB, ${ROUNDS} rounds: CPU ${rounds.map((r) => (r.cpuMs / mb).toFixed(1)).join(', ')} ms per MB; wall ${rounds.map((r) => (r.wallMs / 1000).toFixed(2)).join(', ')} s`);
if (profile === null) process.exit(0);
writeFileSync(out!, JSON.stringify(profile));
const p = profile as Profile;
// self time per node from the samples and their time deltas
const self = new Map<number, number>();
p.samples.forEach((id, i) => self.set(id, (self.get(id) ?? 0) + (p.timeDeltas[i] ?? 0) / 1000));
const byFn = new Map<string, number>();
const byPkg = new Map<string, number>();
for (const n of p.nodes) {
  const ms = self.get(n.id) ?? 0;
  const u = n.callFrame.url;
  const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(u)?.[1] ?? (u.startsWith('node:') ? u : u.includes('/src/') ? 'podtrail src' : u.includes('/test/') ? 'podtrail test' : u === '' ? `(${n.callFrame.functionName})` : u);
  const key = `${n.callFrame.functionName || '(anonymous)'} ${u.replace(/^.*node_modules\//, '').replace(/^.*\/(src|test)\//, '$1/')}:${n.callFrame.lineNumber + 1}`;
  byFn.set(key, (byFn.get(key) ?? 0) + ms);
  byPkg.set(pkg, (byPkg.get(pkg) ?? 0) + ms);
}
const total = [...self.values()].reduce((a, b) => a + b, 0);
console.log(`profile: ${total.toFixed(0)} ms sampled (wall clock between samples: a loaded machine inflates whatever was running when the process lost its core)`);
const top = (m: Map<string, number>, n: number): string => [...m.entries()].sort((a, b) => b[1] - a[1]).slice(0, n).map(([k, v]) => `${v.toFixed(1).padStart(8)} ms ${((v / total) * 100).toFixed(1).padStart(5)} %  ${k}`).join('\n');
console.log(`\nby package:\n${top(byPkg, 25)}\n\nby function:\n${top(byFn, 45)}`);
process.exit(0);
