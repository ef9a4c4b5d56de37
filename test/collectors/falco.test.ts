import { describe, expect, it } from 'vitest';
import { landQuery } from '../../src/store/land.js';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { makeCase, ingest, query, tempDir } from '../helpers/case.js';
import type { Row } from '../../src/store/store.js';
import { openStore } from '../../src/store/open-store.js';
import { applyMacros, SQL_DIR } from '../../src/store/lake-views.js';
import { tableDoc } from '../../src/lake/schema.js';
import { FALCO_COLUMNS } from '../../src/collectors/falco/read-spec.js';

/** Falco JSON alerts into runtime_events, from the hand-made fixtures/falco/alerts.jsonl. */

const ALERTS = path.resolve(__dirname, '..', '..', 'fixtures', 'falco', 'alerts.jsonl');

const COLS = `row_id, line, record_path, source_event_id, ts::VARCHAR as ts, ts_raw, source, kind, event_type, in_scope, node_name,
  exec_id_node, pod_namespace, pod_name, pod_uid, container_id, container_name, image_ref, image_digest, pid, exec_id,
  parent_exec_id, "binary", arguments, uid, src_ip, src_port, dst_ip, dst_port, protocol, function_name, sensor_dropped,
  sensor_version_hint`;

describe('falco: output contract', () => {
  it('falco.sql emits exactly the runtime_events columns with their types, then _disposition', async () => {
    const t = tempDir('podtrail-cols-');
    const store = await openStore({ database: ':memory:', allowedDirectories: [t.dir] });
    try {
      await applyMacros(store);
      const typed = Object.entries(FALCO_COLUMNS).map(([k, v]) => `null::${v} as "${k}"`).join(', ');
      await store.run(`create temp view src as select null::VARCHAR as _efid, null::BIGINT as _ordinal, null::BIGINT as _line, '' as _path, ${typed} where false`);
      const sql = landQuery(path.join(SQL_DIR, '20_land', 'falco.sql'));
      const params = { evidence_file_id: 'x', window_lo: '2000-01-01 00:00:00.000', window_hi: '2030-01-01 00:00:00.000', namespaces: [] as string[] };
      const reader = await (await store.prepare(`select * from (${sql}) limit 0`, params)).runAndReadAll();
      const got = reader.columnNames().map((name, i) => ({ name, type: reader.columnTypes()[i]!.alias ?? reader.columnTypes()[i]!.toString() }));
      const expected = tableDoc('runtime_events')!.columns.map((c) => ({ name: c.name, type: c.type }));
      expect(got).toEqual([...expected, { name: '_disposition', type: 'VARCHAR' }]);
    } finally {
      store.close();
      t.cleanup();
    }
  });
});

