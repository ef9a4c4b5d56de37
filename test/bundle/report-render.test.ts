import { describe, expect, it } from 'vitest';
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { renderReport, REPORTS_DIR } from '../../src/render/render.js';
import { mapStrings, mdCode, neutralize } from '../../src/render/escape.js';
import type { ReportModel } from '../../src/bundle/report-model.js';

/** Every field of the report model filled, so a payload reaches every place a template prints. */
function sampleModel(): ReportModel {
  const ev = [{ source: 'runtime', ids: ['rt-1', 'rt-2'], more: 3, has_more: true }];
  return {
    case_id: 'case-1', window_from: '2026-10-20T08:00:00Z', window_to: '2026-10-20T10:30:00Z', window_reason: 'reason', margin_seconds: 900,
    namespaces: ['payments'], all_namespaces: false, tool: 'podtrail/0.0.0', signed: true, keyid: 'k'.repeat(64),
    inputs: [{ evidence_file_id: 'ef1', origin: 'inputs/a.json', source: 'tetragon', status: 'landed', sha256: 'a'.repeat(64), size_bytes: 1234567, acquired_at: '2026-10-20T12:00:00Z', operator: 'op' }],
    input_totals: { files: 1, landed: 1, refused: 0, records_landed: 10, bytes: 1234567 },
    sources: [{ source: 'tetragon', files: 1, records_landed: 10 }],
    attribution_totals: [{ confidence: 'proven', path: 'irsa', calls: 3 }],
    attribution_reasons: [{ confidence: 'unattributed', reason: 'why', calls: 1 }],
    kube_totals: [{ confidence: 'off-pod', requests: 1 }],
    findings: [{
      n: 1, pod_uid: 'uid-1', namespace: 'payments', name: 'pod-1', node: 'node-1', service_account: 'sa-1', owner: 'ReplicaSet rs',
      image_digests: ['sha256:d1'], container_ids: ['c1'], lifecycle_ids: ['inv-1'], valid_from: 't0', valid_to: 't1',
      signals: [{ signal: 'human-entry', ts: 't', ids: ['au-1'] }],
      binding_path: 'irsa', role_arn: 'arn:role', binding_ids: ['inv-2'], binding_cloud_ids: ['ev-0'],
      human_actions: [{ ts: 't', user: 'alice', groups: 'g1, g2', action: 'exec', command: '/bin/sh', container: 'c', source_ip: '198.51.100.1', response_code: '101', row_id: 'au-1', runtime_exec_ids: ['rt-1'], runtime_exec_more: 2, has_runtime_execs: true, first_runtime_exec_at: 't', before_activity: true }],
      has_human_actions: true, span_from: 's0', span_to: 's1',
      sessions: [{ access_key_id: 'ASIA1', principal_arn: 'arn:p', session_name: 'sess', role_arn: 'arn:role', subject: 'service-account payments:sa-1', issued_at: 't', issuing_event_id: 'ev-0', issuing_event_name: 'AssumeRoleWithWebIdentity', has_issuing_event: true,
        calls: [{ ts: 't', action: 'secretsmanager:GetSecretValue', outcome: 'ok', confidence: 'proven', rule: 'irsa-source-ip v1', event_id: 'ev-1', evidence: ev }] }],
      has_sessions: true, calls_in_span: 1, calls_total: 2,
      kube_requests: [{ ts: 't', request: 'list secrets payments', source_ip: '203.0.113.77', off_pod: true, confidence: 'off-pod', row_id: 'au-2', token_issued_row_id: 'au-0' }],
      has_kube_requests: true,
      orphan_calls: [{ ts: 't', action: 'sts:AssumeRoleWithWebIdentity', source_ip: '203.0.113.77', confidence: 'unattributed', reason: 'outside', event_id: 'ev-9' }],
      has_orphan_calls: true,
      timeline: [{ ts: 't', source: 'tetragon', what: 'exec /bin/sh', ids: ['rt-1'], gap: false }, { ts: 't', source: 'gap', what: 'audit-silence', ids: ['f-1'], gap: true }],
      timeline_omitted: 4, has_timeline_omitted: true,
    }],
    has_findings: true,
    gaps: [{ check_id: 'continuity', kind: 'audit-silence', finding_id: 'f-1', message: 'no audit', interval: 'a .. b', where: 'kube-audit', weakens: 2 }],
    has_gaps: true, findings_total: 3, custody_entries: 7, custody_head: 'h'.repeat(64), timeline_events: 99,
  };
}

const PAYLOAD = '<script>alert(1)</script><img src=x onerror=alert(2)>"\'`|[x](javascript:alert(3)) {{csp_style_hash}} {{{raw}}} {{#each findings}}' +
  '\u0000\u0007\u001b[31m\r\n\t\u202eevil\u2066\u2028\u200b\ud800 **bold** $x$ &amp; ``` <!-- c --> </td></tr></table>';

