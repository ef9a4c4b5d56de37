/**
 * The benchmark tools' side of the remote account (remote-account.ts): starting it in a child
 * process and asking it over IPC, the collector's options against it, and a pool of requests in
 * flight. Shared by collect-aws.bench-run.ts and collect-profile.ts.
 */
import { fork, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ACCESS_KEY, CALLER, TEST_RETRY } from '../collect/aws-credentials.js';
import type { CollectAwsOptions } from '../../src/collect/aws/collect-aws.js';
import { createClock } from '../../src/core/clock.js';
import type { RemoteStarted, RemoteStopped, RemoteUsage, StartRemote } from './remote-account.js';

export interface Remote extends RemoteStarted {
  stop(): Promise<RemoteStopped>;
  /** The remote process's CPU so far. */
  usage(): Promise<RemoteUsage>;
  /** Both servers wait this long before every answer. */
  firstByte(ms: number): Promise<RemoteUsage>;
}

/** Starts the remote side in a child process (killed when this one exits) and waits for its URLs. */
export async function startRemote(m: Omit<StartRemote, 'cmd' | 'accessKey' | 'caller'>): Promise<Remote> {
  const here = path.dirname(fileURLToPath(import.meta.url));
  const child: ChildProcess = fork(path.join(here, 'remote-account.ts'), [], { execArgv: ['--import', path.join(here, 'ts-register.mjs')], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  process.once('exit', () => child.kill());
  const ask = <T>(msg: object): Promise<T> =>
    new Promise<T>((resolve, reject) => {
      const exited = (code: number | null): void => reject(new Error(`remote account exited (${code})`));
      child.once('message', (a: { ok: boolean; answer?: T; error?: string }) => {
        child.off('exit', exited);
        if (a.ok) resolve(a.answer!);
        else reject(new Error(`remote account: ${a.error}`));
      });
      child.once('exit', exited);
      child.send(msg);
    });
  const info = await ask<RemoteStarted>({ cmd: 'start', accessKey: ACCESS_KEY, caller: CALLER, ...m });
  return { ...info, stop: () => ask<RemoteStopped>({ cmd: 'stop' }), usage: () => ask<RemoteUsage>({ cmd: 'usage' }), firstByte: (ms) => ask<RemoteUsage>({ cmd: 'firstByte', ms }) };
}

/** `podtrail collect aws` of the remote account's trail (us-east-1) into `caseDir`, quietly. */
export function collectOptions(remote: Remote, caseDir: string, concurrency: number): CollectAwsOptions {
  return {
    caseDir,
    profile: null,
    regions: ['us-east-1'],
    eventSources: [],
    trail: `s3://${remote.bucket}`,
    accounts: [],
    endpoint: remote.awsUrl,
    timeoutMs: 30_000,
    retry: TEST_RETRY,
    lookupRatePerSecond: 1000,
    concurrency,
    operator: 'bench',
    clock: createClock('2026-11-29T00:00:00Z'),
    now: () => Date.parse('2026-10-21T00:00:00Z'), // the fixed window stays inside LookupEvents' 90 days
    log: () => {},
  };
}

/** Runs `f` over `items`, `n` at a time. */
export async function inFlight<T>(n: number, items: readonly T[], f: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(n, items.length) }, async () => {
      while (next < items.length) await f(items[next++]!);
    }),
  );
}
