/**
 * `podtrail collect aws` stopped once, continued by the real CLI, killed there (kill -9,
 * PODTRAIL_FAULT=<point>:kill) while a batch of trail files is being committed, then continued
 * again: the custody log is one
 * intact chain (a custody append cut mid-write is settled and recorded), it names every trail file
 * that landed with that file's hash, nothing the checkpoint had as fetched is fetched again, no
 * temp file is left, and the case holds (invariants of test/integrity).
 */
import { afterEach, describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { appendFileSync, readdirSync, readFileSync, statSync, truncateSync } from 'node:fs';
import path from 'node:path';
import { startAccount, type Account } from './aws-harness.js';
import { AS_OF, query } from '../helpers/case.js';
import { CLI, distIsFresh } from '../helpers/dist.js';
import { caseProblems } from '../integrity/invariants.js';
import { casePaths } from '../../src/case/case-paths.js';
import { hasTornTail, readCustody, verifyChain } from '../../src/custody/custody-log.js';
import { correlateCase } from '../../src/correlate/correlate-case.js';
import { AWS_CHECKPOINT_FORMAT, AWS_CHECKPOINT_OPTIONS, type AwsCollectionState } from '../../src/collect/aws/collection-state.js';
import { Checkpoint } from '../../src/collect/common/checkpoint.js';

type Obj = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!();
});

/**
 * A first run stopped (Ctrl-C) once a few trail files are in, so the checkpoint has some; then the
 * CLI continues the collection and kills itself at `point` (its first trail batch).
 */
async function stopThenKillAt(a: Account, point: string): Promise<void> {
  const stop = new AbortController();
  a.aws.onRequest = (req) => {
    if (req.operation === 'GetObject' && a.aws.requests('s3:GetObject').length === 6) stop.abort(new Error('test: interrupted'));
  };
  const first = await a.collect({ signal: stop.signal, concurrency: 1 });
  a.aws.onRequest = null;
  expect(first.interrupted).toBe(true);
  await collectKilledAt(a, point);
}

