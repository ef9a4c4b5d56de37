/**
 * Benchmark of `podtrail collect aws` against the loopback AWS account (npm run bench:collect):
 * 1. LookupEvents throughput at the API's limit: one region, EVENTS events, 2 requests per second
 *    enforced by the server; events per second against the ceiling of 2 pages of 50 a second.
 * 2. Trail files: FILES log files of about SIZE KB each (and their digests) fetched, written,
 *    recorded in custody and checkpointed, against a plain download of the same bytes (HTTP GETs
 *    at the same concurrency into files) from a bare HTTP server in the same run.
 * Landing (ingest) is not in either figure: it is ingest's own benchmark. Prints a table.
 */
import { it } from 'vitest';
import http from 'node:http';
import { createHash, randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { open } from 'node:fs/promises';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import { gzipSync } from 'node:zlib';
import { startAccount } from '../collect/aws-harness.js';
import { tempDir } from '../helpers/case.js';

const EVENTS = Number(process.env['BENCH_EVENTS'] ?? 3000);
const FILES = Number(process.env['BENCH_FILES'] ?? 240);
const SIZE_KB = Number(process.env['BENCH_SIZE_KB'] ?? 256);

type Obj = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

function requests(caseDir: string): Obj[] {
  return readFileSync(path.join(caseDir, 'custody.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as Obj).filter((e) => e.object?.kind === 'request').map((e) => e.object);
}

function span(rs: Obj[]): number {
  return Math.max(...rs.map((x) => Date.parse(x.responded_at))) - Math.min(...rs.map((x) => Date.parse(x.requested_at)));
}

const rows: string[] = [];

it('LookupEvents at 2 requests per second', async () => {
  const perLog = 50;
  const hours = 2;
  const logsPerHour = Math.ceil(EVENTS / perLog / hours);
  const a = await startAccount({ lookupTps: 2, trail: { regions: ['us-east-1'], hours, logsPerHour, eventsPerLog: perLog }, window: { from: '2026-10-20T07:00:00Z', to: '2026-10-20T09:10:00Z' } });
  try {
    const t0 = performance.now();
    const r = await a.collect({ regions: ['us-east-1'], trail: null, lookupRatePerSecond: 2 });
    const total = performance.now() - t0;
    const lookups = requests(a.caseDir).filter((x) => x.verb === 'LookupEvents' && x.outcome === 'ok');
    const events = r.steps[0]!.detail.match(/^(\d+) events/)![1]!;
    const ms = span(lookups);
    const rate = Number(events) / (ms / 1000);
    rows.push(`| LookupEvents, 1 region, 2 requests/s enforced | ${events} events, ${lookups.length} pages | ${(ms / 1000).toFixed(1)} s | ${rate.toFixed(1)} events/s | ${((rate / 100) * 100).toFixed(1)} % of the 100 events/s ceiling | collect incl. landing ${(total / 1000).toFixed(1)} s |`);
  } finally {
    await a.cleanup();
  }
});

it('trail files against a plain download of the same bytes', async () => {
  const a = await startAccount({ trail: { regions: ['us-east-1'], hours: 2, logsPerHour: Math.ceil(FILES / 2), eventsPerLog: 1 }, window: { from: '2026-10-20T07:00:00Z', to: '2026-10-20T09:10:00Z' } });
  const t = tempDir('podtrail-bench-plain-');
  try {
    // give every log file SIZE_KB of incompressible content (the digests then do not match: validation is not measured here)
    for (const o of a.trail.objects.values()) if (o.key.includes('/CloudTrail/')) o.body = gzipSync(randomBytes(SIZE_KB * 1024), { level: 0 });
    const objects = [...a.trail.objects.values()];
    const bytes = objects.reduce((n, o) => n + o.body.length, 0);
    // plain: a bare HTTP server with the same bytes, GETs at the same concurrency (4) into files
    const byPath = new Map(objects.map((o) => [`/${o.key}`, o.body]));
    const plain = http.createServer((req, res) => {
      const b = byPath.get(req.url ?? '');
      res.writeHead(b ? 200 : 404, { 'Content-Length': String(b?.length ?? 0) });
      res.end(b);
    });
    await new Promise<void>((resolve) => plain.listen(0, '127.0.0.1', resolve));
    const port = (plain.address() as AddressInfo).port;
    const agent = new http.Agent({ keepAlive: true, maxSockets: 4 });
    const download = async (sync: boolean): Promise<number> => {
      const t0 = performance.now();
      let next = 0;
      await Promise.all(
        Array.from({ length: 4 }, async () => {
          while (next < objects.length) {
            const o = objects[next++]!;
            const body = await new Promise<Buffer>((resolve, reject) =>
              http.get({ host: '127.0.0.1', port, path: `/${o.key}`, agent }, (res) => {
                const parts: Buffer[] = [];
                res.on('data', (c: Buffer) => parts.push(c));
                res.on('end', () => resolve(Buffer.concat(parts)));
                res.on('error', reject);
              }),
            );
            const f = path.join(t.dir, `${sync ? 's' : 'p'}${createHash('sha1').update(o.key).digest('hex')}`);
            if (!sync) writeFileSync(f, body);
            else {
              const fh = await open(f, 'w');
              await fh.write(body);
              await fh.datasync();
              await fh.close();
            }
          }
        }),
      );
      return performance.now() - t0;
    };
    const plainMs = await download(false);
    const syncedMs = await download(true);
    agent.destroy();
    plain.close();
    mkdirSync(t.dir, { recursive: true });

    const t1 = performance.now();
    await a.collect({ regions: ['us-east-1'], lookupRatePerSecond: 1000 });
    const total = performance.now() - t1;
    const trail = requests(a.caseDir).filter((x) => ['ListObjectsV2', 'GetObject', 'HeadBucket'].includes(x.verb));
    const ms = span(trail);
    const gets = trail.filter((x) => x.verb === 'GetObject').length;
    const logGets = trail.filter((x) => x.verb === 'GetObject' && x.path.includes('/CloudTrail/'));
    const logBytes = logGets.reduce((n, x) => n + Number(x.response_bytes), 0);
    const logMs = span(logGets);
    rows.push(`| trail files: podtrail (SigV4, custody, checkpoint, fsync each file) | ${gets} objects, ${(bytes / 1e6).toFixed(1)} MB | ${(ms / 1000).toFixed(2)} s | ${(bytes / 1e6 / (ms / 1000)).toFixed(1)} MB/s | ${(ms / plainMs).toFixed(2)} x the plain download | collect incl. LookupEvents and landing ${(total / 1000).toFixed(1)} s |`);
    rows.push(`| the log files' GetObject phase alone | ${logGets.length} objects, ${(logBytes / 1e6).toFixed(1)} MB | ${(logMs / 1000).toFixed(2)} s | ${(logBytes / 1e6 / (logMs / 1000)).toFixed(1)} MB/s | ${(logMs / plainMs).toFixed(2)} x the plain download | listing, digests and keys excluded |`);
    rows.push(`| trail files: plain download (HTTP GET into files, 4 at a time) | ${objects.length} objects, ${(bytes / 1e6).toFixed(1)} MB | ${(plainMs / 1000).toFixed(2)} s | ${(bytes / 1e6 / (plainMs / 1000)).toFixed(1)} MB/s | baseline | |`);
    rows.push(`| trail files: plain download, each file fsynced | ${objects.length} objects, ${(bytes / 1e6).toFixed(1)} MB | ${(syncedMs / 1000).toFixed(2)} s | ${(bytes / 1e6 / (syncedMs / 1000)).toFixed(1)} MB/s | podtrail is ${(ms / syncedMs).toFixed(2)} x this | the durability podtrail owes the evidence |`);
  } finally {
    t.cleanup();
    await a.cleanup();
    const rss = process.resourceUsage().maxRSS / 1024;
    console.log(['', '| measure | volume | time | rate | ratio | note |', '|---|---|---|---|---|---|', ...rows, '', `peak RSS of the benchmark process: ${rss.toFixed(0)} MB`].join('\n'));
  }
});
