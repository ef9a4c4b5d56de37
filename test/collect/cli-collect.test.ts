/** `podtrail collect k8s` as a user runs it: usage errors, and a collection's stdout and exit status. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createProgram, type Io } from '../../src/cli/program.js';
import { ExitCode } from '../../src/core/errors.js';
import { startCluster, type Cluster } from './k8s-harness.js';

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

describe('podtrail collect k8s (CLI)', () => {
  let c: Cluster;
  beforeAll(async () => {
    c = await startCluster({ forbid: ['list serviceaccounts'] });
  });
  afterAll(async () => {
    await c.cleanup();
  });

  it('refuses bad options with a usage error naming them', async () => {
    expect(await run(['collect', 'k8s', c.caseDir, '--kubeconfig', c.kubeconfig, '--watch', 'soon'])).toMatchObject({ code: ExitCode.usage, err: expect.stringContaining('--watch: "soon" is not a duration') });
    expect(await run(['collect', 'k8s', c.caseDir, '--in-cluster', '--kubeconfig', c.kubeconfig])).toMatchObject({ code: ExitCode.usage, err: expect.stringContaining('--in-cluster takes neither --kubeconfig nor --context') });
    expect(await run(['collect', 'k8s', c.caseDir, '--kubeconfig', `${c.kubeconfig}.missing`])).toMatchObject({ code: ExitCode.usage, err: expect.stringContaining('not found') });
    expect(await run(['collect', 'k8s', c.caseDir, '--kubeconfig', c.kubeconfig, '--context', 'prod'])).toMatchObject({ code: ExitCode.usage, err: expect.stringContaining('--context prod: no such context (known: loopback)') });
    expect(await run(['collect', 'k8s', c.caseDir, '--kubeconfig', c.kubeconfig, '--page-size', '0'])).toMatchObject({ code: ExitCode.usage });
  });

  it('prints each step and each landed file; a refused resource makes it exit 1 after landing the rest', async () => {
    const r = await run(['collect', 'k8s', c.caseDir, '--kubeconfig', c.kubeconfig, '--page-size', '2', '--operator', 'tester']);
    expect(r.code).toBe(ExitCode.error);
    const lines = r.out.trim().split('\n');
    expect(lines[0]).toMatch(/^collection k8s-\S+ run 1 from https:\/\/127\.0\.0\.1:\d+ as system:serviceaccount:ir:podtrail-collector .*\(SelfSubjectReview\)$/);
    expect(lines.slice(1, 4).map((l) => l.replace(/ at \S+$/, ''))).toEqual([
      'done      opening snapshot of pods: 5 items in 3 pages',
      'done      opening snapshot of nodes: 2 items in 1 pages',
      'forbidden opening snapshot of serviceaccounts: 0 pages so far',
    ]);
    expect(lines.filter((l) => l.startsWith('ingested ')).length).toBe(5);
    expect(r.err).toContain('listing pods');
    expect(r.err).toContain('pods: page 3, 1 items (last)');
    expect(r.err).toMatch(/collection k8s-\S+ incomplete: opening snapshot of serviceaccounts forbidden \(recorded as gaps\)/);
  });
});
