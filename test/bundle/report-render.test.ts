import { describe, expect, it } from 'vitest';
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { renderReport, REPORTS_DIR } from '../../src/render/render.js';
import { mdCode, neutralize } from '../../src/render/escape.js';
import { expectInertHtml } from '../helpers/inert-html.js';
import type { ReportModel } from '../../src/report/model.js';

/** Every field of the report model filled, so a payload reaches every place a template prints. */
function sampleModel(): ReportModel {
  const ev = [{ source: 'runtime', ids: ['rt-1', 'rt-2'], more: 3, has_more: true }];
  const call = { ts: 't', action: 'secretsmanager:GetSecretValue', target: 'prod/db', outcome: 'ok', confidence: 'proven', as_candidate: false, candidates: 1, rule: 'irsa-source-ip v1', event_id: 'ev-1', evidence: ev };
  const box = (c: string) => ({ x: 1, y: 2, width: 100, height: 50, lines: [{ x: 7, y: 17, text: 'line' }], title: 'box title', box_class: c });
  const pod = {
    pod_uid: 'uid-1', namespace: 'payments', name: 'pod-1', node: 'node-1', service_account: 'sa-1', owner: 'ReplicaSet rs',
    image_digests: ['sha256:d1'], container_ids: ['c1'], lifecycle_ids: ['inv-1'], valid_from: 't0', valid_to: 't1',
    binding_path: 'irsa', paths: ['irsa'], role_arn: 'arn:role', binding_ids: ['inv-2'], binding_cloud_ids: ['ev-0'],
  };
  const actor = { actor_kind: 'pod' as const, actor_id: 'uid-1', label: 'payments/pod-1', is_pod: true, is_node: false, is_outside: false };
  const outside = { actor_kind: 'outside' as const, actor_id: '203.0.113.77', label: '203.0.113.77', is_pod: false, is_node: false, is_outside: true };
  const section = {
    rank: 1, severity: 'credential', named: true,
    signals: [{ ts: 't', signal: 'human-entry', tier: 3, detail: 'alice exec /bin/sh', confidence: 'proven', as_candidate: true, routine: false, ref_source: 'audit', ref: 'au-1' }],
    signals_omitted: 2, span_from: 's0', span_to: 's1',
    human_actions: [{ ts: 't', user: 'alice', groups: 'g1, g2', action: 'exec', command: '/bin/sh', container: 'c', source_ip: '198.51.100.1', response_code: '101', row_id: 'au-1', runtime_exec_ids: ['rt-1'], runtime_exec_more: 2, has_runtime_execs: true, first_runtime_exec_at: 't', before_activity: true }],
    has_human_actions: true,
    sessions: [{ access_key_id: 'ASIA1', principal_arn: 'arn:p', session_name: 'sess', role_arn: 'arn:role', subject: 'service-account payments:sa-1', issued_at: 't', issuing_event_id: 'ev-0', issuing_event_name: 'AssumeRoleWithWebIdentity', has_issuing_event: true, calls: [call, { ...call, as_candidate: true, candidates: 3, confidence: 'ambiguous' }] }],
    has_sessions: true, calls_in_span: 1, calls_total: 2,
    kube_requests: [{ ts: 't', request: 'list secrets payments', source_ip: '203.0.113.77', off_pod: true, confidence: 'off-pod', row_id: 'au-2', token_issued_row_id: 'au-0' }],
    has_kube_requests: true,
    outside_uses: [{ ts: 't', source_ip: '203.0.113.77', action: 'sts:AssumeRoleWithWebIdentity', target: 'arn:role', credential: 'web identity token', owned_by: 'service-account', as_candidate: true, pod_gone: 'yes', event_id: 'ev-9' }],
    has_outside_uses: true,
    calls: [call], has_calls: true,
    weakening_gaps: ['f-1'],
    timeline: [
      { day: '2026-10-20', new_day: true, time: '09:00:00.000', source: 'tetragon', what: 'exec /bin/sh', count: 4, collapsed: true, until: '09:01:00.000', ids: ['rt-1'], ids_more: 3, gap: false },
      { day: '2026-10-20', new_day: false, time: '09:02:00.000', source: 'gap', what: 'audit-silence', count: 1, collapsed: false, until: '10:00:00.000', ids: ['f-1'], ids_more: 0, gap: true },
    ],
    has_timeline: true, timeline_omitted: 4,
  };
  const mark = (c: string, isCall: boolean) => ({ x: 300, y: 40, left: 298.5, top: 33, mark_class: c, is_call: isCall, title: 'mark title' });
  return {
    case_id: 'case-1', window_from: '2026-10-20T08:00:00Z', window_to: '2026-10-20T10:30:00Z', window_reason: 'reason', margin_seconds: 900,
    namespaces: ['payments'], all_namespaces: false, tool: 'podtrail/0.0.0', signed: true, keyid: 'k'.repeat(64),
    inputs: [{ evidence_file_id: 'ef1', origin: 'inputs/a.json', source: 'tetragon', status: 'landed', sha256: 'a'.repeat(64), size_bytes: 1234567, acquired_at: '2026-10-20T12:00:00Z', operator: 'op' }],
    input_totals: { files: 1, landed: 1, refused: 0, records_landed: 10, bytes: 1234567 },
    sources: [{ source: 'tetragon', files: 1, records_landed: 10 }],
    attribution_totals: [{ confidence: 'proven', path: 'irsa', calls: 3 }],
    attribution_reasons: [{ confidence: 'unattributed', reason: 'why', calls: 1 }],
    kube_totals: [{ confidence: 'off-pod', requests: 1 }],
    answer: [
      { ...actor, rank: 1, tier: 1, severity: 'credential', sev_class: 'sev-credential', named: true, headline: 'entered by a person', why: ['UID uid-1', 'entered by a person: alice exec /bin/sh'], first_at: 't0', last_at: 't1', refs: ['au-1'], refs_more: 2, detailed: true },
      { ...outside, rank: 2, tier: 1, severity: 'credential', sev_class: 'sev-credential', named: false, headline: 'pod token used', why: ['pod token used'], first_at: 't0', last_at: 't1', refs: ['au-2'], refs_more: 0, detailed: false },
    ],
    has_answer: true, answer_total: 3, answer_omitted: 1,
    findings: [{ ...actor, ...section, pod }, { ...outside, ...section, pod: null }],
    routine: [{ ...actor, workload: 'payments/sa-1', signals: 3, kinds: ['secret-read'], first_at: 't0', last_at: 't1' }],
    has_routine: true,
    svg: {
      present: true, width: 1000, height: 200, plot_x0: 262, plot_x1: 988, axis_from: '2026-10-20T09:00:00Z', axis_to: '2026-10-20T10:00:00Z',
      ticks: [{ x: 262, label: '09:00' }],
      lanes: [
        { y: 28, height: 24, mid: 40, kind: 'pod', label: 'pod-1', label_y: 36, title: 'pod payments/pod-1', lane_class: 'lane-pod', offset_note: 'clock +40.0 s', has_offset: true, marks: [mark('mark-proven', true), mark('sig-human-entry', false)], marks_omitted: 0 },
        { y: 52, height: 24, mid: 64, kind: 'outside', label: '203.0.113.77', label_y: 64, title: 'address', lane_class: 'lane-outside', offset_note: '', has_offset: false, marks: [mark('mark-unattributed', true)], marks_omitted: 0 },
      ],
      gap_lanes: [{ y: 82, height: 16, mid: 90, label: 'gaps kube-audit', title: 'declared gaps of kube-audit' }],
      gaps: [{ x: 300, y: 84, width: 50, height: 12, title: 'gap audit-silence', from: 't0', to: 't1', finding_id: 'f-1' }],
      shades: [{ x: 300, y: 28, width: 50, height: 48 }],
      lanes_omitted: 1,
    },
    attack_paths: [{ rank: 1, label: 'payments/pod-1', height: 58, boxes: [box('box-pod'), box('box-node'), box('box-session'), box('box-outside')], links: [{ x1: 1, y1: 2, x2: 3, y2: 4 }], text: ['pod -> node -> key -> calls'] }],
    has_attack_paths: true,
    gaps: [{ check_id: 'continuity', kind: 'audit-silence', finding_id: 'f-1', message: 'no audit', interval: 'a .. b', where: 'kube-audit', weakens: 2 }],
    has_gaps: true, gap_findings_total: 3, custody_entries: 7, custody_head: 'h'.repeat(64), timeline_events: 99,
  };
}

