import { readFileSync } from 'node:fs';
import { parseDocument, stringify } from 'yaml';
import { CaseError } from '../core/errors.js';
import { parseDurationSeconds, formatDuration } from '../core/duration.js';
import { parseInstant } from '../core/clock.js';
import { isCidrOrIp } from '../core/ip.js';

export const CASE_SCHEMA = 'podtrail.case/v1';

/** One NAT / egress address group: public IPs or CIDRs and what sits behind them. */
/** A cloud service endpoint reachable from the cluster: connects to these addresses are calls to it. */
export interface EndpointEntry {
  /** CloudTrail eventSource served there, e.g. sts.amazonaws.com; "*" for a shared endpoint or proxy. */
  service: string;
  addresses: string[];
  vpc_endpoint_id: string;
}

/** A runtime sensor podtrail did not deploy, and what its rule set is known to report. */
export interface SensorEntry {
  kind: 'falco';
  /** Nodes it runs on; empty for every node. */
  nodes: string[];
  alerts_every_outbound_connect: boolean;
}

export interface EgressEntry {
  label: string;
  public: string[];
  nodes: string[];
  subnets: string[];
}

/** case.yaml, validated and normalised (durations in seconds, instants as ISO UTC). */
export interface CaseConfig {
  schema: typeof CASE_SCHEMA;
  case_id: string;
  window: { from: string; to: string; reason: string; margin_seconds: number };
  scope: { namespaces: string[] };
  clock: { tolerance_seconds: number; node_offsets_seconds: Record<string, number> };
  egress: EgressEntry[];
  endpoints: EndpointEntry[];
  sensors: SensorEntry[];
  gaps: { expected_gap_floor_seconds: number; expected_gap_ceiling_seconds: number };
}

export const DEFAULTS = {
  margin_seconds: 15 * 60,
  tolerance_seconds: 5,
  expected_gap_floor_seconds: 5 * 60,
  expected_gap_ceiling_seconds: 30 * 60,
};

type Obj = Record<string, unknown>;

class Problems {
  readonly list: string[] = [];
  add(path: string, msg: string): void {
    this.list.push(`${path}: ${msg}`);
  }
}

