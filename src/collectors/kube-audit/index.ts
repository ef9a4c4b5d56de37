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

function firstOf(v: unknown): Obj | null {
  return Array.isArray(v) && isObj(v[0]) ? v[0] : null;
}

function isCloudWatchAudit(s: Obj): boolean {
  const ev = firstOf(s['logEvents']) ?? firstOf(s['events']);
  if (!ev || typeof ev['message'] !== 'string') return false;
  const stream = String(s['logStream'] ?? ev['logStreamName'] ?? '');
  return stream.startsWith('kube-apiserver-audit') || ev['message'].includes('"auditID"');
}

/** Kubernetes API audit logs: raw JSON lines and the EKS, GKE and AKS wrappers. */
export const kubeAudit: Collector = {
  source: 'kube-audit',
  describe: 'Kubernetes audit events (audit.k8s.io JSON lines; EKS CloudWatch, GKE and AKS wrappers)',
  detect: (s) => {
    if (isRawAuditEvent(s) || isGkeK8s(s) || isAks(s) || isCloudWatchAudit(s)) return true;
    const rec = firstOf(s['records']);
    return rec !== null && isAks(rec);
  },
  input: { mode: 'doc' },
  targets: [{ table: 'kube_audit_events', sqlFile: 'kube_audit.sql' }],
};
