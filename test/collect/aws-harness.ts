/**
 * The loopback AWS account of the collection tests: one FakeAws server (test/servers/aws) serving
 * CloudTrail, S3 and STS for a synthetic trail signed with a test RSA key, credentials in the
 * environment for the SDK's default provider chain (never the instance metadata service: it is
 * disabled), and a case whose window covers the trail.
 */
import { FakeAws } from '../servers/aws/aws-server.js';
import { cloudTrailService, s3Service, stsService, type S3State } from '../servers/aws/services.js';
import { makeTrail, type TrailFixture, type TrailOptions } from '../servers/aws/trail-fixture.js';
import { makeCase, AS_OF } from '../helpers/case.js';
import { collectAws, type CollectAwsOptions, type CollectAwsResult } from '../../src/collect/aws/collect-aws.js';
import { createClock } from '../../src/core/clock.js';
import { ACCESS_KEY, CALLER, TEST_RETRY, useTestCredentials } from './aws-credentials.js';

export { ACCESS_KEY, CALLER, SECRET_KEY, SESSION_TOKEN, TEST_RETRY, useTestCredentials } from './aws-credentials.js';

export interface Account {
  aws: FakeAws;
  trail: TrailFixture;
  s3: S3State;
  caseDir: string;
  logs: string[];
  collect(o?: Partial<CollectAwsOptions>): Promise<CollectAwsResult>;
  cleanup(): Promise<void>;
}

/** A loopback account with the trail, its events in LookupEvents, and a fresh case over 07:30-10:00. */
export async function startAccount(o: { trail?: TrailOptions; lookupTps?: number; window?: { from: string; to: string } } = {}): Promise<Account> {
  useTestCredentials();
  const trail = makeTrail({ regions: ['us-east-1', 'us-west-2'], hours: 3, logsPerHour: 2, eventsPerLog: 30, ...o.trail });
  const s3: S3State = { buckets: new Map([[trail.bucket, trail.objects]]), region: 'us-east-1' };
  const aws = await new FakeAws({ accessKeys: [ACCESS_KEY] })
    .register(cloudTrailService({ events: trail.events, keys: new Map(trail.regions.map((r) => [r, [trail.key]])), lookupTps: o.lookupTps ?? 1000 }))
    .register(s3Service(s3))
    .register(stsService(CALLER))
    .start();
  const c = makeCase({ from: o.window?.from ?? '2026-10-20T07:30:00Z', to: o.window?.to ?? '2026-10-20T09:30:00Z', margin: '15m' });
  const logs: string[] = [];
  return {
    aws,
    trail,
    s3,
    caseDir: c.caseDir,
    logs,
    collect: (x = {}) =>
      collectAws({
        caseDir: c.caseDir,
        profile: null,
        regions: ['us-west-2'],
        eventSources: [],
        trail: `s3://${trail.bucket}`,
        accounts: [],
        endpoint: aws.url,
        timeoutMs: 3000,
        retry: TEST_RETRY,
        lookupRatePerSecond: 50,
        operator: 'tester',
        clock: createClock(AS_OF),
        now: () => Date.parse('2026-10-21T00:00:00Z'), // the fixed windows stay inside LookupEvents' 90 days
        log: (line) => logs.push(line),
        ...x,
      }),
    cleanup: async () => {
      await aws.stop();
      c.cleanup();
    },
  };
}
