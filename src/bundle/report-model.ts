import type { Store, Row } from '../store/store.js';
import type { CaseConfig } from '../case/case-config.js';
import { reportedOrigin, type EvidenceFileRow } from '../ingest/evidence-row.js';
import type { Finding as GapFinding, SignatureStatus } from './validation.js';
import { isoSql } from '../store/export-sql.js';

/**
 * The report's data: every value a display string (or number, boolean, list), every list sorted
 * here or in SQL. The renderer escapes every string; templates never compare strings.
 */
export interface ReportModel {
  case_id: string;
  window_from: string;
  window_to: string;
  window_reason: string;
  margin_seconds: number;
  namespaces: string[];
  all_namespaces: boolean;
  tool: string;
  signed: boolean;
  keyid: string;
  inputs: InputLine[];
  input_totals: { files: number; landed: number; refused: number; records_landed: number; bytes: number };
  sources: { source: string; files: number; records_landed: number }[];
  attribution_totals: { confidence: string; path: string; calls: number }[];
  attribution_reasons: { confidence: string; reason: string; calls: number }[];
  kube_totals: { confidence: string; requests: number }[];
  findings: PodFinding[];
  has_findings: boolean;
  gaps: GapLine[];
  has_gaps: boolean;
  findings_total: number;
  custody_entries: number;
  custody_head: string;
  timeline_events: number;
}

export interface InputLine {
  evidence_file_id: string;
  origin: string;
  source: string;
  status: string;
  sha256: string;
  size_bytes: number;
  acquired_at: string;
  operator: string;
}

export interface GapLine {
  check_id: string;
  kind: string;
  finding_id: string;
  message: string;
  interval: string;
  where: string;
  weakens: number;
}

export interface Evidence {
  source: string;
  ids: string[];
  more: number;
  has_more: boolean;
}

export interface CallLine {
  ts: string;
  action: string;
  outcome: string;
  confidence: string;
  rule: string;
  event_id: string;
  evidence: Evidence[];
}

export interface SessionBlock {
  access_key_id: string;
  principal_arn: string;
  session_name: string;
  role_arn: string;
  subject: string;
  issued_at: string;
  issuing_event_id: string;
  issuing_event_name: string;
  has_issuing_event: boolean;
  calls: CallLine[];
}

export interface HumanAction {
  ts: string;
  user: string;
  groups: string;
  action: string;
  command: string;
  container: string;
  source_ip: string;
  response_code: string;
  row_id: string;
  runtime_exec_ids: string[];
  runtime_exec_more: number;
  has_runtime_execs: boolean;
  first_runtime_exec_at: string;
  before_activity: boolean;
}

export interface KubeRequest {
  ts: string;
  request: string;
  source_ip: string;
  off_pod: boolean;
  confidence: string;
  row_id: string;
  token_issued_row_id: string;
}

export interface OrphanCall {
  ts: string;
  action: string;
  source_ip: string;
  confidence: string;
  reason: string;
  event_id: string;
}

export interface TimelineLine {
  ts: string;
  source: string;
  what: string;
  ids: string[];
  gap: boolean;
}

export interface PodFinding {
  n: number;
  pod_uid: string;
  namespace: string;
  name: string;
  node: string;
  service_account: string;
  owner: string;
  image_digests: string[];
  container_ids: string[];
  lifecycle_ids: string[];
  valid_from: string;
  valid_to: string;
  signals: { signal: string; ts: string; ids: string[] }[];
  binding_path: string;
  role_arn: string;
  binding_ids: string[];
  binding_cloud_ids: string[];
  human_actions: HumanAction[];
  has_human_actions: boolean;
  span_from: string;
  span_to: string;
  sessions: SessionBlock[];
  has_sessions: boolean;
  calls_in_span: number;
  calls_total: number;
  kube_requests: KubeRequest[];
  has_kube_requests: boolean;
  orphan_calls: OrphanCall[];
  has_orphan_calls: boolean;
  timeline: TimelineLine[];
  timeline_omitted: number;
  has_timeline_omitted: boolean;
}

