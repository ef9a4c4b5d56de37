import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { makeCase, ingest, query, tempDir } from '../helpers/case.js';
import { SAMPLES, describeSamples, sampleNames } from '../helpers/samples.js';
import type { IngestResult } from '../../src/ingest/ingest-case.js';

/**
 * Conformance over ../shared/samples/tetragon/*, read in place: every file ingests without a crash
 * and every record is accounted for, except the runtime-radar test fixture, whose envelope
 * ({"event": ..., "expect": ...}) is not a Tetragon export and is refused as a whole.
 */

const DIR = path.join(SAMPLES, 'tetragon');
const EVENTS = path.join(DIR, 'cilium-tetragon__testdata__events.json');
const MERLIN = path.join(DIR, 'cilium-tetragon__docs__security-observability-with-ebpf__merlin-agent-go-connect.json');
const RADAR = path.join(DIR, 'runtime-radar__CS_RT_DOWNLOAD_TOOLS__testdata__positive_curl_download.json');

/** Records in a file, counted here without podtrail: non-blank lines, or 1 for a pretty-printed document. */
function expectedRecords(file: string): number {
  const lines = readFileSync(file, 'utf8').split('\n').filter((l) => l.trim() !== '');
  let firstLineIsJson = true;
  try {
    JSON.parse(lines[0] ?? '');
  } catch {
    firstLineIsJson = false;
  }
  return lines.length > 1 && !firstLineIsJson ? 1 : lines.length;
}

function sqlString(s: string): string {
  return `'${s.replace(/'/g, "''")}'`;
}

describeSamples('tetragon samples', () => {
  const files = sampleNames('tetragon').map((f) => path.join(DIR, f));
  let caseDir = '';
  let cleanup = (): void => {};
  let result: IngestResult;

  beforeAll(async () => {
    ({ caseDir, cleanup } = makeCase());
    result = await ingest(caseDir, files);
  });
  afterAll(() => cleanup());

  it('accounts for every record of every landed file', async () => {
    expect(files).toContain(EVENTS);
    expect(result.files).toHaveLength(files.length);
    for (const file of files) {
      const outcome = result.files.find((f) => f.origin === file)!;
      const [row] = await query(
        caseDir,
        `select status, source_type, records_total, records_landed, records_rejected, records_duplicate, records_out_of_window
           from evidence_files where origin = ${sqlString(file)}`,
      );
      const n = (k: string): number => Number(row![k]);
      if (file === RADAR) {
        expect(outcome.status).toBe('refused');
        expect(row!['status']).toBe('refused');
        continue;
      }
      expect(outcome.status, `${file}: ${outcome.message}`).toBe('landed');
      expect(row!['source_type']).toBe('tetragon');
      const expected = expectedRecords(file);
      expect(n('records_total'), file).toBe(expected);
      expect(n('records_landed') + n('records_rejected') + n('records_duplicate') + n('records_out_of_window'), file).toBe(expected);
      const [landed] = await query(caseDir, `select count(*) as n from runtime_events where evidence_file_id = '${outcome.evidenceFileId}'`);
      expect(Number(landed!['n'])).toBe(n('records_landed'));
    }
  });

  it('rejects the legacy process_connect (merlin) event as legacy_shape', async () => {
    const efid = result.files.find((f) => f.origin === MERLIN)!.evidenceFileId;
    const rejects = await query(caseDir, `select reject_id, line, record_path, reason from ingest_rejects where evidence_file_id = '${efid}'`);
    expect(rejects).toEqual([{ reject_id: `${efid}-00000001`, line: null, record_path: '', reason: 'legacy_shape' }]);
    const [landed] = await query(caseDir, `select count(*) as n from runtime_events where evidence_file_id = '${efid}'`);
    expect(landed!['n']).toBe('0');
  });

  it('refuses the runtime-radar test envelope as an unknown shape, landing nothing', async () => {
    const outcome = result.files.find((f) => f.origin === RADAR)!;
    expect(outcome.status).toBe('refused');
    expect(outcome.message).toMatch(/unknown shape/);
    const [landed] = await query(caseDir, `select count(*) as n from runtime_events where evidence_file_id = '${outcome.evidenceFileId}'`);
    expect(landed!['n']).toBe('0');
  });

  it('testdata/events.json: the first line has no time and takes process.start_time', async () => {
    const efid = result.files.find((f) => f.origin === EVENTS)!.evidenceFileId;
    const first = JSON.parse(readFileSync(EVENTS, 'utf8').split('\n')[0]!) as { time?: string; process_exec: { process: { start_time: string } } };
    expect(first.time).toBeUndefined();
    const rows = await query(
      caseDir,
      `select line, kind, ts::VARCHAR as ts, ts_raw, node_name, exec_id_node from runtime_events
        where evidence_file_id = '${efid}' order by line`,
    );
    expect(rows).toHaveLength(3);
    expect(rows[0]).toEqual({
      line: '1',
      kind: 'exec',
      ts: '2022-10-18 03:16:18.273546829',
      ts_raw: first.process_exec.process.start_time,
      node_name: 'my-node',
      exec_id_node: 'gke-michi-22038-default-pool-43730fab-l8zr',
    });
    expect(rows[1]!['ts']).toBe('2022-10-18 03:16:21.373327754');
  });
});

