import { createHash } from 'node:crypto';
import type { SensorKind } from './sensor-kind.js';

const short = (s: string): string => createHash('sha256').update(s).digest('hex').slice(0, 8);

/**
 * A Kubernetes label value for the case id (at most 63 characters of [A-Za-z0-9._-], alphanumeric at
 * both ends): the id itself when it is one, else a cut or cleaned form with a hash of the id (the
 * full id is in the podtrail.io/case-id annotation).
 */
export function caseLabel(caseId: string): string {
  if (/^[A-Za-z0-9]([A-Za-z0-9._-]{0,61}[A-Za-z0-9])?$/.test(caseId)) return caseId;
  const clean = caseId.replace(/[^A-Za-z0-9._-]/g, '-').replace(/^[^A-Za-z0-9]+|[^A-Za-z0-9]+$/g, '').slice(0, 50);
  return `${clean ? `${clean}-` : ''}${short(caseId)}`.replace(/^[^A-Za-z0-9]+/, '');
}

/**
 * The sensor's namespace: podtrail-<kind>-<case>, a DNS label (lower case, at most 63 characters);
 * a hash of the case id is added when the id had to be changed to fit.
 */
export function sensorNamespace(kind: SensorKind, caseId: string): string {
  const prefix = `podtrail-${kind}-`;
  const slug = caseId.toLowerCase().replace(/[^a-z0-9-]/g, '-').replace(/-+/g, '-').replace(/^-+|-+$/g, '');
  const room = 63 - prefix.length;
  if (slug === caseId && slug.length > 0 && slug.length <= room) return `${prefix}${slug}`;
  return `${prefix}${slug.slice(0, room - 9).replace(/-+$/, '')}${slug ? '-' : ''}${short(caseId)}`.replace(/-+$/, '');
}

/** The id of one deployment (also its label value and its folder in CASE/collect/): <kind>-<instant>. */
export function deploymentId(kind: SensorKind, nowIso: string): string {
  return `sensor-${kind}-${nowIso.replaceAll(':', '-')}`;
}
