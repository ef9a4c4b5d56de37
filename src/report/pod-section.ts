import type { Store } from '../store/store.js';
import type { CallLine, Evidence, HumanAction, KubeRequest, OutsideUse, PodIdentity, SessionBlock } from './model.js';
import { byteOrder, capIds, displayTs, list, n, s } from './format.js';
import { iso } from './sql-text.js';
import type { CallRow, HumanRow, KubeRow, OutsideRow } from './rows.js';

/** At most this many calls per section (joins.jsonl holds every one). */
export const MAX_CALLS = 200;

interface LifecycleRow {
  pod_uid: string;
  interval_no: number;
  namespace: string | null;
  name: string | null;
  node_name: string | null;
  service_account: string | null;
  owner_kind: string | null;
  owner_name: string | null;
  image_digests: string[] | null;
  container_ids: string[] | null;
  from_row_id: string | null;
  to_row_id: string | null;
  valid_from: string | null;
  valid_to: string | null;
}

const LIFECYCLE_SQL = `
select pod_uid, interval_no, namespace, name, node_name, service_account, owner_kind, owner_name,
    image_digests, container_ids, from_row_id, to_row_id,
    ${iso('valid_from')} as valid_from, ${iso('valid_to')} as valid_to
from pod_lifecycle
where pod_uid = $uid
order by interval_no
`;

const PATHS_SQL = `
select path, count(*)::INTEGER as calls
from rpt_calls
where pod_uid = $uid and confidence in ('proven', 'strong') and path <> 'aws-service'
group by path
order by calls desc, path
`;

const SA_SQL = `
select arg_max(irsa_role_arn, snapshot_at) as irsa_role_arn, list(row_id order by row_id) as row_ids
from k8s_service_accounts
where namespace = $ns and name = $sa
`;

const HUMAN_SQL = `
select ${iso('ts')} as ts, user_name, user_groups, action, command, container, source_ip, response_code,
    row_id, runtime_exec_row_ids, ${iso('first_runtime_exec_at')} as first_runtime_exec_at
from pod_human_actions
where pod_uid = $uid
order by ts, audit_id
`;

// the pod's decided calls, and the ambiguous calls that list it as a candidate
const CALLS_SQL = `
select
    ${iso('ts')} as ts, event_id, call, coalesce(target, '') as target, confidence, rule_id, rule_version::INTEGER as rule_version,
    access_key_id, issued_access_key_id, error_code, evidence::VARCHAR as evidence,
    confidence = 'ambiguous' as as_candidate, coalesce(candidate_count, 0)::INTEGER as candidates
from rpt_calls
where ts between $span_from::TIMESTAMP and $span_to::TIMESTAMP
    and ((pod_uid = $uid and confidence in ('proven', 'strong'))
        or (confidence = 'ambiguous' and list_contains(candidate_uids, $uid)))
order by ts, event_id
limit ${MAX_CALLS}
`;

const CALL_COUNTS_SQL = `
select
    count(*)::INTEGER as total,
    count(*) filter (where ts between $span_from::TIMESTAMP and $span_to::TIMESTAMP)::INTEGER as in_span
from attributions
where pod_uid = $uid and confidence in ('proven', 'strong')
`;

interface SessionRow {
  access_key_id: string;
  issuing_event_id: string | null;
  issuing_event_name: string | null;
  issued_at: string | null;
  role_arn: string | null;
  session_arn: string | null;
  session_name: string | null;
  subject_type: string | null;
  subject: string | null;
  principal_arn: string | null;
}

const SESSIONS_SQL = `
select access_key_id, issuing_event_id, issuing_event_name, ${iso('issued_at')} as issued_at, role_arn,
    session_arn, session_name, subject_type, subject, principal_arn
from credential_sessions
where list_contains($keys, access_key_id)
order by access_key_id
`;

const KUBE_SQL = `
select ${iso('ts')} as ts, verb, resource, subresource, namespace, name, source_ip, off_pod, confidence,
    row_id, token_issued_row_id
from kube_attributions
where pod_uid = $uid and (off_pod or ts between $span_from::TIMESTAMP and $span_to::TIMESTAMP)
order by ts, audit_id
limit ${MAX_CALLS}
`;

