import type { Collector } from '../types.js';

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

/** A raw audit.k8s.io Event (v1, or the older shape without apiVersion). */
export function isRawAuditEvent(s: Obj): boolean {
  return (typeof s['auditID'] === 'string' && (s['kind'] === 'Event' || 'stage' in s || 'verb' in s)) ||
    (typeof s['apiVersion'] === 'string' && s['apiVersion'].startsWith('audit.k8s.io/'));
}

function isGkeK8s(s: Obj): boolean {
  const p = s['protoPayload'];
  return isObj(p) && p['serviceName'] === 'k8s.io';
}

function isAks(s: Obj): boolean {
  return typeof s['category'] === 'string' && s['category'].startsWith('kube-audit') && isObj(s['properties']);
}

/** Elements probed in a CloudWatch Logs list: other log streams (authenticator, ...) may come first. */
const MAX_PROBE_EVENTS = 50;

/**
 * EKS control-plane logs from CloudWatch Logs: `aws logs filter-log-events` output ({"events":[...]})
 * and subscription/Firehose payloads ({"messageType":"DATA_MESSAGE","logEvents":[...]}). A whole log
 * group interleaves the authenticator and other streams with the audit stream, so any of the first
 * elements may show it. A CONTROL_MESSAGE (the health check written when a subscription starts) is
 * taken as this source too: it is the first line of many subscription deliveries.
 */
function isCloudWatchAudit(s: Obj): boolean {
  if (s['messageType'] === 'CONTROL_MESSAGE' && Array.isArray(s['logEvents'])) return true;
  const list = Array.isArray(s['logEvents']) ? s['logEvents'] : Array.isArray(s['events']) ? s['events'] : null;
  if (!list) return false;
  const groupStream = String(s['logStream'] ?? '');
  return list.slice(0, MAX_PROBE_EVENTS).some((ev) => {
    if (!isObj(ev) || typeof ev['message'] !== 'string') return false;
    const stream = String(ev['logStreamName'] ?? groupStream);
    return stream.startsWith('kube-apiserver-audit') || ev['message'].includes('"auditID"');
  });
}

/** Kubernetes API audit logs: raw JSON lines and the EKS, GKE and AKS wrappers. */
export const kubeAudit: Collector = {
  source: 'kube-audit',
  describe: 'Kubernetes audit events (audit.k8s.io JSON lines; EKS CloudWatch, GKE and AKS wrappers)',
  detect: (s) => {
    if (isRawAuditEvent(s) || isGkeK8s(s) || isAks(s) || isCloudWatchAudit(s)) return true;
    // Azure blob envelope {"records":[...]}: an Event Hub capture may put other categories first
    return Array.isArray(s['records']) && s['records'].slice(0, MAX_PROBE_EVENTS).some((r) => isObj(r) && isAks(r));
  },
  input: { mode: 'doc' },
  targets: [{ table: 'kube_audit_events', sqlFile: 'kube_audit.sql' }],
};
