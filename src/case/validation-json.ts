/**
 * validation.json, schema podtrail.validation/v1: the one definition of its shape. `podtrail check`
 * writes it (src/check/validation.ts), the bundle reads it back and adds the signature status
 * (src/bundle/validation.ts), the report and the accuracy scoring read its findings.
 * Documented in docs/correlation.md, "Gaps checks: validation.json".
 */
import { existsSync, readFileSync } from 'node:fs';
import { CliError } from '../core/errors.js';

export const VALIDATION_SCHEMA = 'podtrail.validation/v1';

export type CheckStatus = 'ok' | 'gap' | 'unknown';

/** One finding as validation.json holds it, inside its check. */
export interface ValidationFinding {
  finding_id: string;
  kind: string;
  status: CheckStatus;
  source: string | null;
  node_name: string | null;
  region: string | null;
  interval: { from: string | null; to: string | null };
  seconds: number | null;
  value: number | null;
  detail: unknown;
  message: string;
  /** Attributions (cloud event ids) this gap weakens, sorted. */
  weakens: string[];
}

export interface ValidationCheck {
  id: string;
  title: string;
  status: CheckStatus;
  findings: ValidationFinding[];
}

export interface ValidationInput {
  evidence_file_id: string;
  origin: string;
  s3_key: string | null;
  sha256: string;
  size_bytes: number;
  inflated_sha256: string | null;
  source_type: string | null;
  status: 'landed' | 'refused';
  refusal_reason: string | null;
  records: { total: number; landed: number; rejected: number; duplicate: number; out_of_window: number };
  acquired_at: string;
  operator: string;
  tool_version: string;
}

export interface Validation {
  schema: string;
  tool: string;
  case: {
    case_id: string;
    window: { from: string; to: string; reason: string; margin_seconds: number };
    scope: { namespaces: string[] };
    clock_tolerance_seconds: number;
  };
  config_sha256: string;
  catalog_sha256: string;
  inputs: ValidationInput[];
  checks: ValidationCheck[];
  summary: { checks: Record<string, number>; findings: Record<string, number>; gaps: string[] };
}

/** How the bundle is signed, as the bundle's copy of validation.json states it. */
export type SignatureStatus =
  | { status: 'unsigned' }
  | { status: 'signed'; algorithm: 'ed25519'; keyid: string; envelope: string; public_key: string; payload_type: string; predicate_type: string };

/** A finding with its check's id and a flat interval: the form the report and the bundle use. */
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

const isObj = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * The shape problems of a parsed validation.json, each with its JSON path (`$.checks[2].findings`);
 * empty when it is one. Only what the readers rely on is checked: the schema, the case window, and
 * every check with its findings.
 */
export function validationProblems(v: unknown): string[] {
  if (!isObj(v)) return ['$: not a JSON object'];
  const out: string[] = [];
  if (v['schema'] !== VALIDATION_SCHEMA) out.push(`$.schema: expected "${VALIDATION_SCHEMA}", got ${JSON.stringify(v['schema'])}`);
  const c = v['case'];
  const w = isObj(c) ? c['window'] : undefined;
  if (!isObj(w) || typeof w['from'] !== 'string' || typeof w['to'] !== 'string' || typeof w['margin_seconds'] !== 'number') {
    out.push('$.case.window: expected {from, to, margin_seconds}');
  }
  const checks = v['checks'];
  if (!Array.isArray(checks)) return [...out, '$.checks: expected a list'];
  checks.forEach((ch: unknown, i) => {
    if (!isObj(ch) || typeof ch['id'] !== 'string') return void out.push(`$.checks[${i}]: expected a check with an id`);
    const fs = ch['findings'];
    if (!Array.isArray(fs)) return void out.push(`$.checks[${i}].findings: expected a list`);
    fs.forEach((f: unknown, j) => {
      const at = `$.checks[${i}].findings[${j}]`;
      if (!isObj(f)) return void out.push(`${at}: expected an object`);
      for (const k of ['finding_id', 'kind', 'status', 'message']) if (typeof f[k] !== 'string') out.push(`${at}.${k}: expected a string`);
      if (!isObj(f['interval'])) out.push(`${at}.interval: expected {from, to}`);
      if (!Array.isArray(f['weakens'])) out.push(`${at}.weakens: expected a list`);
    });
  });
  return out;
}

/** Reads CASE/validation.json, refusing (exit 1, naming the file and each problem's path) what is not one. */
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
  const problems = validationProblems(value);
  if (problems.length > 0) throw new CliError(`${file} is not a podtrail validation.json:\n  - ${problems.join('\n  - ')}`);
  return { text, value: value as Validation };
}

/** Every finding of every check, flattened, in (check_id, kind, finding_id) order. */
export function findingsOf(v: Validation): Finding[] {
  const out: Finding[] = v.checks.flatMap((c) =>
    c.findings.map((f) => ({
      check_id: c.id,
      kind: f.kind,
      finding_id: f.finding_id,
      status: f.status,
      message: f.message,
      source: f.source ?? null,
      node_name: f.node_name ?? null,
      region: f.region ?? null,
      interval_from: f.interval.from ?? null,
      interval_to: f.interval.to ?? null,
      weakens: f.weakens.map(String),
    })),
  );
  const key = (f: Finding): string => `${f.check_id}\u0000${f.kind}\u0000${f.finding_id}`;
  return out.sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0));
}