const PAYLOAD = '<script>alert(1)</script><img src=x onerror=alert(2)>"\'`|[x](javascript:alert(3)) {{csp_style_hash}} {{{raw}}} {{#each findings}}' +
  '\u0000\u0007\u001b[31m\r\n\t\u202eevil\u2066\u2028\u200b\ud800 **bold** $x$ &amp; ``` <!-- c --> </td></tr></table>';

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

/** Every evidence string of the model prefixed with the payload (class names are ours: left alone). */
function poisoned(m: ReportModel): ReportModel {
  const walk = (v: unknown, key = ''): unknown => {
    if (typeof v === 'string') return key.endsWith('_class') ? v : `${PAYLOAD}${v}`;
    if (Array.isArray(v)) return v.map((x) => walk(x, key));
    if (v !== null && typeof v === 'object') return Object.fromEntries(Object.entries(v as Record<string, unknown>).map(([k, x]) => [k, walk(x, k)]));
    return v;
  };
  return walk(m) as ReportModel;
}

describe('report rendering', () => {
  it('renders both formats from the full model (strict templates find every field)', () => {
    const r = renderReport(sampleModel());
    expect(r.markdown).toContain('# Evidence report: case `case-1`');
    expect(r.html).toContain('<code>uid-1</code>');
    expect(r.markdown.endsWith('\n') && r.html.endsWith('</html>\n')).toBe(true);
  });

  it('says for each outside use of a credential whether its pod was already gone', () => {
    const r = renderReport(sampleModel());
    expect(r.markdown).toContain('| time | from | call | target | credential | whose | pod gone | event |');
    expect(r.markdown).toMatch(/\| `203\.0\.113\.77` \|.*\| `?yes`? \| `ev-9` \|/);
    expect(r.html).toContain('<th>pod gone</th>');
    expect(r.html).toMatch(/<td>yes<\/td><td><code>ev-9<\/code><\/td>/);
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
    const hostile = poisoned(sampleModel());
    const { html } = renderReport(hostile);
    expectInertHtml(html);
    expect(html).not.toMatch(/<!-- c/i);
    expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(html).not.toMatch(INVISIBLE);
    // template syntax in evidence stays text, never a template
    expect(html).toContain('{{csp_style_hash}} {{{raw}}} {{#each findings}}');
    // a strict CSP, whose one style hash matches the one style block
    const style = /<style>([\s\S]*?)<\/style>/.exec(html)![1]!;
    const hash = createHash('sha256').update(style).digest('base64');
    expect(html).toContain(`content="default-src 'none'; style-src 'sha256-${hash}'; img-src 'none'; script-src 'none'; base-uri 'none'; form-action 'none'"`);
    expect(html.split(hash).length - 1).toBe(1);
    // the payload reaches the SVG too, as text only
    expect(html).toMatch(/<title>[^<]*&lt;script&gt;alert\(1\)/);
  });

  it('puts no model string in an attribute but allowed classes: a class from evidence fails the render', () => {
    const m = sampleModel();
    m.svg.lanes[0]!.marks[0]!.mark_class = 'mark-proven" onmouseover="alert(1)';
    expect(() => renderReport(m)).toThrow(/is not a report class/);
  });

  it('keeps the Markdown inert: every evidence value a code span on its line', () => {
    const plain = renderReport(sampleModel()).markdown;
    const hostile = renderReport(poisoned(sampleModel())).markdown;
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