/** How far around a pod's signals its incident span reaches (before the first, after the last). */
export const SPAN_BEFORE_SECONDS = 5 * 60;
export const SPAN_AFTER_SECONDS = 15 * 60;
/** Caps that keep the report readable at any scale; joins.jsonl and timeline.jsonl hold everything. */
export const MAX_FINDINGS = 10;
export const MAX_TIMELINE = 400;
export const MAX_IDS = 8;
export const MAX_CALLS = 200;

const s = (v: unknown): string => (v === null || v === undefined ? '' : String(v));
const n = (v: unknown): number => (typeof v === 'number' ? v : Number(v ?? 0));

/** A display time: ISO-8601 UTC, fraction trimmed of trailing zeros ("…:07Z", "…:07.000721Z"). */
export function displayTs(iso: unknown): string {
  const t = s(iso);
  const m = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})(?:\.(\d+))?Z$/.exec(t);
  if (!m) return t;
  const frac = (m[2] ?? '').replace(/0+$/, '');
  return frac ? `${m[1]}.${frac}Z` : `${m[1]}Z`;
}

function capIds(ids: readonly string[], max = MAX_IDS): { ids: string[]; more: number } {
  return { ids: ids.slice(0, max), more: Math.max(0, ids.length - max) };
}

const SIGNALS_SQL = `
with
human as (
    select pod_uid, ts, 'human-entry' as signal, row_id as ref
    from pod_human_actions
    where pod_uid is not null and action in ('exec', 'attach', 'portforward', 'ephemeralcontainers')
),
off_pod as (
    select pod_uid, ts, 'token-used-off-pod' as signal, row_id as ref
    from kube_attributions
    where confidence = 'off-pod' and pod_uid is not null
),
denied as (
    select a.pod_uid, a.ts, 'denied-cloud-call' as signal, a.event_id as ref
    from attributions as a
    inner join cloud_events as c on c.event_id = a.event_id
    where a.confidence in ('proven', 'strong') and a.pod_uid is not null
        and regexp_matches(coalesce(c.error_code, ''), '(?i)denied|unauthorized|forbidden')
),
signals as (
    select * from human union all select * from off_pod union all select * from denied
),
final as (
    select
        pod_uid,
        count(distinct signal)::INTEGER as kinds,
        min(ts) as first_at,
        max(ts) as last_at
    from signals
    group by pod_uid
)
select pod_uid, kinds, ${isoSql('first_at')} as first_at, ${isoSql('last_at')} as last_at,
    ${isoSql(`first_at - to_seconds(${SPAN_BEFORE_SECONDS})`)} as span_from,
    ${isoSql(`last_at + to_seconds(${SPAN_AFTER_SECONDS})`)} as span_to
from final
order by kinds desc, first_at, pod_uid
limit ${MAX_FINDINGS}
`;

const POD_SIGNALS_SQL = `
select signal, ${isoSql('ts')} as ts, list(ref order by ref) as ids
from (
    select 'human-entry' as signal, ts, row_id as ref from pod_human_actions
    where pod_uid = $uid and action in ('exec', 'attach', 'portforward', 'ephemeralcontainers')
    union all
    select 'token-used-off-pod', ts, row_id from kube_attributions where confidence = 'off-pod' and pod_uid = $uid
    union all
    select 'denied-cloud-call', a.ts, a.event_id
    from attributions as a inner join cloud_events as c on c.event_id = a.event_id
    where a.pod_uid = $uid and a.confidence in ('proven', 'strong')
        and regexp_matches(coalesce(c.error_code, ''), '(?i)denied|unauthorized|forbidden')
)
group by signal, ts
order by ts, signal
`;

const LIFECYCLE_SQL = `
select pod_uid, interval_no, namespace, name, node_name, service_account, owner_kind, owner_name,
    image_digests, container_ids, from_row_id, to_row_id,
    ${isoSql('valid_from')} as valid_from, ${isoSql('valid_to')} as valid_to
from pod_lifecycle
where pod_uid = $uid
order by interval_no
`;

