import { existsSync, readFileSync } from 'node:fs';
import { CliError } from '../core/errors.js';
import { canonicalJson } from '../core/canonical-json.js';

/** One finding of the gaps checks, as the bundle and the report read it. */
export interface Finding {
  check_id: string;
  kind: string;
  finding_id: string;
  status: string;
  message: string;
  source: string | null;
  node_name: string | null;
  region: string | null;
  interval_from: string | null;
  interval_to: string | null;
  /** Attributions (cloud event ids) this gap weakens. */
  weakens: string[];
}

export type Validation = Record<string, unknown>;

export function readValidation(file: string): { text: string; value: Validation } {
  if (!existsSync(file)) {
    throw new CliError(`${file} is missing: run the gaps checks first (podtrail check CASE, or podtrail run CASE for correlate, check and bundle)`);
  }
  const text = readFileSync(file, 'utf8');
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (e) {
    throw new CliError(`${file}: not JSON (${(e as Error).message})`);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new CliError(`${file}: not a JSON object`);
  return { text, value: value as Validation };
}

const isObj = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const str = (v: unknown): string | null => (typeof v === 'string' ? v : v === null || v === undefined ? null : String(v));

function asFinding(o: Record<string, unknown>, checkId: string | null): Finding | null {
  if (typeof o['status'] !== 'string') return null;
  const interval = isObj(o['interval']) ? o['interval'] : {};
  return {
    check_id: str(o['check_id']) ?? checkId ?? '',
    kind: str(o['kind']) ?? '',
    finding_id: str(o['finding_id']) ?? str(o['id']) ?? '',
    status: o['status'],
    message: str(o['message']) ?? '',
    source: str(o['source']),
    node_name: str(o['node_name']) ?? str(o['node']),
    region: str(o['region']),
    interval_from: str(o['interval_from']) ?? str(interval['from']),
    interval_to: str(o['interval_to']) ?? str(interval['to']),
    weakens: Array.isArray(o['weakens']) ? (o['weakens'] as unknown[]).map((x) => String(x)) : [],
  };
}

/**
 * Every finding of validation.json, whichever of its layouts: a top-level "findings" list, or
 * "checks" as a list of findings or of checks each holding "findings" (or a map id -> check).
 */
export function findingsOf(v: Validation): Finding[] {
  const out: Finding[] = [];
  const take = (list: unknown, checkId: string | null): void => {
    if (!Array.isArray(list)) return;
    for (const item of list) {
      if (!isObj(item)) continue;
      if (Array.isArray(item['findings'])) take(item['findings'], str(item['check_id']) ?? str(item['id']) ?? checkId);
      else {
        const f = asFinding(item, checkId);
        if (f) out.push(f);
      }
    }
  };
  take(v['findings'], null);
  const checks = v['checks'];
  if (Array.isArray(checks)) take(checks, null);
  else if (isObj(checks)) for (const k of Object.keys(checks).sort()) {
    const c = checks[k];
    if (isObj(c)) take(Array.isArray(c['findings']) ? c['findings'] : [c], k);
  }
  const key = (f: Finding): string => `${f.check_id}\u0000${f.kind}\u0000${f.finding_id}`;
  return out.sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0));
}

/** How the bundle is signed, as validation.json states it. */
export type SignatureStatus =
  | { status: 'unsigned' }
  | { status: 'signed'; algorithm: 'ed25519'; keyid: string; envelope: string; public_key: string; payload_type: string; predicate_type: string };

/** The bundle's validation.json: the case's gaps checks plus the bundle's signature status. */
export function bundleValidationText(v: Validation, signature: SignatureStatus): string {
  return `${canonicalJson({ ...v, signature })}\n`;
}