describeSamples('tetragon runtime-radar sample, unwrapped', () => {
  it('lands the inner tcp_connect event as a connect with its socket, container and exec_id node', async () => {
    const sample = JSON.parse(readFileSync(RADAR, 'utf8')) as {
      event: { node_name: string; time: string; process_kprobe: { args: { sock_arg: Record<string, string | number> }[] } };
    };
    const sock = sample.event.process_kprobe.args[0]!.sock_arg;
    const tmp = tempDir();
    const { caseDir, cleanup } = makeCase();
    try {
      const file = path.join(tmp.dir, 'radar-inner.json');
      writeFileSync(file, JSON.stringify(sample.event) + '\n');
      const r = await ingest(caseDir, [file]);
      expect(r.files[0]!.status).toBe('landed');
      const rows = await query(
        caseDir,
        `select kind, event_type, function_name, src_ip, src_port, dst_ip, dst_port, protocol, container_id, image_digest,
                pod_namespace, pod_name, node_name, exec_id_node, ts::VARCHAR as ts, ts_raw, source_event_id
           from runtime_events`,
      );
      expect(rows).toHaveLength(1);
      const row = rows[0]!;
      expect(row).toMatchObject({
        kind: 'connect',
        event_type: 'process_kprobe',
        function_name: 'tcp_connect',
        src_ip: sock['saddr'],
        src_port: sock['sport'],
        dst_ip: sock['daddr'],
        dst_port: sock['dport'],
        protocol: 'TCP',
        pod_namespace: 'default',
        pod_name: 'test-pod-debian',
        node_name: sample.event.node_name,
        exec_id_node: 'ptexperts-k8s-ptcs',
        ts: '2024-03-22 11:45:01.589721382',
        ts_raw: sample.event.time,
      });
      // the values in the sample, spelled out
      expect([row['src_ip'], row['src_port'], row['dst_ip'], row['dst_port']]).toEqual(['10.244.0.97', 55106, '140.82.121.4', 443]);
      expect(row['node_name']).toBe('test-k8s-cluster');
      expect(row['container_id']).toBe('332cff0fb99f03f8b4fb9633f245ba21ad43339eeafd3b0ac3e5d9a38371262c');
      expect(row['image_digest']).toBe('sha256:2bc5c236e9b262645a323e9088dfa3bb1ecb16cc75811daf40a23a824d665be9');
      // the socket cookie is a uint64 string: kept whole in the source event id
      expect(row['source_event_id']).toMatch(/\/tcp_connect\/18446635049337231936$/);
    } finally {
      cleanup();
      tmp.cleanup();
    }
  });
});