const BINDING_SQL = `
select
    a.path,
    count(*)::INTEGER as calls
from attributions as a
where a.pod_uid = $uid and a.confidence in ('proven', 'strong') and a.path <> 'aws-service'
group by a.path
order by calls desc, a.path
`;

const SA_SQL = `
select arg_max(irsa_role_arn, snapshot_at) as irsa_role_arn, list(row_id order by row_id) as row_ids
from k8s_service_accounts
where namespace = $ns and name = $sa
`;

const HUMAN_SQL = `
select ${isoSql('ts')} as ts, user_name, user_groups, action, command, container, source_ip, response_code,
    row_id, runtime_exec_row_ids, ${isoSql('first_runtime_exec_at')} as first_runtime_exec_at
from pod_human_actions
where pod_uid = $uid
order by ts, audit_id
`;

const CALLS_SQL = `
select
    ${isoSql('a.ts')} as ts,
    a.event_id, a.event_source, a.event_name, a.confidence, a.rule_id, a.rule_version::INTEGER as rule_version,
    a.access_key_id, a.principal_arn, a.session_name, a.evidence::VARCHAR as evidence,
    c.error_code, c.issued_access_key_id
from attributions as a
inner join cloud_events as c on c.event_id = a.event_id
where a.pod_uid = $uid and a.confidence in ('proven', 'strong')
    and a.ts between $span_from::TIMESTAMP and $span_to::TIMESTAMP
order by a.ts, a.event_id
limit ${MAX_CALLS}
`;

const CALL_COUNTS_SQL = `
select
    count(*)::INTEGER as total,
    count(*) filter (where ts between $span_from::TIMESTAMP and $span_to::TIMESTAMP)::INTEGER as in_span
from attributions
where pod_uid = $uid and confidence in ('proven', 'strong')
`;

const SESSIONS_SQL = `
select access_key_id, issuing_event_id, issuing_event_name, ${isoSql('issued_at')} as issued_at, role_arn,
    session_arn, session_name, subject_type, subject, principal_arn
from credential_sessions
where list_contains($keys, access_key_id)
order by access_key_id
`;

const KUBE_SQL = `
select ${isoSql('ts')} as ts, verb, resource, subresource, namespace, name, source_ip, off_pod, confidence,
    row_id, token_issued_row_id
from kube_attributions
where pod_uid = $uid and (off_pod or ts between $span_from::TIMESTAMP and $span_to::TIMESTAMP)
order by ts, audit_id
limit ${MAX_CALLS}
`;

const ORPHANS_SQL = `
select ${isoSql('ts')} as ts, event_id, event_source, event_name, source_ip, confidence, reason
from attributions
where service_account = $sa and confidence in ('ambiguous', 'unattributed')
    and (pod_namespace = $ns or pod_namespace is null)
    and ts between $span_from::TIMESTAMP and $span_to::TIMESTAMP
order by ts, event_id
limit ${MAX_CALLS}
`;

const RUNTIME_SQL = `
with
pod as (
    select list_distinct(flatten(list(container_ids))) as cids from pod_lifecycle where pod_uid = $uid
),
offsets as (
    select node_name, coalesce(offset_seconds, 0) as offset_seconds from node_clock_offsets
),
events as (
    select r.row_id, r.source, r.kind, r."binary", r.arguments, r.dst_ip, r.dst_port,
        pt_add_seconds(r.ts, -coalesce(o.offset_seconds, 0)) as ts_ref
    from runtime_events as r
    left join offsets as o on o.node_name = r.node_name
    cross join pod
    where (r.pod_uid = $uid or (r.pod_uid is null and list_contains(pod.cids, r.container_id)))
        and r.kind in ('exec', 'connect')
)
select strftime(ts_ref, '%Y-%m-%dT%H:%M:%S') || '.' || lpad((((epoch_ns(ts_ref) % 1000000000) + 1000000000) % 1000000000)::VARCHAR, 9, '0') || 'Z' as ts,
    source, kind, "binary", arguments, dst_ip, dst_port, row_id, (count(*) over ())::INTEGER as total
from events
where ts_ref between $span_from::TIMESTAMP_NS and $span_to::TIMESTAMP_NS
order by ts_ref, source, row_id
limit ${MAX_TIMELINE + 1}
`;