describe('falco alerts', () => {
  it('lands every fixture alert with its fields', async () => {
    const { caseDir, cleanup } = makeCase();
    try {
      const r = await ingest(caseDir, [ALERTS]);
      expect(r.files[0]!.status).toBe('landed');
      expect(r.files[0]!.source).toBe('falco');
      const efid = r.files[0]!.evidenceFileId;
      const rows = await query(caseDir, `select ${COLS} from runtime_events order by line`);
      expect(rows).toHaveLength(7);
      const byLine = (n: number): Row => rows.find((x) => x['line'] === String(n))!;
      const pod = { pod_namespace: 'payments', pod_name: 'checkout-6d9f7c8b5-x2x7q', pod_uid: '7b1f0c2e-5d4a-4e3b-9c8d-1a2b3c4d5e6f' };
      const container = {
        container_id: '3f9c2e1a7b4d8c6e5f0a1b2c3d4e5f6a7b8c9d0e1f2a3b4c5d6e7f8a9b0c1d2e',
        container_name: 'app',
        image_ref: '111122223333.dkr.ecr.us-east-1.amazonaws.com/payments/checkout:1.14.2',
        image_digest: 'sha256:7d2c4e6f8a0b1c3d5e7f9a1b3c5d7e9f1a3b5c7d9e1f3a5b7c9d1e3f5a7b9c1d',
      };
      const tetragonOnly = { exec_id: null, parent_exec_id: null, exec_id_node: null, sensor_version_hint: null };

      // 1. connect to IMDS: client fd.cip/cport -> src, server fd.sip/sport -> dst; time string wins over evt.time
      expect(byLine(1)).toEqual({
        row_id: `${efid}-00000001`,
        line: '1',
        record_path: '',
        source_event_id: '6f1d2c3b-4a5e-4f6a-8b7c-9d0e1f2a3b4c',
        ts: '2024-08-28 21:35:04.518808525',
        ts_raw: '2024-08-28T21:35:04.518808525Z',
        source: 'falco',
        kind: 'connect',
        event_type: 'Contact EC2 Instance Metadata Service From Container',
        in_scope: true,
        node_name: 'ip-10-0-12-34.us-east-1.compute.internal',
        ...pod,
        ...container,
        ...tetragonOnly,
        pid: '48213',
        binary: '/usr/bin/curl',
        arguments: 'curl -s http://169.254.169.254/latest/meta-data/iam/security-credentials/',
        uid: '0',
        src_ip: '10.0.12.77',
        src_port: 40112,
        dst_ip: '169.254.169.254',
        dst_port: 80,
        protocol: 'TCP',
        function_name: 'connect',
        sensor_dropped: null,
      });
      // 2. a shell spawned in the container (evt.type execve)
      expect(byLine(2)).toMatchObject({ kind: 'exec', function_name: 'execve', event_type: 'Terminal shell in container', ...pod, ...container, pid: '48190', binary: '/bin/busybox', src_ip: null });
      // 3. no evt.type in output_fields: the rule name says a process was launched; the bearer token is redacted
      expect(byLine(3)).toMatchObject({ kind: 'exec', function_name: null, event_type: 'Launch Ingress Remote File Copy Tools in Container', ...pod });
      expect(byLine(3)['arguments']).toMatch(/^curl -sk -H Authorization: Bearer \[REDACTED sha256:[0-9a-f]{12}\] https:\/\/kubernetes\.default\.svc\/api\/v1\/namespaces\/payments\/secrets$/);
      // 4. host process: container.id "host" is not a container
      expect(byLine(4)).toMatchObject({
        kind: 'other',
        function_name: 'openat',
        container_id: null,
        container_name: null,
        pod_namespace: null,
        pod_uid: null,
        pid: '77102',
        binary: '/usr/bin/cat',
        arguments: 'cat /etc/shadow',
        uid: '0',
      });
      // 5. output_fields holds only evt.time and there is no top-level time: every ns digit kept
      expect(byLine(5)).toMatchObject({
        ts: '2024-08-28 21:35:04.518808525',
        ts_raw: '1724880904518808525',
        kind: 'other',
        event_type: 'Clear Log Activities',
        node_name: 'ip-10-0-12-34.us-east-1.compute.internal',
        pod_name: null,
        container_id: null,
        pid: null,
        arguments: null,
      });
      // 6. the sensor's drop report
      expect(byLine(6)).toMatchObject({ kind: 'other', event_type: 'Falco internal: syscall event drop', sensor_dropped: '1843', pid: null });
      // 7. k8smeta fields, local/remote addresses, 12-char container id, digest given as an array
      expect(byLine(7)).toMatchObject({
        kind: 'connect',
        node_name: 'falco-7xk2p',
        pod_namespace: 'inventory',
        pod_name: 'inventory-sync-28750115-kq8zd',
        pod_uid: '8c9d0e1f-2a3b-4c4d-9e5f-6a7b8c9d0e1f',
        container_id: '9a8b7c6d5e4f',
        image_ref: 'ghcr.io/acme/inventory-sync:2.3.0',
        image_digest: 'sha256:0f1e2d3c4b5a69788796a5b4c3d2e1f00f1e2d3c4b5a69788796a5b4c3d2e1f0',
        src_ip: '10.0.14.9',
        src_port: 51544,
        dst_ip: '52.94.236.248',
        dst_port: 443,
        protocol: 'TCP',
        uid: '1000',
      });
      // the evt.time integer is above 2^53: a JS parse would round it, the lake does not
      const raw = readFileSync(ALERTS, 'utf8').split('\n')[4]!;
      expect(raw).toContain('"evt.time":1724880904518808525');
      expect(String((JSON.parse(raw) as { output_fields: Record<string, number> }).output_fields['evt.time'])).not.toBe('1724880904518808525');
      const [ns] = await query(caseDir, `select epoch_ns(ts)::VARCHAR as ns from runtime_events where line = 5`);
      expect(ns!['ns']).toBe('1724880904518808525');
      const [ef] = await query(caseDir, `select records_total, records_landed, first_record_at::VARCHAR as lo, last_record_at::VARCHAR as hi from evidence_files`);
      expect(ef).toEqual({ records_total: '7', records_landed: '7', lo: '2024-08-28 21:33:07.441023', hi: '2024-08-28 21:36:11.080311' });
    } finally {
      cleanup();
    }
  });

  it('scope: only pods of the scoped namespaces are in scope, host alerts are not', async () => {
    const { caseDir, cleanup } = makeCase({ namespaces: ['payments'] });
    try {
      await ingest(caseDir, [ALERTS]);
      const rows = await query(caseDir, `select line, in_scope from runtime_events order by line`);
      expect(rows.map((r) => r['in_scope'])).toEqual([true, true, true, false, false, false, false]);
    } finally {
      cleanup();
    }
  });

  it('dispositions: window, missing and invalid time, not an alert; the same on the line-exact path', async () => {
    const tmp = tempDir();
    const { caseDir, cleanup } = makeCase({ from: '2024-08-28T21:00:00Z', to: '2024-08-28T22:00:00Z', margin: '0s' });
    try {
      const alert = (o: Record<string, unknown>): string =>
        JSON.stringify({ hostname: 'node-a', output: 'x', priority: 'Notice', rule: 'Terminal shell in container', source: 'syscall', tags: [], ...o });
      const lines = [
        alert({ time: '2024-08-28T21:30:00.000000001Z', output_fields: { 'evt.type': 'execve' } }), // 1 landed
        alert({ output_fields: { 'proc.pid': 1 } }), // 2 missing_timestamp
        alert({ time: 'yesterday', output_fields: {} }), // 3 invalid_timestamp
        alert({ time: '2024-08-29T05:00:00Z', output_fields: {} }), // 4 out_of_window
        JSON.stringify({ time: '2024-08-28T21:30:00Z', priority: 'Notice', output_fields: {} }), // 5 no rule: unknown_shape
        // 6 landed: evt.time written as a raw JSON integer (never through a JS number)
        alert({ output_fields: { 'evt.time': '__EVT_TIME__' } }).replace('"__EVT_TIME__"', '1724880904518808525'),
      ];
      expect(lines[5]).toContain('"evt.time":1724880904518808525}');
      const clean = path.join(tmp.dir, 'clean.json');
      writeFileSync(clean, lines.join('\n') + '\n');
      // a blank line sends the copy to the line-exact path (from_json instead of read_json)
      const gappy = path.join(tmp.dir, 'gappy.json');
      writeFileSync(gappy, lines.join('\n\n') + '\n');
      const r = await ingest(caseDir, [clean, gappy]);
      for (const f of r.files) {
        expect(f.landing!.readPath).toBe(f.origin === clean ? 'fast-parallel' : 'line-exact');
        expect([f.landing!.landed, f.landing!.rejected, f.landing!.outOfWindow]).toEqual([2, 3, 1]);
      }
      const rejects = await query(
        caseDir,
        `select e.origin, r.line, r.reason from ingest_rejects r join evidence_files e using (evidence_file_id) order by e.origin, r.line`,
      );
      expect(rejects.map((x) => [path.basename(x['origin'] as string), x['line'], x['reason']])).toEqual([
        ['clean.json', '2', 'missing_timestamp'],
        ['clean.json', '3', 'invalid_timestamp'],
        ['clean.json', '5', 'unknown_shape'],
        ['gappy.json', '3', 'missing_timestamp'],
        ['gappy.json', '5', 'invalid_timestamp'],
        ['gappy.json', '9', 'unknown_shape'],
      ]);
      const landed = await query(
        caseDir,
        `select e.origin, r.line, r.ts::VARCHAR as ts, r.ts_raw from runtime_events r join evidence_files e using (evidence_file_id) order by e.origin, r.line`,
      );
      expect(landed.map((x) => [path.basename(x['origin'] as string), x['line'], x['ts'], x['ts_raw']])).toEqual([
        ['clean.json', '1', '2024-08-28 21:30:00.000000001', '2024-08-28T21:30:00.000000001Z'],
        ['clean.json', '6', '2024-08-28 21:35:04.518808525', '1724880904518808525'],
        ['gappy.json', '1', '2024-08-28 21:30:00.000000001', '2024-08-28T21:30:00.000000001Z'],
        ['gappy.json', '11', '2024-08-28 21:35:04.518808525', '1724880904518808525'],
      ]);
    } finally {
      cleanup();
      tmp.cleanup();
    }
  });
});
