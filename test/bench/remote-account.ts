/**
 * The remote side of the collection benchmark, in a process of its own (as S3 and CloudTrail are
 * remote): the loopback AWS account of the collection tests (test/servers/aws, every protocol check
 * kept: SigV4 scope and access key, AWS JSON 1.1, REST-XML, the query protocol, the LookupEvents
 * rate limit) and a bare HTTP server holding the same object bytes, for the plain download.
 * Started by collect-aws.bench-run.ts with `node --import ./ts-register.mjs` and driven over IPC:
 * `start` answers with both URLs and the objects; `firstByte` sets the time both servers wait before
 * answering (a remote endpoint's latency, the same for both); `usage` answers with the process's
 * CPU so far (to bill each phase its server work); `stop` answers with the process's own figures.
 */
import http from 'node:http';
import { randomBytes } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { gzipSync } from 'node:zlib';
import { FakeAws } from '../servers/aws/aws-server.js';
import { cloudTrailService, s3Service, stsService, type S3State, type StsIdentity } from '../servers/aws/services.js';
import { makeTrail, type TrailOptions } from '../servers/aws/trail-fixture.js';

export interface StartRemote {
  cmd: 'start';
  accessKey: string;
  caller: StsIdentity;
  trail: TrailOptions;
  lookupTps: number;
  /** Give every log file this many KB of incompressible content (0: the fixture's own logs). */
  sizeKb: number;
}

export interface RemoteStarted {
  awsUrl: string;
  plainUrl: string;
  bucket: string;
  objects: { key: string; bytes: number }[];
}

export interface RemoteStopped {
  requests: number;
  maxRssMb: number;
  cpuMs: number;
}

export interface RemoteUsage {
  cpuMs: number;
}

let aws: FakeAws | null = null;
let plain: http.Server | null = null;
let firstByteMs = 0;

async function start(m: StartRemote): Promise<RemoteStarted> {
  const trail = makeTrail(m.trail);
  // the digests then no longer match their logs: validation is not what is measured
  if (m.sizeKb > 0) for (const o of trail.objects.values()) if (o.key.includes('/CloudTrail/')) o.body = gzipSync(randomBytes(m.sizeKb * 1024), { level: 0 });
  const s3: S3State = { buckets: new Map([[trail.bucket, trail.objects]]), region: 'us-east-1' };
  aws = await new FakeAws({ accessKeys: [m.accessKey] })
    .register(cloudTrailService({ events: trail.events, keys: new Map(trail.regions.map((r) => [r, [trail.key]])), lookupTps: m.lookupTps }))
    .register(s3Service(s3))
    .register(stsService(m.caller))
    .start();
  const byPath = new Map([...trail.objects.values()].map((o) => [`/${o.key}`, o.body]));
  plain = http.createServer((req, res) => {
    const b = byPath.get(req.url ?? '');
    const answer = (): void => {
      res.writeHead(b ? 200 : 404, { 'Content-Length': String(b?.length ?? 0) });
      res.end(b);
    };
    if (firstByteMs > 0) setTimeout(answer, firstByteMs);
    else answer();
  });
  await new Promise<void>((resolve) => plain!.listen(0, '127.0.0.1', resolve));
  return {
    awsUrl: aws.url,
    plainUrl: `http://127.0.0.1:${(plain.address() as AddressInfo).port}`,
    bucket: trail.bucket,
    objects: [...trail.objects.values()].map((o) => ({ key: o.key, bytes: o.body.length })),
  };
}

async function stop(): Promise<RemoteStopped> {
  const requests = aws?.received.length ?? 0;
  await aws?.stop();
  plain?.closeAllConnections();
  await new Promise<void>((resolve) => (plain ? plain.close(() => resolve()) : resolve()));
  const u = process.resourceUsage();
  return { requests, maxRssMb: u.maxRSS / 1024, cpuMs: (u.userCPUTime + u.systemCPUTime) / 1000 };
}

function usage(): RemoteUsage {
  const u = process.resourceUsage();
  return { cpuMs: (u.userCPUTime + u.systemCPUTime) / 1000 };
}

async function setFirstByte(ms: number): Promise<RemoteUsage> {
  firstByteMs = ms;
  if (aws) aws.firstByteMs = ms;
  return usage();
}

type Message = StartRemote | { cmd: 'stop' } | { cmd: 'usage' } | { cmd: 'firstByte'; ms: number };

process.on('message', (m: Message) => {
  (m.cmd === 'start' ? start(m) : m.cmd === 'usage' ? Promise.resolve(usage()) : m.cmd === 'firstByte' ? setFirstByte(m.ms) : stop()).then(
    (answer) => process.send!({ ok: true, answer }, () => m.cmd === 'stop' && process.exit(0)),
    (e: unknown) => process.send!({ ok: false, error: String((e as Error)?.stack ?? e) }),
  );
});