function evidenceOf(json: unknown): Evidence[] {
  const e = (typeof json === 'string' ? JSON.parse(json) : json ?? {}) as Record<string, unknown>;
  const out: Evidence[] = [];
  for (const source of Object.keys(e).sort()) {
    const list = Array.isArray(e[source]) ? (e[source] as unknown[]).map(s) : [];
    if (list.length === 0) continue;
    const c = capIds(list);
    out.push({ source, ids: c.ids, more: c.more, has_more: c.more > 0 });
  }
  return out;
}

function requestText(r: Row): string {
  const res = [s(r['resource']), s(r['subresource'])].filter(Boolean).join('/');
  const obj = [s(r['namespace']), s(r['name'])].filter(Boolean).join('/');
  return `${s(r['verb'])} ${res}${obj ? ` ${obj}` : ''}`;
}

function overlaps(g: GapFinding, from: string, to: string): boolean {
  if (!g.interval_from || !g.interval_to) return false;
  return g.interval_from <= to && g.interval_to >= from;
}

/** Builds one pod's section: identity, entry, sessions and calls, token use, timeline with gaps. */
async function podFinding(store: Store, sig: Row, index: number, gaps: readonly GapFinding[]): Promise<PodFinding> {
  const uid = s(sig['pod_uid']);
  const span = { span_from: s(sig['span_from']), span_to: s(sig['span_to']) };
  const lifecycle = await store.rows(LIFECYCLE_SQL, { uid });
  const first = lifecycle[0] ?? {};
  const last = lifecycle[lifecycle.length - 1] ?? {};
  const ns = s(first['namespace']);
  const sa = s(first['service_account']);
  const digests = [...new Set(lifecycle.flatMap((l) => (Array.isArray(l['image_digests']) ? (l['image_digests'] as unknown[]).map(s) : [])))].sort();
  const cids = [...new Set(lifecycle.flatMap((l) => (Array.isArray(l['container_ids']) ? (l['container_ids'] as unknown[]).map(s) : [])))].sort();
  const lifecycleIds = [...new Set(lifecycle.flatMap((l) => [s(l['from_row_id']), s(l['to_row_id'])]).filter(Boolean))].sort();

  const signals = (await store.rows(POD_SIGNALS_SQL, { uid })).map((r) => ({
    signal: s(r['signal']),
    ts: displayTs(r['ts']),
    ids: (r['ids'] as unknown[]).map(s),
  }));
  const paths = await store.rows(BINDING_SQL, { uid });
  const saRow = (await store.rows(SA_SQL, { ns, sa }))[0] ?? {};

  const calls = await store.rows(CALLS_SQL, { uid, ...span });
  const firstCallAt = calls.length > 0 ? s(calls[0]!['ts']) : s(sig['last_at']);
  const humanRows = await store.rows(HUMAN_SQL, { uid });
  const human = humanRows.map((r): HumanAction => {
    const execs = Array.isArray(r['runtime_exec_row_ids']) ? (r['runtime_exec_row_ids'] as unknown[]).map(s) : [];
    const c = capIds(execs);
    return {
      ts: displayTs(r['ts']),
      user: s(r['user_name']),
      groups: Array.isArray(r['user_groups']) ? (r['user_groups'] as unknown[]).map(s).join(', ') : '',
      action: s(r['action']),
      command: s(r['command']),
      container: s(r['container']),
      source_ip: s(r['source_ip']),
      response_code: s(r['response_code']),
      row_id: s(r['row_id']),
      runtime_exec_ids: c.ids,
      runtime_exec_more: c.more,
      has_runtime_execs: execs.length > 0,
      first_runtime_exec_at: displayTs(r['first_runtime_exec_at']),
      before_activity: s(r['ts']) <= firstCallAt,
    };
  });

  const counts = (await store.rows(CALL_COUNTS_SQL, { uid, ...span }))[0] ?? {};
  const keys = [...new Set(calls.flatMap((c) => [s(c['access_key_id']), s(c['issued_access_key_id'])]).filter(Boolean))].sort();
  const sessionRows = await store.rows(SESSIONS_SQL, { keys });
  const issuedBy = new Map(sessionRows.filter((r) => r['issuing_event_id']).map((r) => [s(r['issuing_event_id']), s(r['access_key_id'])]));
  const blocks = new Map<string, SessionBlock>();
  const block = (key: string): SessionBlock => {
    let b = blocks.get(key);
    if (!b) {
      const r = sessionRows.find((x) => s(x['access_key_id']) === key) ?? {};
      b = {
        access_key_id: key,
        principal_arn: s(r['principal_arn'] ?? r['session_arn']),
        session_name: s(r['session_name']),
        role_arn: s(r['role_arn']),
        subject: [s(r['subject_type']), s(r['subject'])].filter(Boolean).join(' '),
        issued_at: displayTs(r['issued_at']),
        issuing_event_id: s(r['issuing_event_id']),
        issuing_event_name: s(r['issuing_event_name']),
        has_issuing_event: Boolean(r['issuing_event_id']),
        calls: [],
      };
      blocks.set(key, b);
    }
    return b;
  };
  for (const c of calls) {
    const key = s(c['access_key_id']) || issuedBy.get(s(c['event_id'])) || s(c['issued_access_key_id']) || '(no key recorded)';
    block(key).calls.push({
      ts: displayTs(c['ts']),
      action: `${s(c['event_source']).replace(/\.amazonaws\.com$/, '')}:${s(c['event_name'])}`,
      outcome: s(c['error_code']) || 'ok',
      confidence: s(c['confidence']),
      rule: `${s(c['rule_id'])} v${s(c['rule_version'])}`,
      event_id: s(c['event_id']),
      evidence: evidenceOf(c['evidence']),
    });
  }
  const sessions = [...blocks.values()].sort((a, b) => (a.calls[0]!.ts < b.calls[0]!.ts ? -1 : a.calls[0]!.ts > b.calls[0]!.ts ? 1 : a.access_key_id < b.access_key_id ? -1 : 1));

  const kubeRows = await store.rows(KUBE_SQL, { uid, ...span });
  const kube = kubeRows.map((r): KubeRequest => ({
    ts: displayTs(r['ts']),
    request: requestText(r),
    source_ip: s(r['source_ip']),
    off_pod: r['off_pod'] === true,
    confidence: s(r['confidence']),
    row_id: s(r['row_id']),
    token_issued_row_id: s(r['token_issued_row_id']),
  }));
  const orphanRows = await store.rows(ORPHANS_SQL, { sa, ns, ...span });
  const orphans = orphanRows.map((r): OrphanCall => ({
    ts: displayTs(r['ts']),
    action: `${s(r['event_source']).replace(/\.amazonaws\.com$/, '')}:${s(r['event_name'])}`,
    source_ip: s(r['source_ip']),
    confidence: s(r['confidence']),
    reason: s(r['reason']),
    event_id: s(r['event_id']),
  }));

  // the contiguous timeline of the span: runtime, human actions, cloud calls, token use, declared gaps
  const entries: { key: string; line: TimelineLine }[] = [];
  const add = (iso: string, source: string, what: string, ids: string[], gap = false): void => {
    entries.push({ key: `${iso}\u0000${gap ? '0' : '1'}\u0000${source}\u0000${ids.join(',')}`, line: { ts: displayTs(iso), source, what, ids, gap } });
  };
  const runtime = await store.rows(RUNTIME_SQL, { uid, ...span });
  for (const r of runtime.slice(0, MAX_TIMELINE)) {
    const what = s(r['kind']) === 'connect'
      ? `connect ${s(r['binary'])} -> ${s(r['dst_ip'])}:${s(r['dst_port'])}`
      : `exec ${s(r['binary'])}${r['arguments'] ? ` ${s(r['arguments'])}` : ''}`;
    add(s(r['ts']), s(r['source']), what, [s(r['row_id'])]);
  }
  for (const h of humanRows) {
    const ts = s(h['ts']);
    if (ts < span.span_from || ts > span.span_to) continue;
    add(ts, 'kube-audit', `${s(h['user_name'])} ${s(h['action'])}${h['command'] ? ` ${s(h['command'])}` : ''}`, [s(h['row_id'])]);
  }
  for (const c of calls) {
    const key = c['access_key_id'] ? `key ${s(c['access_key_id'])}` : c['issued_access_key_id'] ? `issues key ${s(c['issued_access_key_id'])}` : 'no key';
    add(s(c['ts']), 'cloudtrail', `${s(c['event_source']).replace(/\.amazonaws\.com$/, '')}:${s(c['event_name'])} ${s(c['error_code']) || 'ok'} (${s(c['confidence'])}, ${key})`, [s(c['event_id'])]);
  }
  for (const k of kubeRows) {
    const ts = s(k['ts']);
    if (ts < span.span_from || ts > span.span_to) continue;
    add(ts, 'kube-audit', `pod token: ${requestText(k)} from ${s(k['source_ip'])}${k['off_pod'] === true ? ' (off-pod)' : ''}`, [s(k['row_id'])]);
  }
  for (const o of orphanRows) {
    add(s(o['ts']), 'cloudtrail', `${s(o['event_source']).replace(/\.amazonaws\.com$/, '')}:${s(o['event_name'])} from ${s(o['source_ip'])} (${s(o['confidence'])}: not this pod)`, [s(o['event_id'])]);
  }
  for (const g of gaps) {
    if (!overlaps(g, span.span_from, span.span_to)) continue;
    add(g.interval_from! < span.span_from ? span.span_from : g.interval_from!, 'gap', `${g.kind}: ${g.message}`, [g.finding_id], true);
  }
  entries.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  const runtimeTotal = runtime.length > 0 ? n(runtime[0]!['total']) : 0;
  const omitted = Math.max(0, entries.length - MAX_TIMELINE) + (runtimeTotal - Math.min(runtime.length, MAX_TIMELINE));

  const mainPath = s(paths[0]?.['path']);
  const roleArn = s(saRow['irsa_role_arn']) || (sessions.find((b) => b.role_arn)?.role_arn ?? '');
  return {
    n: index + 1,
    pod_uid: uid,
    namespace: ns,
    name: s(first['name']),
    node: s(last['node_name']),
    service_account: sa,
    owner: [s(first['owner_kind']), s(first['owner_name'])].filter(Boolean).join(' '),
    image_digests: digests,
    container_ids: cids,
    lifecycle_ids: lifecycleIds,
    valid_from: displayTs(first['valid_from']),
    valid_to: last['valid_to'] ? displayTs(last['valid_to']) : 'still running at the end of the evidence',
    signals,
    binding_path: mainPath || 'none',
    role_arn: roleArn,
    binding_ids: Array.isArray(saRow['row_ids']) ? capIds((saRow['row_ids'] as unknown[]).map(s)).ids : [],
    binding_cloud_ids: [...new Set(sessions.map((b) => b.issuing_event_id).filter(Boolean))].sort().slice(0, MAX_IDS),
    human_actions: human,
    has_human_actions: human.length > 0,
    span_from: displayTs(span.span_from),
    span_to: displayTs(span.span_to),
    sessions,
    has_sessions: sessions.length > 0,
    calls_in_span: n(counts['in_span']),
    calls_total: n(counts['total']),
    kube_requests: kube,
    has_kube_requests: kube.length > 0,
    orphan_calls: orphans,
    has_orphan_calls: orphans.length > 0,
    timeline: entries.slice(0, MAX_TIMELINE).map((e) => e.line),
    timeline_omitted: omitted,
    has_timeline_omitted: omitted > 0,
  };
}

