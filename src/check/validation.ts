import type { CaseConfig } from '../case/case-config.js';
import type { EvidenceFileRow } from '../lake/evidence-file-row.js';
import type { FindingRow } from '../store/checks.js';
import { CHECKS } from './check-titles.js';
import { VALIDATION_SCHEMA, type CheckStatus, type Validation, type ValidationCheck } from '../case/validation-json.js';

export type { Validation } from '../case/validation-json.js';

const RANK = { ok: 0, unknown: 1, gap: 2 } as const;

export function buildValidation(o: {
  config: CaseConfig;
  configSha256: string;
  catalogSha256: string;
  catalog: EvidenceFileRow[];
  findings: FindingRow[];
  impacts: { finding_id: string; event_id: string }[];
  tool: string;
}): Validation {
  const weakens = new Map<string, string[]>();
  for (const i of o.impacts) weakens.set(i.finding_id, [...(weakens.get(i.finding_id) ?? []), i.event_id]);
  const checks: ValidationCheck[] = CHECKS.map((c) => {
    const findings = o.findings.filter((f) => f.check_id === c.id);
    const status = findings.reduce<CheckStatus>((s, f) => (RANK[f.status] > RANK[s] ? f.status : s), 'ok');
    return {
      id: c.id,
      title: c.title,
      status,
      findings: findings.map((f) => ({
        finding_id: f.finding_id,
        kind: f.kind,
        status: f.status,
        source: f.source,
        node_name: f.node_name,
        region: f.region,
        interval: { from: f.interval_from, to: f.interval_to },
        seconds: f.seconds,
        value: f.value,
        detail: f.detail,
        message: f.message,
        weakens: (weakens.get(f.finding_id) ?? []).sort(),
      })),
    };
  });
  const count = <T extends { status: string }>(xs: T[]): Record<string, number> => {
    const out: Record<string, number> = { ok: 0, gap: 0, unknown: 0 };
    for (const x of xs) out[x.status] = (out[x.status] ?? 0) + 1;
    return out;
  };
  return {
    schema: VALIDATION_SCHEMA,
    tool: o.tool,
    case: {
      case_id: o.config.case_id,
      window: { ...o.config.window },
      scope: { namespaces: o.config.scope.namespaces },
      clock_tolerance_seconds: o.config.clock.tolerance_seconds,
    },
    config_sha256: o.configSha256,
    catalog_sha256: o.catalogSha256,
    inputs: o.catalog.map((r) => ({
      evidence_file_id: r.evidence_file_id,
      origin: r.origin,
      s3_key: r.s3_key,
      sha256: r.sha256,
      size_bytes: r.size_bytes,
      inflated_sha256: r.inflated_sha256,
      source_type: r.source_type,
      status: r.status,
      refusal_reason: r.refusal_reason,
      records: {
        total: r.records_total,
        landed: r.records_landed,
        rejected: r.records_rejected,
        duplicate: r.records_duplicate,
        out_of_window: r.records_out_of_window,
      },
      acquired_at: r.acquired_at,
      operator: r.operator,
      tool_version: r.tool_version,
    })),
    checks,
    summary: {
      checks: count(checks),
      findings: count(o.findings),
      gaps: o.findings.filter((f) => f.status === 'gap').map((f) => f.message),
    },
  };
}
