import { describe, expect, it } from 'vitest';
import { closeSync, openSync, writeFileSync, writeSync } from 'node:fs';
import path from 'node:path';
import { constants as zc, gunzipSync, gzipSync } from 'node:zlib';
import { makeCase, ingest, query, tempDir } from '../helpers/case.js';
import type { IngestResult } from '../../src/ingest/ingest-case.js';
import type { Row } from '../../src/store/store.js';

/** Bad input, written by the test as Tetragon JSON lines: every record accounted for, nothing else lost. */

function tetragonLine(i: number): string {
  const sec = String(i % 60).padStart(2, '0');
  const min = String(30 + Math.floor(i / 60) % 30).padStart(2, '0');
  return JSON.stringify({
    process_exec: {
      process: {
        exec_id: Buffer.from(`node-a:${4242000 + i}:${1000 + i}`).toString('base64'),
        pid: 1000 + i,
        uid: 0,
        cwd: '/',
        binary: '/usr/bin/curl',
        arguments: `-s https://example.invalid/${i}`,
        flags: 'execve clone',
        start_time: `2024-08-28T21:${min}:${sec}.000000100Z`,
        pod: {
          namespace: 'web',
          name: 'web-7f9c-abcde',
          container: { id: 'containerd://5d1e0f3a2b4c6d8e0f1a3b5c7d9e1f3a5b7c9d1e3f5a7b9c1d3e5f7a9b1c3d5e', name: 'web', image: { id: 'docker.io/library/nginx@sha256:' + 'ab'.repeat(32), name: 'docker.io/library/nginx:1.27' } },
        },
        parent_exec_id: Buffer.from(`node-a:${4241000 + i}:1`).toString('base64'),
      },
    },
    node_name: 'node-a',
    time: `2024-08-28T21:${min}:${sec}.${String(i).padStart(9, '0')}Z`,
  });
}

interface Outcome {
  result: IngestResult;
  rows: Row[];
  rejects: Row[];
  file: Row;
}

/** Ingests one file into a fresh case and returns what landed, what was rejected and the catalog row. */
async function ingestOne(file: string): Promise<Outcome> {
  const { caseDir, cleanup } = makeCase();
  try {
    const result = await ingest(caseDir, [file]);
    const rows = await query(caseDir, `select row_id, line, pid from runtime_events order by row_id`);
    const rejects = await query(caseDir, `select reject_id, line, byte_offset, record_path, reason, message, excerpt from ingest_rejects order by reject_id`);
    const [f] = await query(
      caseDir,
      `select evidence_file_id, status, refusal_reason, records_total, records_landed, records_rejected, records_out_of_window, blank_lines from evidence_files`,
    );
    return { result, rows, rejects, file: f! };
  } finally {
    cleanup();
  }
}