export interface ReportInputs {
  config: CaseConfig;
  catalog: readonly EvidenceFileRow[];
  findings: readonly GapFinding[];
  signature: SignatureStatus;
  tool: string;
  custody: { entries: number; head: string };
  timelineEvents: number;
}

/** Reads everything the report states from the case store (correlation tables and lake views). */
export async function buildReportModel(store: Store, o: ReportInputs): Promise<ReportModel> {
  const gaps = o.findings.filter((f) => f.status === 'gap');
  const podSignals = await store.rows(SIGNALS_SQL);
  const findings: PodFinding[] = [];
  for (const [i, sig] of podSignals.entries()) findings.push(await podFinding(store, sig, i, gaps));

  const totals = await store.rows(`select confidence, path, count(*)::INTEGER as calls from attributions group by confidence, path order by confidence, path`);
  const reasons = await store.rows(
    `select confidence, coalesce(reason, '') as reason, count(*)::INTEGER as calls from attributions
     where confidence in ('ambiguous', 'unattributed') group by confidence, reason order by calls desc, confidence, reason limit 20`,
  );
  const kube = await store.rows(`select confidence, count(*)::INTEGER as requests from kube_attributions group by confidence order by confidence`);
  const bySource = new Map<string, { files: number; records_landed: number }>();
  for (const r of o.catalog) {
    const k = r.source_type ?? 'refused';
    const e = bySource.get(k) ?? { files: 0, records_landed: 0 };
    e.files++;
    e.records_landed += Number(r.records_landed);
    bySource.set(k, e);
  }
  const sig = o.signature;
  return {
    case_id: o.config.case_id,
    window_from: displayTs(o.config.window.from),
    window_to: displayTs(o.config.window.to),
    window_reason: o.config.window.reason,
    margin_seconds: o.config.window.margin_seconds,
    namespaces: o.config.scope.namespaces,
    all_namespaces: o.config.scope.namespaces.length === 0,
    tool: o.tool,
    signed: sig.status === 'signed',
    keyid: sig.status === 'signed' ? sig.keyid : '',
    inputs: o.catalog.map((r) => ({
      evidence_file_id: r.evidence_file_id,
      origin: reportedOrigin(r.origin),
      source: r.source_type ?? 'refused',
      status: r.status,
      sha256: r.sha256,
      size_bytes: Number(r.size_bytes),
      acquired_at: displayTs(r.acquired_at),
      operator: r.operator,
    })),
    input_totals: {
      files: o.catalog.length,
      landed: o.catalog.filter((r) => r.status === 'landed').length,
      refused: o.catalog.filter((r) => r.status === 'refused').length,
      records_landed: o.catalog.reduce((a, r) => a + Number(r.records_landed), 0),
      bytes: o.catalog.reduce((a, r) => a + Number(r.size_bytes), 0),
    },
    sources: [...bySource.entries()].sort(([a], [b]) => (a < b ? -1 : 1)).map(([source, v]) => ({ source, ...v })),
    attribution_totals: totals.map((r) => ({ confidence: s(r['confidence']), path: s(r['path']), calls: n(r['calls']) })),
    attribution_reasons: reasons.map((r) => ({ confidence: s(r['confidence']), reason: s(r['reason']), calls: n(r['calls']) })),
    kube_totals: kube.map((r) => ({ confidence: s(r['confidence']), requests: n(r['requests']) })),
    findings,
    has_findings: findings.length > 0,
    gaps: gaps.map((g) => ({
      check_id: g.check_id,
      kind: g.kind,
      finding_id: g.finding_id,
      message: g.message,
      interval: g.interval_from && g.interval_to ? `${displayTs(g.interval_from)} .. ${displayTs(g.interval_to)}` : '',
      where: [g.source, g.node_name, g.region].filter(Boolean).join(' '),
      weakens: g.weakens.length,
    })),
    has_gaps: gaps.length > 0,
    findings_total: o.findings.length,
    custody_entries: o.custody.entries,
    custody_head: o.custody.head,
    timeline_events: o.timelineEvents,
  };
}
