import { describe, expect, it } from 'vitest';
import { LineScanner } from '../../src/acquire/line-scan.js';
import { detectSource } from '../../src/ingest/detect-source.js';
import { snapshotFromFileName } from '../../src/ingest/snapshot-time.js';

function detect(text: string, declared: Parameters<typeof detectSource>[1] = null) {
  const s = new LineScanner();
  s.push(Buffer.from(text));
  return detectSource(s.finish(), declared);
}

describe('source detection', () => {
  it('detects each source from its first record', () => {
    const cases: [string, string][] = [
      ['{"process_exec":{"process":{}},"node_name":"n","time":"2026-10-20T09:00:00Z"}\n', 'tetragon'],
      ['{"time":"2026-10-20T09:00:00.1Z","rule":"r","priority":"Notice","output":"x","output_fields":{}}\n', 'falco'],
      ['{"kind":"Event","apiVersion":"audit.k8s.io/v1","auditID":"a","stage":"ResponseComplete"}\n', 'kube-audit'],
      ['{"apiVersion":"v1","kind":"List","items":[{"kind":"Pod","metadata":{}}]}', 'inventory'],
      ['{"Records":[{"eventVersion":"1.08","eventSource":"sts.amazonaws.com","eventName":"AssumeRole","eventTime":"x"}]}', 'cloudtrail'],
      ['{\n  "Events": [\n    {"EventId": "x", "CloudTrailEvent": "{}"}\n  ]\n}\n', 'cloudtrail'],
    ];
    for (const [text, source] of cases) {
      const d = detect(text);
      expect(d.ok && d.collector.source, text).toBe(source);
    }
  });

  it('tells lines from a pretty-printed document', () => {
    const d1 = detect('{"process_exec":{"process":{}}}\n{"process_exit":{"process":{}}}\n');
    const d2 = detect('{\n  "process_exec": {\n    "process": {}\n  }\n}\n');
    expect(d1.ok && d1.layout).toBe('lines');
    expect(d2.ok && d2.layout).toBe('document');
  });

  it('looks past broken leading lines', () => {
    const d = detect('{"process_exec": {oops\n{"process_exec":{"process":{}},"time":"2026-10-20T09:00:00Z"}\n');
    expect(d.ok && d.collector.source).toBe('tetragon');
  });

  it('judges a file by a sample of its records, not by its first line', () => {
    const rec = '{"process_exec":{"process":{}},"node_name":"n","time":"2026-10-20T09:00:00Z"}';
    for (const head of ['# exported by tetragon-export\n', 'ess":{"pid":1}},"time":"x"}\n', '42\n', '"text"\n', 'null\n', '[]\n']) {
      const d = detect(`${head}${rec}\n${rec}\n`);
      expect(d.ok && d.collector.source && d.layout, head).toBe('lines');
      expect(d.ok && d.collector.source, head).toBe('tetragon');
    }
    // more than the 1 MiB sniffed of leading blank lines
    const blank = detect(`${'\n'.repeat(1_300_000)}${' \t\r\n'.repeat(1000)}${rec}\n`);
    expect(blank.ok && blank.collector.source).toBe('tetragon');
    const doc = detect(`${'\n'.repeat(1_300_000)}{\n  "process_exec": {"process": {}}, "time": "2026-10-20T09:00:00Z"\n}\n`);
    expect(doc.ok && doc.layout).toBe('document');
    // the source most sampled records match, not the first one's
    const falco = '{"time":"2026-10-20T09:00:00.1Z","rule":"r","priority":"Notice","output":"x","output_fields":{}}';
    const mixed = detect(`${falco}\n${rec}\n${rec}\n${rec}\n`);
    expect(mixed.ok && mixed.collector.source).toBe('tetragon');
  });

  it('detects the integrity evidence of CloudTrail: digests, trail object records, public keys', () => {
    const source = (text: string): string | null => {
      const d = detect(text);
      return d.ok ? d.collector.source : null;
    };
    expect(source('{"digestStartTime":"x","digestS3Object":"y","logFiles":[]}')).toBe('cloudtrail-digest');
    expect(source('{"format":"podtrail.cloudtrail-objects/v1","objects":[]}')).toBe('cloudtrail-objects');
    expect(source('{"PublicKeyList":[{"Value":"AA==","Fingerprint":"00"}]}')).toBe('cloudtrail-public-keys');
  });

  it('refuses unsupported and unknown formats, naming them', () => {
    expect(detect('{"operationName":{"value":"x"},"caller":"a@b"}')).toMatchObject({ ok: false, reason: expect.stringContaining('Azure Activity') });
    expect(detect('AnalysisType: rule\nTests:\n')).toMatchObject({ ok: false, reason: expect.stringContaining('not JSON') });
    expect(detect('')).toMatchObject({ ok: false, reason: expect.stringContaining('empty') });
    expect(detect('{"hello":"world"}\n')).toMatchObject({ ok: false, reason: expect.stringContaining('unknown shape') });
  });

  it('refuses a declared type that the content contradicts', () => {
    const d = detect('{"kind":"Event","apiVersion":"audit.k8s.io/v1","auditID":"a"}\n', 'falco');
    expect(d).toMatchObject({ ok: false, reason: expect.stringMatching(/wrong type: declared --source falco but the content is Kubernetes audit/) });
  });
});

describe('inventory snapshot time from the file name', () => {
  it('accepts the documented patterns', () => {
    expect(snapshotFromFileName('pods-2026-10-20T09-50-00Z.json')).toBe('2026-10-20T09:50:00.000Z');
    expect(snapshotFromFileName('nodes-2026-10-20T09:50:00Z.json')).toBe('2026-10-20T09:50:00.000Z');
    expect(snapshotFromFileName('sa_20261020T095000Z.json.gz')).toBe('2026-10-20T09:50:00.000Z');
    expect(snapshotFromFileName('pods-2026-10-20T09-50-00.250Z.json')).toBe('2026-10-20T09:50:00.250Z');
  });
  it('returns null without a zone or a time', () => {
    expect(snapshotFromFileName('pods.json')).toBeNull();
    expect(snapshotFromFileName('pods-2026-10-20T09-50-00.json')).toBeNull();
    expect(snapshotFromFileName('pods-2026-13-40T09-50-00Z.json')).toBeNull();
  });
});