describe('tetragon bad input', () => {
  it('a broken JSON line among good ones: good rows keep their line numbers, the reject names the line', async () => {
    const tmp = tempDir();
    try {
      const file = path.join(tmp.dir, 'broken.json');
      writeFileSync(file, [tetragonLine(1), tetragonLine(2), '{"process_exec":{"process":{"pid":3,"binary":"/bin/s', tetragonLine(4), tetragonLine(5)].join('\n') + '\n');
      const o = await ingestOne(file);
      const efid = o.file['evidence_file_id'] as string;
      expect(o.rows.map((r) => [r['line'], r['pid']])).toEqual([['1', '1001'], ['2', '1002'], ['4', '1004'], ['5', '1005']]);
      expect(o.rows.map((r) => r['row_id'])).toEqual([1, 2, 4, 5].map((n) => `${efid}-0000000${n}`));
      expect(o.rejects).toEqual([
        {
          reject_id: `${efid}-00000003`,
          line: '3',
          byte_offset: null,
          record_path: '',
          reason: 'invalid_json',
          message: expect.any(String),
          excerpt: '{"process_exec":{"process":{"pid":3,"binary":"/bin/s',
        },
      ]);
      expect(o.file).toMatchObject({ status: 'landed', records_total: '5', records_landed: '4', records_rejected: '1' });
    } finally {
      tmp.cleanup();
    }
  });

  it('blank lines between records are counted, not records, and shift no line number', async () => {
    const tmp = tempDir();
    try {
      const file = path.join(tmp.dir, 'blanks.json');
      writeFileSync(file, ['', tetragonLine(1), '', '   ', tetragonLine(2), '\t', '', tetragonLine(3), ''].join('\n') + '\n');
      const o = await ingestOne(file);
      const efid = o.file['evidence_file_id'] as string;
      expect(o.rows.map((r) => [r['row_id'], r['line']])).toEqual([
        [`${efid}-00000001`, '2'],
        [`${efid}-00000002`, '5'],
        [`${efid}-00000003`, '8'],
      ]);
      expect(o.rejects).toEqual([]);
      expect(o.file).toMatchObject({ records_total: '3', records_landed: '3', blank_lines: '6' });
    } finally {
      tmp.cleanup();
    }
  });

  it('invalid UTF-8 bytes in one line: that line is rejected with the bytes shown, the others land', async () => {
    const tmp = tempDir();
    try {
      const file = path.join(tmp.dir, 'latin1.json');
      const bad = Buffer.concat([
        Buffer.from('{"process_exec":{"process":{"pid":2,"binary":"/opt/caf'),
        Buffer.from([0xe9, 0xff]),
        Buffer.from('/run"}},"node_name":"node-a","time":"2024-08-28T21:30:02Z"}'),
      ]);
      writeFileSync(file, Buffer.concat([Buffer.from(tetragonLine(1) + '\n'), bad, Buffer.from('\n' + tetragonLine(3) + '\n')]));
      const o = await ingestOne(file);
      expect(o.rows.map((r) => r['line'])).toEqual(['1', '3']);
      expect(o.rejects).toHaveLength(1);
      expect(o.rejects[0]).toMatchObject({ line: '2', reason: 'invalid_utf8' });
      expect(o.rejects[0]!['excerpt']).toContain('/opt/caf\\xe9\\xff/run');
      expect(o.file).toMatchObject({ records_total: '3', records_landed: '2', records_rejected: '1' });
    } finally {
      tmp.cleanup();
    }
  });

  it('an empty file (or only whitespace) is refused and lands nothing', async () => {
    const tmp = tempDir();
    const { caseDir, cleanup } = makeCase();
    try {
      const empty = path.join(tmp.dir, 'empty.json');
      const blank = path.join(tmp.dir, 'blank.json');
      writeFileSync(empty, '');
      writeFileSync(blank, '\n  \n\n');
      const r = await ingest(caseDir, [empty, blank]);
      for (const f of r.files) {
        expect(f.status).toBe('refused');
        expect(f.message).toMatch(/empty/);
      }
      expect(r.landedRecords).toBe(0);
      const files = await query(caseDir, `select status, records_landed from evidence_files order by origin`);
      expect(files).toEqual([
        { status: 'refused', records_landed: '0' },
        { status: 'refused', records_landed: '0' },
      ]);
      expect(await query(caseDir, `select * from runtime_events`)).toEqual([]);
    } finally {
      cleanup();
      tmp.cleanup();
    }
  });

  it('a gzip file cut in the middle of the JSON lines: complete lines land, the cut line and the stream are reported', async () => {
    const tmp = tempDir();
    try {
      const content = Buffer.from(Array.from({ length: 3000 }, (_, i) => tetragonLine(i + 1) + '\n').join(''));
      const gz = gzipSync(content);
      const cut = gz.subarray(0, Math.floor(gz.length * 0.6));
      const file = path.join(tmp.dir, 'events.json.gz');
      writeFileSync(file, cut);
      // what the cut stream still holds, computed here with zlib: complete lines, then a partial one
      const partial = gunzipSync(cut, { finishFlush: zc.Z_SYNC_FLUSH });
      const complete = partial.toString('utf8').split('\n').length - 1;
      expect(partial[partial.length - 1]).not.toBe(0x0a);
      expect(complete).toBeGreaterThan(100);
      const o = await ingestOne(file);
      const efid = o.file['evidence_file_id'] as string;
      expect(o.result.files[0]!.status).toBe('landed');
      expect(o.rows).toHaveLength(complete);
      expect(o.rows[0]!['line']).toBe('1');
      expect(o.rows[complete - 1]!['line']).toBe(String(complete));
      expect(o.rejects.map((r) => [r['reject_id'], r['line'], r['reason']])).toEqual([
        [`${efid}-${String(complete + 1).padStart(8, '0')}`, String(complete + 1), 'truncated_record'],
        [`${efid}-gzip-1`, null, 'gzip_truncated'],
      ]);
      const gzReject = o.rejects[1]!;
      expect(Number(gzReject['byte_offset'])).toBeGreaterThan(0);
      expect(Number(gzReject['byte_offset'])).toBeLessThanOrEqual(cut.length);
      expect(o.rejects[0]!['excerpt']).toMatch(/^\{"process_exec"/);
      // the gzip problem is listed in ingest_rejects but is not a record
      expect(o.file).toMatchObject({ records_total: String(complete + 1), records_landed: String(complete), records_rejected: '1' });
    } finally {
      tmp.cleanup();
    }
  });

  it('a 50 MB line among good lines: rejected as record_too_large with a short excerpt, the others land', async () => {
    const tmp = tempDir();
    try {
      const file = path.join(tmp.dir, 'huge.json');
      // written piece by piece: the test never holds the line as one string
      const fd = openSync(file, 'w');
      try {
        writeSync(fd, tetragonLine(1) + '\n');
        writeSync(fd, '{"process_exec":{"process":{"pid":2,"arguments":"');
        const mib = Buffer.alloc(1 << 20, 'A');
        for (let i = 0; i < 50; i++) writeSync(fd, mib);
        writeSync(fd, '"}},"node_name":"node-a","time":"2024-08-28T21:30:02Z"}\n');
        writeSync(fd, tetragonLine(3) + '\n');
      } finally {
        closeSync(fd);
      }
      const o = await ingestOne(file);
      expect(o.rows.map((r) => r['line'])).toEqual(['1', '3']);
      expect(o.rejects).toHaveLength(1);
      expect(o.rejects[0]).toMatchObject({ line: '2', reason: 'record_too_large' });
      const excerpt = o.rejects[0]!['excerpt'] as string;
      expect(excerpt.startsWith('{"process_exec":{"process":{"pid":2,"arguments":"AAAA')).toBe(true);
      expect(excerpt.length).toBeLessThanOrEqual(200);
      expect(o.file).toMatchObject({ records_total: '3', records_landed: '2', records_rejected: '1' });
    } finally {
      tmp.cleanup();
    }
  });
});
