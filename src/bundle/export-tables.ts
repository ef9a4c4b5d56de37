import path from 'node:path';
import { mkdirSync } from 'node:fs';
import type { Store, Row } from '../store/store.js';
import { canonicalJson } from '../core/canonical-json.js';
import { CORRELATION_TABLES } from '../lake/correlation-schema.js';
import { LAKE_TABLES, type TableDoc } from '../lake/schema.js';
import { HashingWriter, type WrittenFile } from './files.js';
import { exportColumn, parseJsonColumns, sqlIdentifier } from '../store/export-sql.js';

function doc(name: string): TableDoc {
  const t = [...CORRELATION_TABLES, ...LAKE_TABLES].find((x) => x.name === name);
  if (!t) throw new Error(`no table doc for ${name}`);
  return t;
}

function writer(dir: string, name: string): HashingWriter {
  mkdirSync(path.dirname(path.join(dir, ...name.split('/'))), { recursive: true });
  return new HashingWriter(path.join(dir, ...name.split('/')), name);
}

/**
 * timeline.jsonl: every event of every source, one JSON line each (built in SQL by mart_timeline),
 * in one total order (ts, source, row_id), streamed chunk by chunk: memory stays bounded whatever
 * the number of events.
 */
export async function exportTimeline(store: Store, dir: string, onRows: (lines: number) => void = () => {}): Promise<WrittenFile & { lines: number }> {
  const w = writer(dir, 'timeline.jsonl');
  let lines = 0;
  for await (const rows of store.streamRows<{ line: string }>(`select line from mart_timeline order by ts, source, row_id`)) {
    let text = '';
    for (const r of rows) text += `${r.line}\n`;
    lines += rows.length;
    await w.write(text);
    onRows(lines);
  }
  return { ...(await w.close()), lines };
}

/**
 * Streams a table's rows as canonical JSON lines, each with extra fixed fields (e.g. its table name).
 * The rows are the table doc's columns, whatever the table: a Row, read by name.
 */
async function exportRows(store: Store, w: HashingWriter, table: TableDoc, orderBy: string[], extra: (r: Row) => Record<string, unknown>): Promise<number> {
  const cols = table.columns.map((c) => exportColumn(c)).join(', ');
  const order = orderBy.map((c) => sqlIdentifier(c)).join(', ');
  let n = 0;
  for await (const rows of store.streamRows<Row>(`select ${cols} from ${sqlIdentifier(table.name)} order by ${order}`)) {
    let text = '';
    for (const r of rows) text += `${canonicalJson({ ...parseJsonColumns(r, table.columns), ...extra(r) })}\n`;
    n += rows.length;
    await w.write(text);
  }
  return n;
}

/**
 * joins.jsonl: every attribution (one per cloud call) then every kube attribution (one per request
 * made with a pod-bound token), each with "table", its path, confidence, candidates, evidence ids
 * and the rule that decided it. Kube rows get an "evidence" object in the attributions' shape.
 */
export async function exportJoins(store: Store, dir: string): Promise<WrittenFile & { attributions: number; kube: number }> {
  const w = writer(dir, 'joins.jsonl');
  const validation = await cloudLogValidation(store);
  const attributions = await exportRows(store, w, doc('attributions'), ['ts', 'event_id'], (r) => ({
    table: 'attributions',
    cloud_log_validation: validation.get(String(r['event_id'])) ?? 'not-validated',
  }));
  const kube = await exportRows(store, w, doc('kube_attributions'), ['ts', 'audit_id'], (r) => ({
    table: 'kube_attributions',
    evidence: {
      audit: [r['row_id'], r['token_issued_row_id']].filter((x): x is string => typeof x === 'string').sort(),
      cloud: [],
      inventory: [],
      runtime: [],
    },
  }));
  return { ...(await w.close()), attributions, kube };
}

/**
 * The digest verdict of the log file each attributed call came from (cloudtrail_validation), for
 * joins.jsonl: an attribution resting on a call from a log not validated says so. Calls that did not
 * come from a trail log file (lookup-events) are not-validated.
 */
async function cloudLogValidation(store: Store): Promise<Map<string, string>> {
  const rows = await store.rows<{ event_id: string; status: string }>(`
    select c.event_id, min(v.status) as status
    from cloud_events as c
    inner join cloudtrail_validation as v on v.evidence_file_id = c.evidence_file_id and v.object_kind = 'log'
    group by c.event_id`);
  return new Map(rows.map((r) => [r.event_id, r.status]));
}

/** One identity binding of inventory/bindings.jsonl (counts as DOUBLE: JSON numbers). */
interface BindingRow {
  namespace: string | null;
  service_account: string | null;
  node_name: string | null;
  binding: string;
  identity: string | null;
  pods: number;
  sessions: number;
  inventory_ids: string[];
  cloud_ids: string[];
}

