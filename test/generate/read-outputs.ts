import { readFileSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { gunzipSync } from 'node:zlib';

/** Reading a generated case back, independently of podtrail's collectors. */

export function listFiles(root: string, dir = ''): string[] {
  const out: string[] = [];
  for (const name of readdirSync(path.join(root, dir)).sort()) {
    const rel = dir ? `${dir}/${name}` : name;
    if (statSync(path.join(root, rel)).isDirectory()) out.push(...listFiles(root, rel));
    else out.push(rel);
  }
  return out;
}

export interface Truth {
  schema: string;
  scenario: string;
  incident: { pod_uid: string; node: string; cloud_event_ids: string[]; audit_ids: string[]; human: string | null };
  incidents: Array<{ pod_uid: string; node: string; cloud_event_ids: string[]; audit_ids: string[] }>;
  clock_offsets: Record<string, number>;
  gaps: Array<{ kind: string; source: string; node: string | null; from: string; to: string; offset_seconds: number | null }>;
  malformed: Array<{ file: string; line: number; why: string }>;
  counts: Record<string, number>;
  kube_requests: Array<{ audit_id: string; bound_pod_uid: string; pod_uid: string | null; off_pod: boolean; source_ip: string; incident: boolean }>;
  cloud_events: Array<{
    event_id: string;
    event_name: string;
    event_time: string;
    made_by_pod_uid: string | null;
    path: string;
    why_not_pod: string | null;
    incident: boolean;
    logged: boolean;
    sources: string[];
    not_logged_why: string | null;
    runtime_evidence: boolean;
    source_ip: string;
  }>;
}

export function readTruth(root: string): Truth {
  return JSON.parse(readFileSync(path.join(root, 'truth.json'), 'utf8')) as Truth;
}

/** Lines of a JSON-lines file, 1-based numbering kept by index + 1. A missing final newline is kept as a line. */
export function lines(root: string, rel: string): string[] {
  const text = readFileSync(path.join(root, rel), 'utf8');
  const parts = text.split('\n');
  if (parts[parts.length - 1] === '') parts.pop();
  return parts;
}

export function tryParse(line: string): unknown {
  try {
    return JSON.parse(line) as unknown;
  } catch {
    return undefined;
  }
}

/** A gzip file that is exactly one member: header as written, trailer ISIZE equal to the content length. */
export function gunzipSingle(buf: Buffer): Buffer {
  if (buf[0] !== 0x1f || buf[1] !== 0x8b || buf[2] !== 8) throw new Error('not gzip');
  const out = gunzipSync(buf);
  if (buf.readUInt32LE(buf.length - 4) !== out.length % 2 ** 32) throw new Error('more than one gzip member');
  return out;
}

export type Rec = Record<string, unknown>;

export function cloudRecords(root: string, files: string[]): Map<string, { rec: Rec; file: string }> {
  const m = new Map<string, { rec: Rec; file: string }>();
  for (const f of files.filter((x) => x.endsWith('.json.gz'))) {
    const body = JSON.parse(gunzipSingle(readFileSync(path.join(root, f))).toString('utf8')) as { Records: Rec[] };
    for (const rec of body.Records) m.set(rec['eventID'] as string, { rec, file: f });
  }
  return m;
}

export function lookupEvents(root: string): Rec[] {
  const p = path.join(root, 'inputs/cloudtrail-lookup/lookup-events.json');
  try {
    return (JSON.parse(readFileSync(p, 'utf8')) as { Events: Rec[] }).Events;
  } catch {
    return [];
  }
}
