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

export const ACCESS_KEY = 'AKIAPODTRAILTEST0001';
export const SECRET_KEY = 'podtrail/secret+key/never-written-anywhere-0123456789';
export const SESSION_TOKEN = 'FwoGZXIvYXdzEPODTRAIL-session-token-never-written-anywhere';
export const CALLER = { arn: 'arn:aws:sts::111122223333:assumed-role/IncidentResponder/alice', account: '111122223333', userId: 'AROAEXAMPLEID:alice' };

export const TEST_RETRY = { attempts: 3, baseDelayMs: 50, maxDelayMs: 200, maxRetryAfterMs: 2000 };

/** Credentials for the SDK's default chain (environment), and no instance metadata lookups. */
export function useTestCredentials(): void {
  for (const k of ['AWS_PROFILE', 'AWS_DEFAULT_PROFILE', 'AWS_CONFIG_FILE', 'AWS_SHARED_CREDENTIALS_FILE', 'AWS_ENDPOINT_URL', 'AWS_ENDPOINT_URL_S3', 'AWS_ROLE_ARN', 'AWS_WEB_IDENTITY_TOKEN_FILE', 'AWS_CONTAINER_CREDENTIALS_RELATIVE_URI', 'AWS_CONTAINER_CREDENTIALS_FULL_URI']) delete process.env[k];
  process.env['AWS_ACCESS_KEY_ID'] = ACCESS_KEY;
  process.env['AWS_SECRET_ACCESS_KEY'] = SECRET_KEY;
  process.env['AWS_SESSION_TOKEN'] = SESSION_TOKEN;
  process.env['AWS_EC2_METADATA_DISABLED'] = 'true';
}

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
