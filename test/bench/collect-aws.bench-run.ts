/**
 * Benchmark of `podtrail collect aws` against the loopback AWS account (npm run bench:collect).
 * The account's servers (test/servers/aws, every protocol check kept) and the plain download's bare
 * HTTP server run in a child process of their own (remote-account.ts), as S3 and CloudTrail are
 * remote: this process holds only the collector and the plain downloader, so each is billed for
 * its own work only.
 * 1. LookupEvents throughput at the API's limit: one region, EVENTS events, 2 requests per second
 *    enforced by the server; events per second against the ceiling of 2 pages of 50 a second.
 * 2. Trail files: FILES log files of about SIZE KB each (and their digests) fetched, written,
 *    hashed, recorded in custody and checkpointed, against a plain download of the same bytes (HTTP
 *    GETs at the same concurrency into files, without and with an fsync per file), ROUNDS rounds
 *    of the three, one after the other; the median round's figures and the spread over rounds.
 *    First on loopback (the servers answer at once), then against a modelled remote S3: both
 *    servers wait REMOTE_MS before every answer's first byte (0: left out). Concurrency is the
 *    collector's default on both sides (CONCURRENCY to change it).
 * Landing (ingest) is not in either figure: it is ingest's own benchmark. Prints a table.
 */
import { afterAll, it } from 'vitest';
import http from 'node:http';
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { copyFileSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { open } from 'node:fs/promises';
import path from 'node:path';
import type { Readable } from 'node:stream';
import { finished } from 'node:stream/promises';
import { GetObjectCommand, S3Client, type S3ClientConfig } from '@aws-sdk/client-s3';
import { useTestCredentials } from '../collect/aws-credentials.js';
import { makeCase, tempDir } from '../helpers/case.js';
import { collectAws, DEFAULT_GET_CONCURRENCY, type CollectAwsOptions, type CollectAwsResult } from '../../src/collect/aws/collect-aws.js';
import { CustodyAppender } from '../../src/custody/custody-append.js';
import { appendCustody, type CustodyEntryInput } from '../../src/custody/custody-log.js';
import { Checkpoint } from '../../src/collect/common/checkpoint.js';
import { AWS_CHECKPOINT_OPTIONS, type AwsCollectionState, type ObjectTask } from '../../src/collect/aws/collection-state.js';
import { collectOptions, inFlight, startRemote, type Remote } from './remote-client.js';

const EVENTS = Number(process.env['BENCH_EVENTS'] ?? 3000);
const FILES = Number(process.env['BENCH_FILES'] ?? 240);
const SIZE_KB = Number(process.env['BENCH_SIZE_KB'] ?? 256);
const ROUNDS = Number(process.env['BENCH_ROUNDS'] ?? 3);
const CONCURRENCY = Number(process.env['BENCH_CONCURRENCY'] ?? DEFAULT_GET_CONCURRENCY);
const REMOTE_MS = Number(process.env['BENCH_REMOTE_MS'] ?? 20);

type Obj = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

/** A fresh case over the window, and a collection from the remote account into it. */
function collector(remote: Remote, window: { from: string; to: string }): { caseDir: string; collect(o?: Partial<CollectAwsOptions>): Promise<CollectAwsResult>; cleanup(): void } {
  useTestCredentials();
  const c = makeCase({ ...window, margin: '15m' });
  return { caseDir: c.caseDir, cleanup: c.cleanup, collect: (x = {}) => collectAws({ ...collectOptions(remote, c.caseDir, CONCURRENCY), ...x }) };
}

function requests(caseDir: string): Obj[] {
  return readFileSync(path.join(caseDir, 'custody.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as Obj).filter((e) => e.object?.kind === 'request').map((e) => e.object);
}

function span(rs: Obj[]): number {
  return Math.max(...rs.map((x) => Date.parse(x.responded_at))) - Math.min(...rs.map((x) => Date.parse(x.requested_at)));
}

/** The disk settled before a timed phase: no write-back of the previous phase's files billed to the next. */
function settle(): void {
  execFileSync('sync');
}

function cpuMsSince(from: NodeJS.CpuUsage): number {
  const d = process.cpuUsage(from);
  return (d.user + d.system) / 1000;
}

const rows: string[] = [];
const notes: string[] = [];
let trailRssMb = NaN;

afterAll(async () => {
  const os = await import('node:os');
  const [l1, l5] = os.loadavg();
  console.log(['', `concurrency ${CONCURRENCY} on both sides`, '', '| measure | volume | time | rate | ratio | note |', '|---|---|---|---|---|---|', ...rows, '', `peak RSS of the collector process (vitest worker) after the trail files: ${trailRssMb.toFixed(0)} MB`, ...notes, `load average (1 min, 5 min) at the end: ${l1!.toFixed(2)}, ${l5!.toFixed(2)}, on ${os.cpus().length} cores`].join('\n'));
});
const WINDOW = { from: '2026-10-20T07:00:00Z', to: '2026-10-20T09:10:00Z' };

it.skipIf(EVENTS === 0)('LookupEvents at 2 requests per second', async () => {
  const perLog = 50;
  const hours = 2;
  const remote = await startRemote({ lookupTps: 2, trail: { regions: ['us-east-1'], hours, logsPerHour: Math.ceil(EVENTS / perLog / hours), eventsPerLog: perLog }, sizeKb: 0 });
  const c = collector(remote, WINDOW);
  try {
    const t0 = performance.now();
    const r = await c.collect({ trail: null, lookupRatePerSecond: 2 });
    const total = performance.now() - t0;
    const lookups = requests(c.caseDir).filter((x) => x.verb === 'LookupEvents' && x.outcome === 'ok');
    const events = r.steps[0]!.detail.match(/^(\d+) events/)![1]!;
    const ms = span(lookups);
    const rate = Number(events) / (ms / 1000);
    rows.push(`| LookupEvents, 1 region, 2 requests/s enforced | ${events} events, ${lookups.length} pages | ${(ms / 1000).toFixed(1)} s | ${rate.toFixed(1)} events/s | ${rate.toFixed(1)} % of the 100 events/s ceiling | collect incl. landing ${(total / 1000).toFixed(1)} s |`);
  } finally {
    c.cleanup();
    await remote.stop();
  }
});

interface Round {
  /** The same GETs through the SDK, bodies dropped, and bare, bodies dropped: the SDK's own cost. */
  sdkMs: number;
  sdkCpuMs: number;
  getMs: number;
  getCpuMs: number;
  plainMs: number;
  plainCpuMs: number;
  plainRemoteCpuMs: number;
  cpuMs: number;
  remoteCpuMs: number;
  syncedMs: number;
  ms: number;
  logMs: number;
  logBytes: number;
  logGets: number;
  gets: number;
  totalMs: number;
}

/** ROUNDS rounds of: plain download, plain download with fsync, podtrail; rows for the table. */
async function trailRounds(remote: Remote, label: string): Promise<void> {
  const t = tempDir('podtrail-bench-plain-');
  const objects = remote.objects;
  const bytes = objects.reduce((n, o) => n + o.bytes, 0);
  const plainUrl = new URL(remote.plainUrl);
  // plain: GETs of the same bytes from the same remote process, CONCURRENCY at a time, into files
  const download = async (round: number, sync: boolean): Promise<{ ms: number; cpuMs: number; remoteCpuMs: number }> => {
    settle();
    const agent = new http.Agent({ keepAlive: true, maxSockets: CONCURRENCY });
    const remote0 = await remote.usage();
    const cpu0 = process.cpuUsage();
    const t0 = performance.now();
    await inFlight(CONCURRENCY, objects, async (o) => {
      const body = await new Promise<Buffer>((resolve, reject) =>
        http.get({ host: plainUrl.hostname, port: plainUrl.port, path: `/${o.key}`, agent }, (res) => {
          const parts: Buffer[] = [];
          res.on('data', (c: Buffer) => parts.push(c));
          res.on('end', () => resolve(Buffer.concat(parts)));
          res.on('error', reject);
        }),
      );
      const f = path.join(t.dir, `${round}${sync ? 's' : 'p'}${createHash('sha1').update(o.key).digest('hex')}`);
      if (!sync) writeFileSync(f, body);
      else {
        const fh = await open(f, 'w');
        await fh.write(body);
        await fh.datasync();
        await fh.close();
      }
    });
    const ms = performance.now() - t0;
    const cpuMs = cpuMsSince(cpu0);
    const remoteCpuMs = (await remote.usage()).cpuMs - remote0.cpuMs;
    agent.destroy();
    return { ms, cpuMs, remoteCpuMs };
  };
  useTestCredentials();
  // the floor the SDK sets: the same GETs through an S3 client configured as the collector's
  // (one attempt, path style, keep-alive), bodies read and dropped, against bare GETs, bodies dropped
  const s3 = new S3Client({ region: 'us-east-1', endpoint: remote.awsUrl, forcePathStyle: true, maxAttempts: 1, cacheMiddleware: true } as S3ClientConfig);
  const bare = async (sdk: boolean): Promise<{ ms: number; cpuMs: number }> => {
    const agent = new http.Agent({ keepAlive: true, maxSockets: CONCURRENCY });
    const cpu0 = process.cpuUsage();
    const t0 = performance.now();
    await inFlight(CONCURRENCY, objects, async (o) => {
      if (sdk) {
        const out = await s3.send(new GetObjectCommand({ Bucket: remote.bucket, Key: o.key }));
        await finished((out.Body as Readable).resume());
      } else {
        await new Promise<void>((resolve, reject) =>
          http.get({ host: plainUrl.hostname, port: plainUrl.port, path: `/${o.key}`, agent }, (res) => {
            res.resume();
            res.on('end', resolve);
            res.on('error', reject);
          }),
        );
      }
    });
    const r = { ms: performance.now() - t0, cpuMs: cpuMsSince(cpu0) };
    agent.destroy();
    return r;
  };
  const rounds: Round[] = [];
  try {
    for (let round = 0; round < ROUNDS; round++) {
      const sdkOnly = await bare(true);
      const getOnly = await bare(false);
      const plain = await download(round, false);
      const synced = await download(round, true);
      const c = collector(remote, WINDOW);
      try {
        settle();
        // this process's CPU from the first trail-file fetch to the landing (the trail files, their
        // digests and the public keys; no listing, no LookupEvents, no ingest)
        let cpu0: NodeJS.CpuUsage | null = null;
        let cpuMs = NaN;
        const log = (line: string): void => {
          if (cpu0 === null && line.startsWith('fetching ')) cpu0 = process.cpuUsage();
          else if (cpu0 !== null && Number.isNaN(cpuMs) && line.startsWith('landing ')) cpuMs = cpuMsSince(cpu0);
        };
        const remote0 = await remote.usage();
        const t1 = performance.now();
        await c.collect({ log });
        const totalMs = performance.now() - t1;
        const remoteCpuMs = (await remote.usage()).cpuMs - remote0.cpuMs;
        const trail = requests(c.caseDir).filter((x) => ['ListObjectsV2', 'GetObject', 'HeadBucket'].includes(x.verb));
        const logGets = trail.filter((x) => x.verb === 'GetObject' && x.path.includes('/CloudTrail/'));
        rounds.push({ sdkMs: sdkOnly.ms, sdkCpuMs: sdkOnly.cpuMs, getMs: getOnly.ms, getCpuMs: getOnly.cpuMs, plainMs: plain.ms, plainCpuMs: plain.cpuMs, plainRemoteCpuMs: plain.remoteCpuMs, cpuMs, remoteCpuMs, syncedMs: synced.ms, ms: span(trail), logMs: span(logGets), logBytes: logGets.reduce((n, x) => n + Number(x.response_bytes), 0), logGets: logGets.length, gets: trail.filter((x) => x.verb === 'GetObject').length, totalMs });
      } finally {
        c.cleanup();
      }
    }
  } finally {
    t.cleanup();
    s3.destroy();
  }
  const ratio = (r: Round): number => r.ms / r.plainMs;
  const sorted = [...rounds].sort((a, b) => ratio(a) - ratio(b));
  const m = sorted[Math.floor((sorted.length - 1) / 2)]!;
  const spread = (f: (r: Round) => number, d = 2): string => `${Math.min(...rounds.map(f)).toFixed(d)}-${Math.max(...rounds.map(f)).toFixed(d)}`;
  const mb = bytes / 1e6;
  rows.push(`| **${label}** | | | | | |`);
  rows.push(`| trail files: podtrail (SigV4, custody, checkpoint, durable files) | ${m.gets} objects, ${mb.toFixed(1)} MB | ${(m.ms / 1000).toFixed(2)} s | ${(mb / (m.ms / 1000)).toFixed(1)} MB/s | ${ratio(m).toFixed(2)} x the plain download (rounds: ${spread(ratio)} x) | collect incl. LookupEvents and landing ${(m.totalMs / 1000).toFixed(1)} s |`);
  rows.push(`| the log files' GetObject phase alone | ${m.logGets} objects, ${(m.logBytes / 1e6).toFixed(1)} MB | ${(m.logMs / 1000).toFixed(2)} s | ${(m.logBytes / 1e6 / (m.logMs / 1000)).toFixed(1)} MB/s | ${(m.logMs / m.plainMs).toFixed(2)} x the plain download (rounds: ${spread((r) => r.logMs / r.plainMs)} x) | listing, digests and keys excluded |`);
  rows.push(`| trail files: plain download (HTTP GET into files, ${CONCURRENCY} at a time) | ${objects.length} objects, ${mb.toFixed(1)} MB | ${(m.plainMs / 1000).toFixed(2)} s | ${(mb / (m.plainMs / 1000)).toFixed(1)} MB/s | baseline (rounds: ${spread((r) => mb / (r.plainMs / 1000), 1)} MB/s) | |`);
  rows.push(`| trail files: plain download, each file fsynced | ${objects.length} objects, ${mb.toFixed(1)} MB | ${(m.syncedMs / 1000).toFixed(2)} s | ${(mb / (m.syncedMs / 1000)).toFixed(1)} MB/s | podtrail is ${(m.ms / m.syncedMs).toFixed(2)} x this (rounds: ${spread((r) => r.ms / r.syncedMs)} x) | the durability podtrail owes the evidence |`);
  rows.push(`| CPU of this process: podtrail's fetch phase / the plain download's | ${mb.toFixed(1)} MB | ${(m.cpuMs / 1000).toFixed(2)} s / ${(m.plainCpuMs / 1000).toFixed(2)} s | ${(m.cpuMs / mb).toFixed(1)} / ${(m.plainCpuMs / mb).toFixed(1)} ms per MB | ${(m.cpuMs / m.plainCpuMs).toFixed(2)} x (rounds: ${spread((r) => r.cpuMs / r.plainCpuMs)} x) | fetch phase: first GetObject to landing, incl. digests and keys |`);
  rows.push(`| the SDK's floor: the same GETs through an S3 client, bodies dropped / bare GETs, bodies dropped | ${objects.length} objects, ${mb.toFixed(1)} MB | ${(m.sdkMs / 1000).toFixed(2)} s / ${(m.getMs / 1000).toFixed(2)} s | CPU ${(m.sdkCpuMs / objects.length).toFixed(2)} / ${(m.getCpuMs / objects.length).toFixed(2)} ms per GET | ${(m.sdkMs / m.getMs).toFixed(2)} x (rounds: ${spread((r) => r.sdkMs / r.getMs)} x) | no file, no hash, no record: what any SDK-based collector pays |`);
  rows.push(`| CPU of the remote process: serving podtrail / serving the plain download | ${mb.toFixed(1)} MB | ${(m.remoteCpuMs / 1000).toFixed(2)} s / ${(m.plainRemoteCpuMs / 1000).toFixed(2)} s | ${(m.remoteCpuMs / mb).toFixed(1)} / ${(m.plainRemoteCpuMs / mb).toFixed(1)} ms per MB | | the loopback AWS account (whole collection) shares the 2 cores; a real S3 does not |`);
  notes.push(`${label} rounds (podtrail / plain / plain fsynced, s): ${rounds.map((r) => `${(r.ms / 1000).toFixed(2)}/${(r.plainMs / 1000).toFixed(2)}/${(r.syncedMs / 1000).toFixed(2)}`).join(', ')}`);
}

it('trail files against a plain download of the same bytes', async () => {
  const remote = await startRemote({ lookupTps: 1000, trail: { regions: ['us-east-1'], hours: 2, logsPerHour: Math.ceil(FILES / 2), eventsPerLog: 1 }, sizeKb: SIZE_KB });
  try {
    await trailRounds(remote, 'loopback (the servers answer at once)');
    if (REMOTE_MS > 0) {
      await remote.firstByte(REMOTE_MS);
      await trailRounds(remote, `modelled remote S3: both servers wait ${REMOTE_MS} ms before every answer`);
    }
  } finally {
    const r = await remote.stop();
    notes.push(`remote account process: ${r.requests} requests, peak RSS ${r.maxRssMb.toFixed(0)} MB, CPU ${(r.cpuMs / 1000).toFixed(1)} s`);
    trailRssMb = process.resourceUsage().maxRSS / 1024;
  }
});

/**
 * A batch commit's cost as the collection grows: 256 request entries (about the size of a
 * GetObject record) appended to a custody log of N entries, by the whole-file rewrite other
 * commands use (read, verify, rewrite, rename) and by the collector's in-place appender (after its
 * one full check per run); and the checkpoint of a collection of N trail files with 256 of them
 * just fetched, written whole (as before) and as a journaled snapshot. Median of 5 batches each.
 */
it('commit cost as the collection grows', async () => {
  const t = tempDir('podtrail-bench-custody-');
  const record = (n: number): CustodyEntryInput => ({
    action: 'collected',
    at: new Date(Date.UTC(2026, 9, 20, 9) + n).toISOString(),
    actor: 'bench',
    tool: 'podtrail bench',
    purpose: `GET /podtrail-test-trail/AWSLogs/111122223333/CloudTrail/us-east-1/2026/10/20/object-${n}.json.gz -> 200 ok`,
    object: { kind: 'request', seq: n, attempt: 1, status: 200, outcome: 'ok', response_bytes: 262144, response_sha256: createHash('sha256').update(String(n)).digest('hex'), request_sha256: createHash('sha256').update(`r${n}`).digest('hex'), parameters: { Bucket: 'podtrail-test-trail', Key: `AWSLogs/111122223333/CloudTrail/us-east-1/2026/10/20/object-${n}.json.gz` } },
  });
  const object = (n: number): ObjectTask => ({
    bucket: 'podtrail-test-trail',
    key: `AWSLogs/111122223333/CloudTrail/us-east-1/2026/10/20/111122223333_CloudTrail_us-east-1_20261020T0905Z_${String(n).padStart(16, '0')}.json.gz`,
    kind: 'log',
    why: 'listed',
    state: 'pending',
    file: null,
    sha256: null,
    recorded: false,
    meta: null,
    message: null,
  });
  const fetched = (o: ObjectTask, n: number): void => {
    o.state = 'fetched';
    o.file = `s3/${o.bucket}/${o.key}`;
    o.sha256 = createHash('sha256').update(o.key).digest('hex');
    o.meta = { size: 262144, etag: `"${createHash('md5').update(o.key).digest('hex')}"`, version_id: null, last_modified: '2026-10-20T10:00:00.000Z', sse: 'AES256', signature: null, signature_algorithm: null, backfill_generation_timestamp: null, request_id: `req-${n}`, captured_at: '2026-12-06T18:00:00.000Z' };
  };
  const batch = (from: number): CustodyEntryInput[] => Array.from({ length: 256 }, (_, i) => record(from + i));
  const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
  const out: string[] = [];
  try {
    for (const n of [1_000, 10_000, 100_000]) {
      const base = path.join(t.dir, `base-${n}.jsonl`);
      await new CustodyAppender(base).append(Array.from({ length: n }, (_, i) => record(i)));
      const mb = statSync(base).size / 1024 / 1024;
      const whole: number[] = [];
      const appended: number[] = [];
      const a = path.join(t.dir, `rewrite-${n}.jsonl`);
      const b = path.join(t.dir, `append-${n}.jsonl`);
      copyFileSync(base, a);
      copyFileSync(base, b);
      const appender = new CustodyAppender(b);
      const t0 = performance.now();
      await appender.append(batch(n)); // the run's first batch: the whole log read and verified once
      const first = performance.now() - t0;
      // a collection of n trail files fetched, and 5 batches to go
      const state = (): Pick<AwsCollectionState, 'format' | 'objects' | 'files'> => {
        const objects = Array.from({ length: n + 5 * 256 }, (_, i) => object(i));
        objects.slice(0, n).forEach((o, i) => fetched(o, i));
        return { format: 'bench/v2', objects, files: objects.filter((o) => o.file !== null).map((o) => ({ file: o.file!, ready: true, ingested: false })) };
      };
      const inline = new Checkpoint(path.join(t.dir, `inline-${n}`, 'checkpoint.json'), state());
      const journaled = new Checkpoint(path.join(t.dir, `journaled-${n}`, 'checkpoint.json'), state(), AWS_CHECKPOINT_OPTIONS);
      for (const cp of [inline, journaled]) {
        mkdirSync(path.dirname(cp.file), { recursive: true });
        cp.save();
      }
      const inlineMs: number[] = [];
      const journalMs: number[] = [];
      for (let i = 1; i <= 5; i++) {
        const t1 = performance.now();
        appendCustody(a, batch(n + i * 256));
        whole.push(performance.now() - t1);
        const t2 = performance.now();
        await appender.append(batch(n + i * 256));
        appended.push(performance.now() - t2);
        for (const [cp, times] of [[inline, inlineMs], [journaled, journalMs]] as const) {
          const from = n + (i - 1) * 256;
          for (let k = from; k < from + 256; k++) {
            fetched(cp.state.objects[k]!, k);
            cp.state.files.push({ file: cp.state.objects[k]!.file!, ready: true, ingested: false });
          }
          const t3 = performance.now();
          await cp.snapshot().write();
          times.push(performance.now() - t3);
        }
      }
      out.push(`| ${n.toLocaleString('en')} | ${mb.toFixed(1)} MB: ${median(whole).toFixed(1)} ms | ${median(appended).toFixed(1)} ms (the run's first: ${first.toFixed(1)} ms) | ${(statSync(inline.file).size / 1024 / 1024).toFixed(1)} MB: ${median(inlineMs).toFixed(1)} ms | ${median(journalMs).toFixed(1)} ms |`);
    }
  } finally {
    t.cleanup();
  }
  notes.push(['', 'one batch commit (256 files) as the collection grows:', '', '| entries, files | custody: whole-file rewrite (read, verify, rewrite, rename) | custody: in-place append | checkpoint: written whole | checkpoint: journaled |', '|---|---|---|---|---|', ...out, ''].join('\n'));
});