const ALLOWED_TAGS = new Set(['!DOCTYPE', 'html', 'head', 'meta', 'title', 'style', 'body', 'h1', 'h2', 'h3', 'p', 'ul', 'li', 'code', 'table', 'tr', 'th', 'td', 'div', 'strong']);
const ALLOWED_ATTRS = new Set(['lang', 'charset', 'http-equiv', 'content', 'name', 'class']);
const INVISIBLE = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069\u2028\u2029\u200b]|[\ud800-\udfff]/;

/** Removes CommonMark code spans (a backtick run up to the next run of the same length). */
function stripCodeSpans(md: string): string {
  let out = '';
  let i = 0;
  while (i < md.length) {
    if (md[i] !== '`') {
      out += md[i++];
      continue;
    }
    let n = 0;
    while (md[i + n] === '`') n++;
    const fence = '`'.repeat(n);
    let j = i + n;
    let close = -1;
    while (j < md.length) {
      const k = md.indexOf(fence, j);
      if (k === -1) break;
      let m = 0;
      while (md[k + m] === '`') m++;
      if (m === n) {
        close = k;
        break;
      }
      j = k + m;
    }
    if (close === -1) {
      out += fence;
      i += n;
    } else i = close + n;
  }
  return out;
}

describe('report rendering', () => {
  it('renders both formats from the full model (strict templates find every field)', () => {
    const r = renderReport(sampleModel());
    expect(r.markdown).toContain('# Evidence report: case `case-1`');
    expect(r.html).toContain('<code>uid-1</code>');
    expect(r.markdown.endsWith('\n') && r.html.endsWith('</html>\n')).toBe(true);
  });

  it('fails loudly when a field is missing (strict compilation)', () => {
    const m = sampleModel() as unknown as Record<string, unknown>;
    delete m['custody_head'];
    expect(() => renderReport(m)).toThrow(/custody_head/);
  });

  it('no template prints unescaped output', () => {
    for (const f of readdirSync(REPORTS_DIR).filter((x) => x.endsWith('.hbs'))) {
      const src = readFileSync(path.join(REPORTS_DIR, f), 'utf8');
      expect(src, f).not.toMatch(/\{\{\{|\{\{&/);
    }
  });

  it('keeps the HTML inert whatever every evidence field holds', () => {
    const hostile = mapStrings(sampleModel(), (s) => `${PAYLOAD}${s}`);
    const { html } = renderReport(hostile);
    // only our own tags and attributes
    for (const m of html.matchAll(/<\/?([!A-Za-z0-9-]+)([^>]*)>/g)) {
      expect(ALLOWED_TAGS.has(m[1]!), `tag ${m[0]}`).toBe(true);
      const attrs = m[2]!.replace(/"[^"]*"/g, '""');
      for (const a of attrs.matchAll(/([A-Za-z-]+)=/g)) expect(ALLOWED_ATTRS.has(a[1]!), `attribute in ${m[0]}`).toBe(true);
      expect(attrs, m[0]).toMatch(/^(\s+[A-Za-z-]+="")*\s*$|^ html$/);
    }
    expect(html).not.toMatch(/<script|<img|onerror=|<!-- c/i);
    expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(html).not.toMatch(INVISIBLE);
    // template syntax in evidence stays text, never a template
    expect(html).toContain('{{csp_style_hash}} {{{raw}}} {{#each findings}}');
    // a strict CSP, whose one style hash matches the one style block
    const style = /<style>([\s\S]*?)<\/style>/.exec(html)![1]!;
    const hash = createHash('sha256').update(style).digest('base64');
    expect(html).toContain(`content="default-src 'none'; style-src 'sha256-${hash}'; img-src 'none'; script-src 'none'; base-uri 'none'; form-action 'none'"`);
    expect(html.split(hash).length - 1).toBe(1);
  });

  it('keeps the Markdown inert: every evidence value a code span on its line', () => {
    const plain = renderReport(sampleModel()).markdown;
    const hostile = renderReport(mapStrings(sampleModel(), (s) => `${PAYLOAD}${s}`)).markdown;
    expect(hostile.split('\n').length).toBe(plain.split('\n').length);
    const prose = stripCodeSpans(hostile);
    expect(prose).not.toMatch(/<|\[x\]|javascript:|\*\*bold|\{\{|\$x\$/);
    expect(hostile).not.toMatch(INVISIBLE);
    // table rows keep their columns: the payload's pipe is escaped
    const rows = hostile.split('\n').filter((l) => l.startsWith('| `'));
    for (const row of rows) expect(stripCodeSpans(row).replace(/\\\|/g, '')).not.toMatch(/[^|]\|[^ ]/);
  });

  it('code spans survive backticks, edges and pipes', () => {
    expect(mdCode('a`b')).toBe('``a`b``');
    expect(mdCode('`x`')).toBe('`` `x` ``');
    expect(mdCode('a|b')).toBe('`a\\|b`');
    expect(mdCode('line\nbreak')).toBe('`line\\u000abreak`');
    expect(mdCode('')).toBe('');
    expect(neutralize('a\u202eb\tc', true)).toBe('a\\u202eb\tc');
    expect(neutralize('a\tb', false)).toBe('a\\u0009b');
  });
});