function isObj(v: unknown): v is Obj {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function checkKeys(o: Obj, path: string, allowed: string[], p: Problems): void {
  for (const k of Object.keys(o)) if (!allowed.includes(k)) p.add(`${path}.${k}`, `unknown key (allowed: ${allowed.join(', ')})`);
}

function str(o: Obj, key: string, path: string, p: Problems, required = true): string | undefined {
  const v = o[key];
  if (v === undefined || v === null) {
    if (required) p.add(`${path}.${key}`, 'is required');
    return undefined;
  }
  if (v instanceof Date) return v.toISOString();
  if (typeof v !== 'string') {
    p.add(`${path}.${key}`, `must be a string, got ${typeof v}`);
    return undefined;
  }
  return v;
}

function strList(o: Obj, key: string, path: string, p: Problems): string[] {
  const v = o[key];
  if (v === undefined || v === null) return [];
  if (!Array.isArray(v) || v.some((x) => typeof x !== 'string')) {
    p.add(`${path}.${key}`, 'must be a list of strings');
    return [];
  }
  return [...(v as string[])];
}

/**
 * Largest values podtrail computes with (seconds): beyond them a setting means nothing for one
 * incident, and date and interval arithmetic would overflow or joins explode.
 */
export const LIMITS = {
  /** Records this far outside the window are no evidence of the incident. */
  margin_seconds: 3650 * 86400,
  /** A join tolerance over an hour pairs everything with everything. */
  tolerance_seconds: 3600,
  /** A sensor clock off by more than a day is broken, not offset. */
  node_offset_seconds: 86400,
  /** Expected silence of a stream. */
  gap_seconds: 30 * 86400,
} as const;

function duration(o: Obj, key: string, path: string, p: Problems, dflt: number, min = 0, max = Infinity): number {
  const v = o[key];
  if (v === undefined || v === null) return dflt;
  try {
    const s = parseDurationSeconds(typeof v === 'number' ? `${v}s` : String(v), `${path}.${key}`);
    if (!Number.isFinite(s)) {
      p.add(`${path}.${key}`, `"${String(v)}" is too large to compute with`);
      return dflt;
    }
    if (s < min) p.add(`${path}.${key}`, `must be at least ${formatDuration(min)}`);
    if (Math.abs(s) > max) {
      p.add(`${path}.${key}`, `${formatDuration(s)} is too large: at most ${formatDuration(max)}`);
      return dflt;
    }
    return s;
  } catch (e) {
    p.add(`${path}.${key}`, `"${String(v)}" is not a duration (examples: 30s, 15m, 2h)`);
    return dflt;
  }
}

function instant(o: Obj, key: string, path: string, p: Problems): string | undefined {
  const v = str(o, key, path, p);
  if (v === undefined) return undefined;
  try {
    return parseInstant(v, `${path}.${key}`).toISOString();
  } catch {
    p.add(`${path}.${key}`, `"${v}" is not an ISO-8601 instant with a zone (e.g. 2026-10-20T09:00:00Z)`);
    return undefined;
  }
}

/** Validates a parsed case.yaml document; every problem is reported at once, with its path. */
export function validateCaseConfig(doc: unknown, where: string): CaseConfig {
  const p = new Problems();
  if (!isObj(doc)) throw new CaseError(`${where}: not a YAML mapping`);
  checkKeys(doc, '', ['schema', 'case_id', 'window', 'scope', 'clock', 'egress', 'endpoints', 'sensors', 'gaps'], p);
  const schema = doc['schema'];
  if (schema !== CASE_SCHEMA) p.add('schema', `must be "${CASE_SCHEMA}" (got ${JSON.stringify(schema)})`);
  const caseId = str(doc, 'case_id', '', p) ?? '';
  if (caseId && !/^[A-Za-z0-9._-]{1,128}$/.test(caseId)) p.add('case_id', 'letters, digits, ".", "_" and "-" only');

  const w = isObj(doc['window']) ? doc['window'] : (p.add('window', 'is required (from, to, reason)'), {});
  checkKeys(w, 'window', ['from', 'to', 'reason', 'margin'], p);
  const from = instant(w, 'from', 'window', p);
  const to = instant(w, 'to', 'window', p);
  if (from && to && Date.parse(from) >= Date.parse(to)) p.add('window', `from (${from}) must be before to (${to})`);
  const reason = str(w, 'reason', 'window', p, false) ?? '';
  const margin = duration(w, 'margin', 'window', p, DEFAULTS.margin_seconds, 0, LIMITS.margin_seconds);
  // window +/- margin must be instants every tool here computes with (years 1 to 9999)
  if (from && to && (Date.parse(from) - margin * 1000 < Date.parse('0001-01-01T00:00:00Z') || Date.parse(to) + margin * 1000 > Date.parse('9999-12-31T23:59:59Z'))) {
    p.add('window', 'from - margin and to + margin must lie between the years 1 and 9999');
  }

  const s = isObj(doc['scope']) ? doc['scope'] : {};
  checkKeys(s, 'scope', ['namespaces'], p);
  const namespaces = [...new Set(strList(s, 'namespaces', 'scope', p))].sort();

  const c = isObj(doc['clock']) ? doc['clock'] : {};
  checkKeys(c, 'clock', ['tolerance', 'node_offsets'], p);
  const tolerance = duration(c, 'tolerance', 'clock', p, DEFAULTS.tolerance_seconds, 0, LIMITS.tolerance_seconds);
  const offsets: Record<string, number> = {};
  const rawOffsets = c['node_offsets'];
  if (rawOffsets !== undefined && rawOffsets !== null) {
    if (!isObj(rawOffsets)) p.add('clock.node_offsets', 'must map node names to durations (e.g. ip-10-0-1-5: +40s)');
    else for (const k of Object.keys(rawOffsets).sort()) offsets[k] = duration(rawOffsets, k, 'clock.node_offsets', p, 0, -Infinity, LIMITS.node_offset_seconds);
  }

  const egress: EgressEntry[] = [];
  const rawEgress = doc['egress'];
  if (rawEgress !== undefined && rawEgress !== null) {
    if (!Array.isArray(rawEgress)) p.add('egress', 'must be a list');
    else
      rawEgress.forEach((e, i) => {
        const path = `egress[${i}]`;
        if (!isObj(e)) return p.add(path, 'must be a mapping (label, public, nodes, subnets)');
        checkKeys(e, path, ['label', 'public', 'nodes', 'subnets'], p);
        const label = str(e, 'label', path, p) ?? '';
        const pub = strList(e, 'public', path, p);
        if (pub.length === 0) p.add(`${path}.public`, 'needs at least one public IP or CIDR');
        for (const ip of pub) if (!isCidrOrIp(ip)) p.add(`${path}.public`, `"${ip}" is not an IP or CIDR`);
        const subnets = strList(e, 'subnets', path, p);
        for (const ip of subnets) if (!isCidrOrIp(ip)) p.add(`${path}.subnets`, `"${ip}" is not an IP or CIDR`);
        egress.push({ label, public: pub, nodes: strList(e, 'nodes', path, p), subnets });
      });
  }

  const endpoints: EndpointEntry[] = [];
  const rawEndpoints = doc['endpoints'];
  if (rawEndpoints !== undefined && rawEndpoints !== null) {
    if (!Array.isArray(rawEndpoints)) p.add('endpoints', 'must be a list');
    else
      rawEndpoints.forEach((e, i) => {
        const path = `endpoints[${i}]`;
        if (!isObj(e)) return p.add(path, 'must be a mapping (service, addresses, vpc_endpoint_id)');
        checkKeys(e, path, ['service', 'addresses', 'vpc_endpoint_id'], p);
        const service = str(e, 'service', path, p) ?? '';
        const addresses = strList(e, 'addresses', path, p);
        if (addresses.length === 0) p.add(`${path}.addresses`, 'needs at least one IP or CIDR');
        for (const ip of addresses) if (!isCidrOrIp(ip)) p.add(`${path}.addresses`, `"${ip}" is not an IP or CIDR`);
        endpoints.push({ service, addresses, vpc_endpoint_id: str(e, 'vpc_endpoint_id', path, p, false) ?? '' });
      });
  }

  const sensors: SensorEntry[] = [];
  const rawSensors = doc['sensors'];
  if (rawSensors !== undefined && rawSensors !== null) {
    if (!Array.isArray(rawSensors)) p.add('sensors', 'must be a list');
    else
      rawSensors.forEach((e, i) => {
        const path = `sensors[${i}]`;
        if (!isObj(e)) return p.add(path, 'must be a mapping (kind, nodes, alerts_every_outbound_connect)');
        checkKeys(e, path, ['kind', 'nodes', 'alerts_every_outbound_connect'], p);
        if (e['kind'] !== 'falco') p.add(`${path}.kind`, `must be "falco" (Tetragon's connect policy reports every connect; got ${JSON.stringify(e['kind'])})`);
        const every = e['alerts_every_outbound_connect'];
        if (typeof every !== 'boolean') p.add(`${path}.alerts_every_outbound_connect`, 'must be true or false (does its rule set alert on every outbound connect?)');
        sensors.push({ kind: 'falco', nodes: [...new Set(strList(e, 'nodes', path, p))].sort(), alerts_every_outbound_connect: every === true });
      });
  }

  const g = isObj(doc['gaps']) ? doc['gaps'] : {};
  checkKeys(g, 'gaps', ['expected_gap_floor', 'expected_gap_ceiling'], p);
  const floor = duration(g, 'expected_gap_floor', 'gaps', p, DEFAULTS.expected_gap_floor_seconds, 1, LIMITS.gap_seconds);
  const ceiling = duration(g, 'expected_gap_ceiling', 'gaps', p, DEFAULTS.expected_gap_ceiling_seconds, 1, LIMITS.gap_seconds);
  if (floor > ceiling) p.add('gaps', 'expected_gap_floor must not exceed expected_gap_ceiling');

  if (p.list.length > 0) {
    throw new CaseError(`${where} is invalid:\n  - ${p.list.join('\n  - ')}\n(see "case.yaml" in the README)`);
  }
  return {
    schema: CASE_SCHEMA,
    case_id: caseId,
    window: { from: from!, to: to!, reason, margin_seconds: margin },
    scope: { namespaces },
    clock: { tolerance_seconds: tolerance, node_offsets_seconds: offsets },
    egress,
    endpoints,
    sensors,
    gaps: { expected_gap_floor_seconds: floor, expected_gap_ceiling_seconds: ceiling },
  };
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

const HEADER = `# podtrail case configuration (schema ${CASE_SCHEMA}); documented in the README, "case.yaml".
# window: the incident window (UTC) and why; records outside window +/- margin are counted, not landed.
# scope.namespaces: namespaces in scope (empty = all); runtime events elsewhere land with in_scope = false.
# clock: join tolerance, and declared per-node clock offsets (node clock minus true time, e.g. +40s).
# egress: NAT / egress public IPs or CIDRs and the nodes or subnets behind them.
# endpoints: cloud service endpoints (VPC endpoint or proxy addresses) that runtime connects reveal.
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
