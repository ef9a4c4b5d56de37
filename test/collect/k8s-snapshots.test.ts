/**
 * `podtrail collect k8s` against the loopback API server (TLS, bearer token): snapshots land the
 * same rows as the equivalent `kubectl get -o json` files, every request is in custody with its
 * hashes, the kept pages are the bytes the server sent, and the collection re-lands from raw/.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { createHash } from 'node:crypto';
import { INVENTORY, TOKEN, USER, startCluster, type Cluster } from './k8s-harness.js';
import { ingest, makeCase, query } from '../helpers/case.js';
import { readCustody, verifyChain } from '../../src/custody/custody-log.js';
import { casePaths } from '../../src/case/case-paths.js';
import type { CollectK8sResult } from '../../src/collect/k8s/collect-k8s.js';
import type { Row } from '../../src/store/store.js';

const PROVENANCE = ['row_id', 'evidence_file_id', 'line', 'record_path', 'snapshot_at'];
const TABLES = ['k8s_nodes', 'k8s_pods', 'k8s_service_accounts'];

/** Lake rows without provenance and snapshot instant, in a total order. */
async function content(caseDir: string, table: string): Promise<Row[]> {
  const rows = await query(caseDir, `select * exclude (${PROVENANCE.join(', ')}) from ${table}`);
  return rows.map((r) => JSON.stringify(r)).sort().map((s) => JSON.parse(s) as Row);
}

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { recursive: true }).map(String).map((f) => path.join(dir, f)).filter((f) => statSync(f).isFile());
}

describe('collect k8s: snapshots', () => {
  let c: Cluster;
  let r: CollectK8sResult;
  beforeAll(async () => {
    c = await startCluster();
    r = await c.collect({ pageSize: 2 });
  });
  afterAll(async () => {
    await c.cleanup();
  });

  it('lists nodes, pods and service accounts page by page and lands them, with the identity the server reports', () => {
    expect(r.complete).toBe(true);
    expect(r.identity).toContain(USER);
    expect(r.identitySource).toBe('SelfSubjectReview');
    expect(r.steps.map((s) => `${s.step} ${s.state}`)).toEqual(['opening snapshot of pods done', 'opening snapshot of nodes done', 'opening snapshot of serviceaccounts done']);
    const lists = c.api.received.filter((q) => q.verb === 'list');
    // 5 pods in pages of 2, 2 nodes, 4 service accounts
    expect(lists.map((q) => `${q.resource} ${q.query['limit']} ${q.query['continue'] ? 'continue' : 'first'}`)).toEqual([
      'pods 2 first', 'pods 2 continue', 'pods 2 continue', 'nodes 2 first', 'serviceaccounts 2 first', 'serviceaccounts 2 continue',
    ]);
    expect(r.ingest!.files.filter((f) => f.status === 'landed').map((f) => f.source).sort()).toEqual(['collection', ...Array(6).fill('inventory')]);
  });

  it('gives the same lake rows as ingesting the equivalent kubectl get -o json files', async () => {
    const k = makeCase();
    try {
      await ingest(k.caseDir, [INVENTORY.nodes, INVENTORY.pods, INVENTORY.serviceaccounts]);
      for (const t of TABLES) {
        const collected = await content(c.caseDir, t);
        expect(collected.length).toBeGreaterThan(0);
        expect(collected, t).toEqual(await content(k.caseDir, t));
      }
    } finally {
      k.cleanup();
    }
  });

  it('keeps each page as the bytes the server sent, and custody names server, resource, resourceVersion, sizes, hashes and identity', async () => {
    const p = casePaths(c.caseDir);
    const { entries, lines } = readCustody(p.custody);
    expect(verifyChain(lines)).toEqual([]);
    const requests = entries.filter((e) => e.action === 'collected' && e.object['kind'] === 'request');
    expect(requests.length).toBe(7); // 1 SelfSubjectReview + 6 pages
    const files = await query(c.caseDir, `select origin, sha256, size_bytes, raw_path, snapshot_at::VARCHAR as snapshot_at from evidence_files where source_type = 'inventory' order by origin`);
    for (const f of files) {
      const req = requests.find((e) => e.object['response_file'] === f['origin'])!;
      expect(req, String(f['origin'])).toBeDefined();
      const o = req.object;
      expect(o['server']).toBe(c.api.url);
      expect(o['response_sha256']).toBe(f['sha256']);
      expect(o['response_bytes']).toBe(Number(f['size_bytes']));
      expect(o['identity']).toContain(USER);
      expect(o['resource_version']).toMatch(/^\d+$/);
      expect(o['request_sha256']).toMatch(/^[0-9a-f]{64}$/);
      expect(o['status']).toBe(200);
      expect(typeof o['clock_difference_ms']).toBe('number');
      // the raw copy is byte for byte what the server sent: a compact List with its trailing newline
      const raw = readFileSync(path.join(c.caseDir, String(f['raw_path'])));
      expect(createHash('sha256').update(raw).digest('hex')).toBe(f['sha256']);
      expect(raw.toString('utf8')).toMatch(/^\{"kind":"(Pod|Node|ServiceAccount)List","apiVersion":"v1".*\}\n$/s);
    }
    // the pages of one List share its snapshot instant, and it is the snapshot record's
    const snaps = await query(c.caseDir, `select resource, snapshot_at::VARCHAR as snapshot_at, server_date, clock_difference_ms, items, pages from collection_log where record = 'snapshot' order by resource`);
    expect(snaps.map((s) => `${s['resource']} ${s['items']} ${s['pages']}`)).toEqual(['nodes 2 1', 'pods 5 3', 'serviceaccounts 4 2']);
    for (const s of snaps) {
      expect(s['server_date']).not.toBeNull();
      expect(Math.abs(Number(s['clock_difference_ms']))).toBeLessThan(5000);
    }
    const podSnapshots = new Set(files.filter((f) => String(f['origin']).includes('/pods-')).map((f) => f['snapshot_at']));
    expect([...podSnapshots]).toEqual([snaps.find((s) => s['resource'] === 'pods')!['snapshot_at']]);
  });

  it('never writes the token anywhere in the case', () => {
    for (const f of filesUnder(c.caseDir)) expect(readFileSync(f).includes(TOKEN), f).toBe(false);
    expect(c.api.received.every((q) => q.authorization === `Bearer ${TOKEN}`)).toBe(true);
  });

  it('lands every request in collection_log', async () => {
    const rows = await query(c.caseDir, `select record, count(*)::INTEGER as n from collection_log group by record order by record`);
    expect(rows).toEqual([
      { record: 'request', n: 7 },
      { record: 'run', n: 2 },
      { record: 'snapshot', n: 3 },
    ]);
  });

  it('re-lands from raw/: the acquired copies ingest into a fresh case with the same rows', async () => {
    const k = makeCase();
    try {
      await ingest(k.caseDir, [path.join(c.caseDir, 'raw')]);
      for (const t of [...TABLES, 'collection_log']) {
        const a = await query(c.caseDir, `select * exclude (evidence_file_id, row_id) from ${t} order by all`);
        const b = await query(k.caseDir, `select * exclude (evidence_file_id, row_id) from ${t} order by all`);
        expect(b, t).toEqual(a);
      }
    } finally {
      k.cleanup();
    }
  });

  it('a second run of a finished collection starts a new one', async () => {
    const again = await c.collect();
    expect(again.collectionId).not.toBe(r.collectionId);
    expect(again.resumed).toBe(false);
  });
});