// uses of the pod's credentials from outside: its own keys, and its service account's
const OUTSIDE_SQL = `
select ${iso('m.ts')} as ts, m.source_ip, m.call, coalesce(m.target, '') as target, m.credential, m.owned_by,
    m.pod_uid is null as as_candidate, m.pod_gone, m.event_id
from rpt_credential_misuse as m
where m.pod_uid = $uid
    or (m.pod_uid is null and m.owner_namespace = $ns and m.owner_service_account = $sa
        and m.event_id in (select ref from rpt_signals where actor_kind = 'pod' and actor_id = $uid))
order by m.ts, m.event_id
limit ${MAX_CALLS}
`;

export interface Span {
  span_from: string;
  span_to: string;
}

export function evidenceOf(json: unknown): Evidence[] {
  const e = (typeof json === 'string' ? JSON.parse(json) : json ?? {}) as Record<string, unknown>;
  const out: Evidence[] = [];
  for (const source of Object.keys(e).sort(byteOrder)) {
    const ids = list(e[source]);
    if (ids.length === 0) continue;
    const c = capIds(ids);
    out.push({ source, ids: c.ids, more: c.more, has_more: c.more > 0 });
  }
  return out;
}

export function requestText(r: Pick<KubeRow, 'verb' | 'resource' | 'subresource' | 'namespace' | 'name'>): string {
  const res = [s(r.resource), s(r.subresource)].filter(Boolean).join('/');
  const obj = [s(r.namespace), s(r.name)].filter(Boolean).join('/');
  return `${s(r.verb)} ${res}${obj ? ` ${obj}` : ''}`;
}

/** Who the pod was: lifecycle, images, service account, binding path and its evidence. */
export async function podIdentity(store: Store, uid: string): Promise<PodIdentity> {
  const lifecycle = await store.rows<LifecycleRow>(LIFECYCLE_SQL, { uid });
  const first = lifecycle[0];
  const last = lifecycle[lifecycle.length - 1];
  const ns = s(first?.namespace);
  const sa = s(first?.service_account);
  const uniq = (k: 'image_digests' | 'container_ids'): string[] => [...new Set(lifecycle.flatMap((l) => list(l[k])))].sort(byteOrder);
  const paths = await store.rows<{ path: string; calls: number }>(PATHS_SQL, { uid });
  const saRow = (await store.rows<{ irsa_role_arn: string | null; row_ids: string[] | null }>(SA_SQL, { ns, sa }))[0];
  return {
    pod_uid: uid,
    namespace: ns,
    name: s(first?.name),
    node: s(last?.node_name),
    service_account: sa,
    owner: [s(first?.owner_kind), s(first?.owner_name)].filter(Boolean).join(' '),
    image_digests: uniq('image_digests'),
    container_ids: uniq('container_ids'),
    lifecycle_ids: [...new Set(lifecycle.flatMap((l) => [s(l.from_row_id), s(l.to_row_id)]).filter(Boolean))].sort(byteOrder),
    valid_from: displayTs(first?.valid_from),
    valid_to: last?.valid_to ? displayTs(last.valid_to) : 'still running at the end of the evidence',
    binding_path: s(paths[0]?.path) || 'none',
    paths: paths.map((p) => s(p.path)),
    role_arn: s(saRow?.irsa_role_arn),
    binding_ids: capIds(list(saRow?.row_ids)).ids,
    binding_cloud_ids: [],
  };
}

export async function humanActions(store: Store, uid: string, firstCallAt: string): Promise<{ lines: HumanAction[]; rows: HumanRow[] }> {
  const rows = await store.rows<HumanRow>(HUMAN_SQL, { uid });
  const lines = rows.map((r): HumanAction => {
    const execs = list(r.runtime_exec_row_ids);
    const c = capIds(execs);
    return {
      ts: displayTs(r.ts),
      user: s(r.user_name),
      groups: list(r.user_groups).join(', '),
      action: s(r.action),
      command: s(r.command),
      container: s(r.container),
      source_ip: s(r.source_ip),
      response_code: s(r.response_code),
      row_id: s(r.row_id),
      runtime_exec_ids: c.ids,
      runtime_exec_more: c.more,
      has_runtime_execs: execs.length > 0,
      first_runtime_exec_at: displayTs(r.first_runtime_exec_at),
      before_activity: firstCallAt === '' || s(r.ts) <= firstCallAt,
    };
  });
  return { lines, rows };
}

