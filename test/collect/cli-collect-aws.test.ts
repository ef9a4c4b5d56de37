/**
 * `podtrail collect aws` as a user runs it: usage errors; a profile from the shared config and
 * credentials files (the SDK's default chain) and the endpoint from AWS_ENDPOINT_URL (the SDK's own
 * setting), the steps and the digest verdicts on stdout, progress on stderr.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { createProgram, type Io } from '../../src/cli/program.js';
import { ExitCode } from '../../src/core/errors.js';
import { tempDir } from '../helpers/case.js';
import { ACCESS_KEY, SECRET_KEY, startAccount, type Account } from './aws-harness.js';

async function run(args: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const io: Io = { out: (t) => void (out += t), err: (t) => void (err += t), isTty: false, columns: 120 };
  try {
    await createProgram(io).exitOverride().parseAsync(args, { from: 'user' });
    return { code: 0, out, err };
  } catch (e) {
    return { code: (e as { exitCode?: number }).exitCode ?? 1, out, err: `${err}${(e as Error).message}` };
  }
}

describe('podtrail collect aws (CLI)', () => {
  let a: Account;
  let t: { dir: string; cleanup: () => void };
  beforeAll(async () => {
    a = await startAccount();
    t = tempDir('podtrail-aws-config-');
    // a named profile in the shared files, and no credentials in the environment: only --profile works
    writeFileSync(path.join(t.dir, 'credentials'), `[ir]\naws_access_key_id = ${ACCESS_KEY}\naws_secret_access_key = ${SECRET_KEY}\n`);
    writeFileSync(path.join(t.dir, 'config'), '[profile ir]\nregion = us-west-2\n');
    for (const k of ['AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_SESSION_TOKEN', 'AWS_REGION', 'AWS_DEFAULT_REGION']) delete process.env[k];
    process.env['AWS_SHARED_CREDENTIALS_FILE'] = path.join(t.dir, 'credentials');
    process.env['AWS_CONFIG_FILE'] = path.join(t.dir, 'config');
    process.env['AWS_ENDPOINT_URL'] = a.aws.url;
  });
  afterAll(async () => {
    for (const k of ['AWS_SHARED_CREDENTIALS_FILE', 'AWS_CONFIG_FILE', 'AWS_ENDPOINT_URL']) delete process.env[k];
    await a?.cleanup();
    t?.cleanup();
  });

  it('refuses bad options with a usage error naming them', async () => {
    expect(await run(['collect', 'aws', a.caseDir, '--region', 'us-west-2', '--trail', 'https://bucket'])).toMatchObject({ code: ExitCode.usage, err: expect.stringContaining('--trail: "https://bucket" is not s3://bucket[/prefix]') });
    expect(await run(['collect', 'aws', a.caseDir, '--region', 'mars-1'])).toMatchObject({ code: ExitCode.usage, err: expect.stringContaining('--region: "mars-1" is not an AWS region') });
  });

  it('collects with --profile through the endpoint setting, prints the steps and the digest verdicts', async () => {
    const r = await run(['collect', 'aws', a.caseDir, '--profile', 'ir', '--region', 'us-west-2', '--trail', `s3://${a.trail.bucket}`, '--operator', 'tester']);
    expect(r.err).not.toMatch(/Error:/);
    expect(r.code).toBe(0);
    const lines = r.out.trim().split('\n');
    expect(lines[0]).toMatch(/^collection aws-\S+ run 1 as arn:aws:sts::111122223333:assumed-role\/IncidentResponder\/alice \(account 111122223333/);
    expect(lines).toContain('done      public keys us-west-2: 1 files');
    expect(lines[lines.length - 1]).toBe('CloudTrail digests: 6 valid; log files: 12 valid; 2 chain gaps');
    expect(r.err).toMatch(/LookupEvents returns management events only/);
    expect(a.aws.received.every((x) => x.accessKeyId === ACCESS_KEY)).toBe(true);
  });
});