/** The CLI collects the account's trail and kills itself at `point`. */
async function collectKilledAt(a: Account, point: string): Promise<NodeJS.Signals | null> {
  const child = spawn(process.execPath, [CLI, 'collect', 'aws', a.caseDir, '--region', 'us-west-2', '--trail', `s3://${a.trail.bucket}`, '--operator', 'tester'], {
    env: { ...process.env, AWS_ENDPOINT_URL: a.aws.url, PODTRAIL_AS_OF: AS_OF, PODTRAIL_FAULT: point.replace(/(@\d+)?$/, ':kill$1') },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let err = '';
  child.stderr!.on('data', (d: Buffer) => (err += d.toString()));
  const signal = await new Promise<NodeJS.Signals | null>((resolve) => child.on('exit', (_code, s) => resolve(s)));
  if (signal !== 'SIGKILL') throw new Error(`the collector was not killed at ${point}:\n${err}`);
  return signal;
}

/**
 * The case invariants of test/integrity, but for the landed-row count: it counts the tables an
 * ingest of sensor and audit files fills, not the collection log, the digest, object and key files,
 * nor the LookupEvents copies the trail's own log files replace.
 */
async function problems(caseDir: string): Promise<string[]> {
  return (await caseProblems(caseDir)).filter((p) => !/: \d+ lake rows, \d+ landed in the catalog$/.test(p));
}

function collection(caseDir: string): string {
  const root = path.join(caseDir, 'collect');
  return path.join(root, readdirSync(root).find((d) => d.startsWith('aws-'))!);
}

function walk(dir: string): string[] {
  return readdirSync(dir).flatMap((f) => (statSync(path.join(dir, f)).isDirectory() ? walk(path.join(dir, f)) : [path.join(dir, f)]));
}

/** Every trail file that landed is named by a collected request entry with its hash. */
async function uncoveredTrailFiles(caseDir: string): Promise<string[]> {
  const named = new Map<string, string>();
  for (const e of readCustody(casePaths(caseDir).custody).entries) {
    if (e.action === 'collected' && e.object['kind'] === 'request' && e.object['verb'] === 'GetObject' && e.object['outcome'] === 'ok') named.set(`${e.object['response_file']} ${e.object['response_sha256']}`, '');
  }
  const landed = await query(caseDir, `select origin, sha256 from evidence_files where origin like 'collect/%/s3/%' order by 1`);
  expect(landed.length).toBeGreaterThan(10);
  return landed.map((r) => `${r['origin']} ${r['sha256']}`).filter((k) => !named.has(k));
}

describe.skipIf(!distIsFresh())('collect aws: kill -9 while trail files are committed, then continued', () => {
  it('killed with a batch of files durable but not yet recorded: the next run fetches that batch again, and nothing the checkpoint had', async () => {
    const a = await startAccount();
    cleanups.push(a.cleanup);
    await stopThenKillAt(a, 'trail-files-durable');
    const killed = Checkpoint.load<AwsCollectionState>(path.join(collection(a.caseDir), 'checkpoint.json'), AWS_CHECKPOINT_FORMAT, AWS_CHECKPOINT_OPTIONS)!.state;
    const had = new Set(killed.objects.filter((o) => o.state === 'fetched').map((o) => `/${o.bucket}/${o.key}`));
    const pending = killed.objects.filter((o) => o.state === 'pending').map((o) => `/${o.bucket}/${o.key}`);
    expect(had.size).toBeGreaterThan(0); // what the stopped run fetched
    expect(pending.length).toBeGreaterThan(0);
    const before = a.aws.received.length;
    expect(verifyChain(readCustody(casePaths(a.caseDir).custody).lines)).toEqual([]);

    const r = await a.collect();
    expect(r.run).toBe(3);
    expect(r.complete, a.logs.join('\n')).toBe(true);
    // exactly what the checkpoint did not have is fetched: the killed batch, once
    expect(a.aws.received.slice(before).filter((x) => x.operation === 'GetObject').map((x) => x.path).sort()).toEqual(pending.sort());
    expect(await uncoveredTrailFiles(a.caseDir)).toEqual([]);
    expect(walk(collection(a.caseDir)).filter((f) => f.endsWith('.partial') || f.endsWith('.saving'))).toEqual([]);
    expect(readdirSync(collection(a.caseDir)).filter((f) => f.startsWith('checkpoint-journal-'))).toHaveLength(1);
    expect(await problems(a.caseDir)).toEqual([]);
  });

  it('killed after custody, before the checkpoint, with the custody append cut mid-write: settled in the chain, resumed, every landed file named, the trail valid', async () => {
    const a = await startAccount();
    cleanups.push(a.cleanup);
    await stopThenKillAt(a, 'trail-custody-appended');
    // what a crash inside the append leaves: its last entry cut, and NUL bytes where the file grew
    const custody = casePaths(a.caseDir).custody;
    const lines = readFileSync(custody, 'utf8').split('\n').filter(Boolean);
    const cut = Math.floor(lines[lines.length - 1]!.length / 2) + 1;
    truncateSync(custody, statSync(custody).size - cut);
    appendFileSync(custody, Buffer.alloc(512));
    expect(hasTornTail(custody)).toBe(true);
    const killed = Checkpoint.load<AwsCollectionState>(path.join(collection(a.caseDir), 'checkpoint.json'), AWS_CHECKPOINT_FORMAT, AWS_CHECKPOINT_OPTIONS)!.state;
    const had = new Set(killed.objects.filter((o) => o.state === 'fetched').map((o) => `/${o.bucket}/${o.key}`));
    const before = a.aws.received.length;

    const r = await a.collect();
    expect(r.complete, a.logs.join('\n')).toBe(true);
    const { entries, lines: after } = readCustody(custody);
    expect(verifyChain(after)).toEqual([]);
    const settled = entries.filter((e) => e.object['kind'] === 'custody-torn-append');
    expect(settled.map((e) => (e.object as Obj)['bytes'])).toEqual([lines[lines.length - 1]!.length + 1 - cut + 512]);
    expect(a.aws.received.slice(before).filter((x) => x.operation === 'GetObject' && had.has(x.path))).toEqual([]);
    expect(await uncoveredTrailFiles(a.caseDir)).toEqual([]);
    expect(await problems(a.caseDir)).toEqual([]);
    await correlateCase(a.caseDir);
    const v = await query(a.caseDir, `select object_kind, status, count(*)::INTEGER as n from cloudtrail_validation group by all order by all`);
    expect(v.filter((x) => x['status'] !== 'valid' && x['status'] !== 'GAP')).toEqual([]);
    expect(v.find((x) => x['object_kind'] === 'log')!['n']).toBeGreaterThan(10);
  });
});