export function callLine(c: CallRow): CallLine {
  return {
    ts: displayTs(c.ts),
    action: s(c.call),
    target: s(c.target),
    outcome: s(c.error_code) || 'ok',
    confidence: s(c.confidence),
    as_candidate: c.as_candidate === true,
    candidates: n(c.candidates),
    rule: `${s(c.rule_id)} v${s(c.rule_version)}`,
    event_id: s(c.event_id),
    evidence: evidenceOf(c.evidence),
  };
}

/** The pod's calls in the span (decided, and ambiguous ones where it is a candidate), grouped by session key. */
export async function podSessions(store: Store, uid: string, span: Span): Promise<{ sessions: SessionBlock[]; calls: CallRow[]; inSpan: number; total: number; cloudIds: string[] }> {
  const calls = await store.rows<CallRow>(CALLS_SQL, { uid, ...span });
  const counts = (await store.rows<{ total: number; in_span: number }>(CALL_COUNTS_SQL, { uid, ...span }))[0];
  const keys = [...new Set(calls.flatMap((c) => [s(c.access_key_id), s(c.issued_access_key_id)]).filter(Boolean))].sort(byteOrder);
  const sessionRows = await store.rows<SessionRow>(SESSIONS_SQL, { keys });
  const issuedBy = new Map(sessionRows.filter((r) => r.issuing_event_id).map((r) => [s(r.issuing_event_id), s(r.access_key_id)]));
  const blocks = new Map<string, SessionBlock>();
  for (const c of calls) {
    const key = s(c.access_key_id) || issuedBy.get(s(c.event_id)) || s(c.issued_access_key_id) || '(no key recorded)';
    let b = blocks.get(key);
    if (!b) {
      const r = sessionRows.find((x) => s(x.access_key_id) === key);
      b = {
        access_key_id: key,
        principal_arn: s(r?.principal_arn ?? r?.session_arn),
        session_name: s(r?.session_name),
        role_arn: s(r?.role_arn),
        subject: [s(r?.subject_type), s(r?.subject)].filter(Boolean).join(' '),
        issued_at: displayTs(r?.issued_at),
        issuing_event_id: s(r?.issuing_event_id),
        issuing_event_name: s(r?.issuing_event_name),
        has_issuing_event: Boolean(r?.issuing_event_id),
        calls: [],
      };
      blocks.set(key, b);
    }
    b.calls.push(callLine(c));
  }
  const sessions = [...blocks.values()].sort((a, b) => byteOrder(a.calls[0]!.ts, b.calls[0]!.ts) || byteOrder(a.access_key_id, b.access_key_id));
  const cloudIds = [...new Set(sessions.map((b) => b.issuing_event_id).filter(Boolean))].sort(byteOrder);
  return { sessions, calls, inSpan: n(counts?.in_span), total: n(counts?.total), cloudIds };
}

export function kubeLine(r: KubeRow): KubeRequest {
  return {
    ts: displayTs(r.ts),
    request: requestText(r),
    source_ip: s(r.source_ip),
    off_pod: r.off_pod === true,
    confidence: s(r.confidence),
    row_id: s(r.row_id),
    token_issued_row_id: s(r.token_issued_row_id),
  };
}

export async function kubeRequests(store: Store, uid: string, span: Span): Promise<{ lines: KubeRequest[]; rows: KubeRow[] }> {
  const rows = await store.rows<KubeRow>(KUBE_SQL, { uid, ...span });
  return { lines: rows.map(kubeLine), rows };
}

export async function outsideUses(store: Store, uid: string, ns: string, sa: string): Promise<{ lines: OutsideUse[]; rows: OutsideRow[] }> {
  const rows = await store.rows<OutsideRow>(OUTSIDE_SQL, { uid, ns, sa });
  const lines = rows.map((r): OutsideUse => ({
    ts: displayTs(r.ts),
    source_ip: s(r.source_ip),
    action: s(r.call),
    target: s(r.target),
    credential: s(r.credential),
    owned_by: s(r.owned_by),
    as_candidate: r.as_candidate === true,
    pod_gone: r.pod_gone === true ? 'yes' : r.pod_gone === false ? 'no' : 'unknown',
    event_id: s(r.event_id),
  }));
  return { lines, rows };
}
