/**
 * An interrupted collection (Ctrl-C, or kill -9) leaves a valid case whose custody log and
 * collection log say what was and was not collected; the same command then continues it, and the
 * watch resumes from the last resourceVersion: no event lost, none twice.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { startCluster, type Cluster } from './k8s-harness.js';
import { pod } from './pods.js';
import { query } from '../helpers/case.js';
import { CLI, distIsFresh } from '../helpers/dist.js';
import { readCustody, verifyChain } from '../../src/custody/custody-log.js';
import { casePaths } from '../../src/case/case-paths.js';

const UID = '0b6c1d2e-3f40-4a5b-8c6d-7e8f90a1b2c3';
const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!();
});

/** Runs `podtrail collect k8s CASE --watch 30s` as its own process; resolves once `ready` holds. */
function startCli(c: Cluster): { child: ChildProcess; stderr: () => string; exited: Promise<number | null> } {
  const child = spawn(process.execPath, [CLI, 'collect', 'k8s', c.caseDir, '--kubeconfig', c.kubeconfig, '--watch', '30s', '--operator', 'tester'], { stdio: ['ignore', 'pipe', 'pipe'] });
  let err = '';
  child.stderr!.on('data', (d: Buffer) => (err += d.toString()));
  child.stdout!.resume();
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return { child, stderr: () => err, exited };
}

async function until(what: string, cond: () => boolean, ms = 15_000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

function segmentLines(c: Cluster): number {
  const root = path.join(c.caseDir, 'collect');
  if (!existsSync(root)) return 0;
  let n = 0;
  for (const d of readdirSync(root)) {
    for (const f of readdirSync(path.join(root, d))) if (f.startsWith('watch-pods')) n += readFileSync(path.join(root, d, f), 'utf8').split('\n').filter((l) => l.includes('"ADDED"') || l.includes('"MODIFIED"') || l.includes('"DELETED"')).length;
  }
  return n;
}

async function eventsOf(c: Cluster): Promise<string[]> {
  const rows = await query(c.caseDir, `select event_type || ' ' || resource_version as e from k8s_pod_events where uid = '${UID}' order by received_at, row_id`);
  return rows.map((r) => String(r['e']));
}

describe.skipIf(!distIsFresh())('collect k8s: interrupted and continued', () => {
  it('Ctrl-C: what was received is landed, the rest is a gap; the same command continues the watch from its resourceVersion', async () => {
    const c = await startCluster({ bookmarkMs: 200 });
    cleanups.push(c.cleanup);
    const cli = startCli(c);
    c.api.onWatch = (n) => {
      if (n !== 1) return;
      c.api.emit('ADDED', pod('exfil-1', UID));
      c.api.emit('MODIFIED', pod('exfil-1', UID, { phase: 'Running', ip: '10.0.29.80' }));
    };
    await until('two watch events on disk', () => segmentLines(c) >= 2);
    cli.child.kill('SIGINT');
    expect(await cli.exited).toBe(1);
    expect(cli.stderr()).toContain('SIGINT: stopping; recording what was collected');
    expect(cli.stderr()).toContain('interrupted: what was collected is landed; run the same command to continue it');
    expect(verifyChain(readCustody(casePaths(c.caseDir).custody).lines)).toEqual([]);
    const first = await eventsOf(c);
    expect(first.map((e) => e.split(' ')[0])).toEqual(['ADDED', 'MODIFIED']);
    const gaps = await query(c.caseDir, `select gap || ' ' || verb || ' ' || resource as g from collection_log where record = 'gap' order by row_id`);
    expect(gaps.map((g) => g['g'])).toEqual(['interrupted watch pods', 'interrupted list pods', 'interrupted list nodes', 'interrupted list serviceaccounts']);

    // while podtrail is not watching, the pod is deleted
    c.api.emit('MODIFIED', pod('exfil-1', UID, { phase: 'Running', ip: '10.0.29.80', deleting: { at: '2026-10-20T09:58:30Z', grace: 30 } }));
    c.api.emit('DELETED', pod('exfil-1', UID, { phase: 'Succeeded', ip: '10.0.29.80', deleting: { at: '2026-10-20T09:58:30Z', grace: 30 } }));
    const r = await c.collect({ watchSeconds: 0.5 });
    expect(r.resumed).toBe(true);
    expect(r.run).toBe(2);
    expect(r.complete, c.logs.join('\n')).toBe(true);
    const all = await eventsOf(c);
    expect(all.map((e) => e.split(' ')[0])).toEqual(['ADDED', 'MODIFIED', 'MODIFIED', 'DELETED']);
    expect(new Set(all).size).toBe(4);
    const resumedFrom = c.api.received.filter((q) => q.verb === 'watch').at(-1)!.query['resourceVersion'];
    expect(Number(resumedFrom)).toBeGreaterThanOrEqual(Number(first[1]!.split(' ')[1]));
    const paused = await query(c.caseDir, `select gap, message from collection_log where record = 'gap' and gap = 'watch-paused'`);
    expect(paused.length).toBe(1);
    expect(String(paused[0]!['message'])).toContain('upper bounds');
  });

  it('kill -9: the case stays valid; the next run closes the open watch segment, records it, and goes on without a duplicate', async () => {
    const c = await startCluster({ bookmarkMs: 200 });
    cleanups.push(c.cleanup);
    const cli = startCli(c);
    c.api.onWatch = (n) => {
      if (n !== 1) return;
      c.api.emit('ADDED', pod('exfil-1', UID));
      c.api.emit('MODIFIED', pod('exfil-1', UID, { phase: 'Running', ip: '10.0.29.80' }));
      c.api.emit('MODIFIED', pod('exfil-1', UID, { phase: 'Running', ip: '10.0.29.80', deleting: { at: '2026-10-20T09:58:30Z', grace: 30 } }));
    };
    await until('three watch events on disk', () => segmentLines(c) >= 3);
    cli.child.kill('SIGKILL');
    await cli.exited;
    // valid: the custody chain holds, and records the requests made before the kill
    const { entries, lines } = readCustody(casePaths(c.caseDir).custody);
    expect(verifyChain(lines)).toEqual([]);
    expect(entries.filter((e) => e.action === 'collected' && e.object['kind'] === 'request').map((e) => e.object['resource'])).toEqual(['selfsubjectreviews', 'pods', 'nodes', 'serviceaccounts']);

    c.api.emit('DELETED', pod('exfil-1', UID, { phase: 'Succeeded', ip: '10.0.29.80' }));
    const r = await c.collect({ watchSeconds: 0.5 });
    expect(r.resumed).toBe(true);
    expect(r.complete, c.logs.join('\n')).toBe(true);
    const all = await eventsOf(c);
    expect(all.map((e) => e.split(' ')[0])).toEqual(['ADDED', 'MODIFIED', 'MODIFIED', 'DELETED']);
    expect(new Set(all).size).toBe(4);
    const recovered = readCustody(casePaths(c.caseDir).custody).entries.filter((e) => e.object['kind'] === 'segment-recovered');
    expect(recovered.length).toBe(1);
    expect(recovered[0]!.object['lines']).toBeGreaterThanOrEqual(3);
    // the run killed never wrote its end: its log lands with its start only
    const runs = await query(c.caseDir, `select run, state from collection_log where record = 'run' order by run, logged_at`);
    expect(runs.map((x) => `${x['run']} ${x['state']}`)).toEqual(['1 started', '2 started', '2 finished']);
  });
});
