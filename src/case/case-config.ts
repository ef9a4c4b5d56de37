import { readFileSync } from 'node:fs';
import { parseDocument, stringify } from 'yaml';
import { CaseError } from '../core/errors.js';
import { formatDuration } from '../core/duration.js';
import { CASE_SCHEMA, caseProblems, caseSchema, type CaseConfig } from './case-schema.js';

export { CASE_SCHEMA, DEFAULTS, LIMITS, type CaseConfig, type EgressEntry, type EndpointEntry, type SensorEntry } from './case-schema.js';

/** Validates a parsed case.yaml document; every problem is reported at once, with its path. */
export function validateCaseConfig(doc: unknown, where: string): CaseConfig {
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc)) throw new CaseError(`${where}: not a YAML mapping`);
  const r = caseSchema.safeParse(doc);
  if (!r.success) throw new CaseError(`${where} is invalid:\n  - ${caseProblems(r.error).join('\n  - ')}\n(see docs/case-yaml.md)`);
  return r.data;
}

export function loadCaseConfig(file: string): CaseConfig {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    throw new CaseError(`${file}: cannot read case.yaml (is this a case folder? create one with "podtrail init")`);
  }
  const doc = parseDocument(text, { prettyErrors: true, uniqueKeys: true });
  if (doc.errors.length > 0) {
    throw new CaseError(`${file}: YAML error: ${doc.errors.map((e) => e.message).join('; ')}`);
  }
  return validateCaseConfig(doc.toJS(), file);
}

const HEADER = `# podtrail case configuration (schema ${CASE_SCHEMA}); documented in docs/case-yaml.md.
# window: the incident window (UTC) and why; records outside window +/- margin are counted, not landed.
# scope.namespaces: namespaces in scope (empty = all); runtime events elsewhere land with in_scope = false.
# clock: join tolerance, and declared per-node clock offsets (node clock minus true time, e.g. +40s).
# egress: NAT / egress public IPs or CIDRs and the nodes or subnets behind them.
# endpoints: cloud service endpoints (VPC endpoint or proxy addresses) that runtime connects reveal.
# sensors: runtime sensors podtrail did not deploy (Falco) and whether their rules alert on every outbound connect.
# gaps: floor and ceiling of the expected silence between events, for the gaps checks.
`;

/** Serialises a config the way `podtrail init` writes it (stable key order, durations as text). */
export function renderCaseConfig(cfg: CaseConfig): string {
  const doc = {
    schema: cfg.schema,
    case_id: cfg.case_id,
    window: {
      from: cfg.window.from,
      to: cfg.window.to,
      reason: cfg.window.reason,
      margin: formatDuration(cfg.window.margin_seconds),
    },
    scope: { namespaces: cfg.scope.namespaces },
    clock: {
      tolerance: formatDuration(cfg.clock.tolerance_seconds),
      node_offsets: Object.fromEntries(
        Object.entries(cfg.clock.node_offsets_seconds).map(([k, v]) => [k, (v > 0 ? '+' : '') + formatDuration(v)]),
      ),
    },
    egress: cfg.egress.map((e) => ({ label: e.label, public: e.public, nodes: e.nodes, subnets: e.subnets })),
    endpoints: cfg.endpoints.map((e) => ({ service: e.service, addresses: e.addresses, vpc_endpoint_id: e.vpc_endpoint_id })),
    ...(cfg.sensors.length > 0 ? { sensors: cfg.sensors.map((s) => ({ kind: s.kind, nodes: s.nodes, alerts_every_outbound_connect: s.alerts_every_outbound_connect })) } : {}),
    gaps: {
      expected_gap_floor: formatDuration(cfg.gaps.expected_gap_floor_seconds),
      expected_gap_ceiling: formatDuration(cfg.gaps.expected_gap_ceiling_seconds),
    },
  };
  return HEADER + stringify(doc, { lineWidth: 0 });
}