const BINDINGS_SQL = `
with
accounts as (
    select namespace, service_account, count(distinct pod_uid)::DOUBLE as pods
    from pod_lifecycle
    where service_account is not null
    group by namespace, service_account
),
annotations as (
    select
        namespace,
        name as service_account,
        arg_max(irsa_role_arn, snapshot_at) as irsa_role_arn,
        arg_max(azure_client_id, snapshot_at) as azure_client_id,
        arg_max(gcp_service_account, snapshot_at) as gcp_service_account,
        list(row_id order by row_id) as row_ids
    from k8s_service_accounts
    group by namespace, name
),
sessions as (
    select
        subject_namespace as namespace,
        subject_service_account as service_account,
        subject_type,
        role_arn,
        count(*)::DOUBLE as sessions,
        list(issuing_event_id order by issuing_event_id) filter (where issuing_event_id is not null) as event_ids
    from credential_sessions
    where subject_type in ('pod', 'service-account') and subject_service_account is not null
    group by subject_namespace, subject_service_account, subject_type, role_arn
),
account_bindings as (
    select
        a.namespace,
        a.service_account,
        null::VARCHAR as node_name,
        case
            when s.subject_type = 'pod' then 'pod-identity'
            when s.subject_type = 'service-account' or an.irsa_role_arn is not null then 'irsa'
            when an.azure_client_id is not null then 'azure-workload-identity'
            when an.gcp_service_account is not null then 'gke-workload-identity'
            else 'node-role'
        end as binding,
        coalesce(s.role_arn, an.irsa_role_arn, an.azure_client_id, an.gcp_service_account) as identity,
        a.pods,
        coalesce(s.sessions, 0) as sessions,
        coalesce(an.row_ids, []) as inventory_ids,
        coalesce(s.event_ids, []) as cloud_ids
    from accounts as a
    left join annotations as an on an.namespace = a.namespace and an.service_account = a.service_account
    left join sessions as s on s.namespace = a.namespace and s.service_account = a.service_account
),
node_bindings as (
    select
        null::VARCHAR as namespace,
        null::VARCHAR as service_account,
        subject_node_name as node_name,
        'node-role' as binding,
        role_arn as identity,
        0::DOUBLE as pods,
        count(*)::DOUBLE as sessions,
        []::VARCHAR[] as inventory_ids,
        list(issuing_event_id order by issuing_event_id) filter (where issuing_event_id is not null) as cloud_ids
    from credential_sessions
    where subject_type = 'instance'
    group by subject_node_name, role_arn
),
key_bindings as (
    select
        null::VARCHAR as namespace,
        null::VARCHAR as service_account,
        null::VARCHAR as node_name,
        'static-key' as binding,
        subject as identity,
        0::DOUBLE as pods,
        count(*)::DOUBLE as sessions,
        []::VARCHAR[] as inventory_ids,
        []::VARCHAR[] as cloud_ids
    from credential_sessions
    where subject_type = 'iam-user'
    group by subject
),
final as (
    select * from account_bindings
    union all select * from node_bindings
    union all select * from key_bindings
)
select * from final
order by binding, namespace nulls first, service_account nulls first, node_name nulls first, identity nulls first
`;

/**
 * inventory/: what correlation used, one JSON line per row: nodes and service accounts per snapshot,
 * pods as resolved intervals (pod_lifecycle), identity bindings (service account -> cloud identity,
 * node roles, static keys), credential sessions and node clock offsets.
 */
export async function exportInventory(store: Store, dir: string): Promise<WrittenFile[]> {
  const out: WrittenFile[] = [];
  const table = async (file: string, name: string, orderBy: string[]): Promise<void> => {
    const w = writer(dir, `inventory/${file}`);
    await exportRows(store, w, doc(name), orderBy, () => ({ table: name }));
    out.push(await w.close());
  };
  await table('nodes.jsonl', 'k8s_nodes', ['name', 'snapshot_at', 'row_id']);
  await table('pods.jsonl', 'pod_lifecycle', ['pod_uid', 'interval_no']);
  await table('service_accounts.jsonl', 'k8s_service_accounts', ['namespace', 'name', 'snapshot_at', 'row_id']);
  await table('credential_sessions.jsonl', 'credential_sessions', ['access_key_id']);
  await table('clock_offsets.jsonl', 'node_clock_offsets', ['node_name']);
  const w = writer(dir, 'inventory/bindings.jsonl');
  for (const r of await store.rows<BindingRow>(BINDINGS_SQL)) {
    const { inventory_ids, cloud_ids, ...rest } = r;
    await w.write(`${canonicalJson({ ...rest, evidence: { cloud: cloud_ids, inventory: inventory_ids } })}\n`);
  }
  out.push(await w.close());
  return out;
}
