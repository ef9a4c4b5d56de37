import { afterAll, describe, expect, it } from 'vitest';
import { existsSync, mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { tempDir } from '../helpers/case.js';
import { REPO, distIsFresh } from '../helpers/dist.js';

/**
 * docs/tutorial.md, run as written: every ```sh block, in order, in one bash session started in a
 * folder where `podtrail` is the clone (a link to this repository) and HOME is a fresh folder. One
 * command is not re-run: `npm ci`, which installed and built this very checkout before the suite
 * started (CI runs exactly `npm ci` then `npm test`); a stand-in checks the tutorial asks for
 * nothing else of npm.
 */
const TUTORIAL = path.join(REPO, 'docs', 'tutorial.md');
const t = tempDir('podtrail-tutorial-');
afterAll(() => t.cleanup());

function blocks(): string[] {
  return [...readFileSync(TUTORIAL, 'utf8').matchAll(/```sh\n([\s\S]*?)```/g)].map((m) => m[1]!);
}

describe('docs/tutorial.md', () => {
  it('has the commands of a whole investigation', () => {
    const all = blocks().join('\n');
    for (const cmd of ['npm ci', 'podtrail init', 'podtrail ingest', 'podtrail run', 'podtrail generate', 'podtrail correlate', 'podtrail check', 'podtrail keygen', 'podtrail bundle', 'podtrail verify', 'podtrail reproduce', 'podtrail query', 'podtrail hunt']) {
      expect(all, cmd).toContain(cmd);
    }
  });

  it.skipIf(!distIsFresh())('runs every command as written, in order, and ends with a verified, reproduced bundle', () => {
    const home = path.join(t.dir, 'home');
    mkdirSync(home);
    symlinkSync(REPO, path.join(t.dir, 'podtrail'));
    const marker = (i: number): string => `@@tutorial-block-${i}@@`;
    const script = [
      'set -euo pipefail',
      // the one stand-in: npm ci already ran on this checkout
      'npm() { if [ "$*" != "ci" ]; then echo "the tutorial runs npm $*, not npm ci" >&2; return 1; fi; test -d "$PWD/node_modules" && test -f "$PWD/dist/cli/index.js"; }',
      ...blocks().map((b, i) => `echo ${marker(i)}\n${b}`),
      'echo @@tutorial-end@@',
    ].join('\n');
    writeFileSync(path.join(t.dir, 'tutorial.sh'), script);
    const started = performance.now();
    const r = spawnSync('bash', [path.join(t.dir, 'tutorial.sh')], {
      cwd: t.dir,
      encoding: 'utf8',
      env: { PATH: process.env['PATH'] ?? '', HOME: home, TZ: process.env['TZ'] ?? 'Pacific/Chatham', LANG: process.env['LANG'] ?? 'C.UTF-8', PODTRAIL_AS_OF: '2026-11-29T00:00:00Z' },
      maxBuffer: 64 * 1024 * 1024,
      timeout: 300_000,
    });
    const seconds = (performance.now() - started) / 1000;
    const out = r.stdout;
    const ran = blocks().map((_, i) => out.includes(marker(i)));
    expect(ran.every(Boolean), `blocks run: ${ran.join(',')}\n${r.stderr.slice(-3000)}`).toBe(true);
    expect(r.status, r.stderr.slice(-3000)).toBe(0);
    expect(out).toContain('@@tutorial-end@@');

    const work = path.join(home, 'podtrail-tutorial');
    // section 2: the real-format samples landed, with their rejects, and the report ranks actors
    expect(out).toMatch(/^ingested {2}\S+fixtures\/kube-audit\/eks-filter-log-events\.json \(kube-audit\): /m);
    expect(out).toMatch(/^origin,evidence_file_id,source_type,reason,rejects,/m);
    expect(out).toMatch(/eventbridge-irsa\.jsonl,\w+,cloudtrail,unknown_shape,1,/);
    expect(out).toMatch(/^1,credential,pod,7b1f0c2e-5d4a-4e3b-9c8d-1a2b3c4d5e6f$/m);
    // section 3: the key's creation is attributed to the pod of the incident, and the answer names it first
    const truth = JSON.parse(readFileSync(path.join(work, 'incident', 'truth.json'), 'utf8')) as { incidents: { pod_uid: string; pod_name: string }[] };
    const pod = truth.incidents[0]!;
    expect(out).toContain(`CreateAccessKey,strong,node-role-runtime-connect,${pod.pod_name}`);
    expect(readFileSync(path.join(work, 'incident', 'bundle', 'report.md'), 'utf8')).toContain(`**1. \`credential\`**: pod \`analytics/${pod.pod_name}\``);
    expect(out).toMatch(new RegExp(`UID ${pod.pod_uid}`));
    // section 4: verified, tampering caught (4), the case folder recognized (2), reproduced byte for byte
    expect(out).toMatch(/^ok {4}signature: /m);
    expect(out).toMatch(/^FAIL {2}hashes: joins\.jsonl: /m);
    expect(out).toContain('verify exited 4');
    expect(out).toContain('verify exited 2');
    expect(r.stderr).toContain('is a case folder, not a bundle; its bundle is');
    expect(out).toMatch(/^identical: all \d+ files of the bundle are byte-identical$/m);
    expect(existsSync(path.join(work, 'reproduced'))).toBe(true);
    process.stderr.write(`tutorial: ${blocks().length} blocks in ${seconds.toFixed(1)} s\n`);
  }, 300_000);
});
