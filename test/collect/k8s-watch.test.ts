/**
 * The pod watch of `podtrail collect k8s --watch` against the loopback API server: events land with
 * their receive time, a stream cut in the middle of an event resumes from the last resourceVersion
 * without a gap or a duplicate, bookmarks keep it fresh, and an expired resourceVersion relists.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { startCluster, type Cluster } from './k8s-harness.js';
import { playPodLife, UID } from './pods.js';
import { query, AS_OF } from '../helpers/case.js';
import { correlateCase } from '../../src/correlate/correlate-case.js';
import { createClock } from '../../src/core/clock.js';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!();
});

async function cluster(o: Parameters<typeof startCluster>[0] = {}): Promise<Cluster> {
  const c = await startCluster({ bookmarkMs: 250, ...o });
  cleanups.push(c.cleanup);
  return c;
}

describe('collect k8s --watch', () => {
  it('keeps every event with its receive time; a stream cut mid-event resumes from the last resourceVersion without a gap or a duplicate', async () => {
    const c = await cluster();
    c.api.faults.push({ request: 'watch pods', action: { kind: 'cut-watch', afterEvents: 2, midLine: true } });
    c.api.onWatch = (n) => {
      if (n === 1) playPodLife(c);
    };
    const r = await c.collect({ watchSeconds: 1.5 });
    expect(r.complete, c.logs.join('\n')).toBe(true);
    expect(r.steps.map((s) => `${s.step} ${s.state}`)).toEqual([
      'opening snapshot of pods done', 'opening snapshot of nodes done', 'opening snapshot of serviceaccounts done',
      'watch pods done',
      'closing snapshot of pods done', 'closing snapshot of nodes done', 'closing snapshot of serviceaccounts done',
    ]);
    const events = await query(c.caseDir, `select event_type, resource_version, uid, phase, pod_ips, deletion_requested_at::VARCHAR as requested, received_at from k8s_pod_events where event_type <> 'BOOKMARK' order by received_at, row_id`);
    expect(events.map((e) => `${e['event_type']} ${e['phase']}`)).toEqual(['ADDED Pending', 'MODIFIED Running', 'MODIFIED Running', 'DELETED Succeeded']);
    const rvs = events.map((e) => Number(e['resource_version']));
    expect(new Set(rvs).size).toBe(4);
    expect([...rvs].sort((a, b) => a - b)).toEqual(rvs);
    expect(rvs[3]! - rvs[0]!).toBe(3); // consecutive: nothing missed
    expect(events[2]!['requested']).toBe('2026-10-20 09:58:00');
    expect(events.every((e) => e['uid'] === UID)).toBe(true);
    // the first watch was cut, the second resumed from the second event's resourceVersion
    const watches = c.api.received.filter((q) => q.verb === 'watch');
    expect(watches.length).toBeGreaterThanOrEqual(2);
    expect(watches[1]!.query['resourceVersion']).toBe(String(rvs[1]));
    expect(watches.every((q) => q.query['allowWatchBookmarks'] === 'true')).toBe(true);
    const log = await query(c.caseDir, `select outcome, message, response_file from collection_log where record = 'request' and verb = 'watch' order by seq`);
    expect(log[0]!['outcome']).toBe('cut');
    expect(String(log[0]!['message'])).toContain('unfinished last line dropped');
    const bookmarks = await query(c.caseDir, `select count(*)::INTEGER as n from k8s_pod_events where event_type = 'BOOKMARK'`);
    expect(bookmarks[0]!['n']).toBeGreaterThan(0);
    // the closing pods snapshot no longer holds the deleted pod; the opening one never did
    const inv = await query(c.caseDir, `select count(distinct snapshot_at)::INTEGER as snapshots, count(*) filter (where uid = '${UID}')::INTEGER as exfil from k8s_pods`);
    expect(inv[0]).toEqual({ snapshots: 2, exfil: 0 });

    // pod_lifecycle: created from creationTimestamp, gone at the DELETED event's receive time
    await correlateCase(c.caseDir, () => {}, createClock(AS_OF));
    const deleted = events[3]!['received_at'];
    const life = await query(c.caseDir, `select valid_from::VARCHAR as valid_from, valid_to, from_evidence, to_evidence, pod_ips, service_account, node_name from pod_lifecycle where pod_uid = '${UID}'`);
    expect(life).toEqual([{ valid_from: '2026-10-20 09:50:01', valid_to: deleted, from_evidence: 'watch-created', to_evidence: 'watch-deleted', pod_ips: ['10.0.29.77'], service_account: 'billing-api', node_name: 'ip-10-0-29-28.us-west-2.compute.internal' }]);
    const timeline = await query(c.caseDir, `select what, precision from int_pod__watch_timeline where pod_uid = '${UID}' order by happened_at, row_id, what = 'deleted', what`);
    expect(timeline.map((t) => t['what'])).toEqual(['created', 'deletion-requested', 'phase:Pending', 'phase:Running', 'phase:Succeeded', 'deleted']);
  });

  it('relists pods when the watch resourceVersion expired (410), and records the gap', async () => {
    const c = await cluster();
    c.api.faults.push({ request: 'watch pods', action: { kind: 'status', code: 410 } });
    const r = await c.collect({ watchSeconds: 0.6 });
    expect(r.complete, c.logs.join('\n')).toBe(true);
    expect(r.steps.map((s) => s.step)).toContain('relist snapshot of pods');
    const gaps = await query(c.caseDir, `select gap, resource, verb, message from collection_log where record = 'gap'`);
    expect(gaps.map((g) => `${g['gap']} ${g['verb']} ${g['resource']}`)).toEqual(['watch-expired watch pods']);
    expect(String(gaps[0]!['message'])).toContain('may be missing');
    const errors = await query(c.caseDir, `select status_code, status_reason from k8s_pod_events where event_type = 'ERROR'`);
    expect(errors).toEqual([{ status_code: 410, status_reason: 'Expired' }]);
    const watches = c.api.received.filter((q) => q.verb === 'watch');
    const lists = c.api.received.filter((q) => q.verb === 'list' && q.resource === 'pods' && !q.query['continue']);
    expect(lists.length).toBe(3); // opening, relist, closing
    expect(watches.length).toBeGreaterThanOrEqual(2);
  });

  it('a watch window that ends while the server has not answered yet ends the watch, not the collection', async () => {
    const c = await cluster();
    c.api.faults.push({ request: 'watch pods', action: { kind: 'slow', ms: 1500 } });
    const r = await c.collect({ watchSeconds: 0.4 });
    expect(r.complete, c.logs.join('\n')).toBe(true);
    expect(r.steps.find((s) => s.step === 'watch pods')!.state).toBe('done');
  });
});
