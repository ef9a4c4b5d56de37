/**
 * case.yaml as one zod declaration: it checks a parsed document, normalises it (durations in
 * seconds, instants as ISO UTC, namespaces sorted and unique) and gives CaseConfig its type. Every
 * problem is collected at once and named by its path (`egress[0].public`, `window.margin`).
 */
import { z } from 'zod';
import { parseDurationSeconds, formatDuration } from '../core/duration.js';
import { parseInstant } from '../core/clock.js';
import { isCidrOrIp } from '../core/ip.js';

export const CASE_SCHEMA = 'podtrail.case/v1';

export const DEFAULTS = {
  margin_seconds: 15 * 60,
  tolerance_seconds: 5,
  expected_gap_floor_seconds: 5 * 60,
  expected_gap_ceiling_seconds: 30 * 60,
};

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

/** A mapping that names its unknown keys with the allowed ones (a typo is an error, not ignored). */
function mapping<T extends z.ZodRawShape>(shape: T, what: string) {
  const allowed = Object.keys(shape).join(', ');
  return z.strictObject(shape, {
    error: (iss) =>
      iss.code === 'unrecognized_keys' ? `unknown key (allowed: ${allowed})` : iss.input === undefined ? `is required (${allowed})` : `must be a mapping (${what})`,
  });
}

const text = () =>
  z.union([z.string(), z.date().transform((d) => d.toISOString())], {
    error: (iss) => (iss.input === undefined || iss.input === null ? 'is required' : `must be a string, got ${typeof iss.input}`),
  });

const optionalText = z
  .string({ error: (iss) => `must be a string, got ${typeof iss.input}` })
  .nullish()
  .transform((v) => v ?? '');

const textList = z
  .array(z.string({ error: (iss) => `must be a string, got ${typeof iss.input}` }), { error: 'must be a list of strings' })
  .nullish()
  .transform((v) => [...(v ?? [])]);

/** A list of IPs or CIDRs; `atLeast` names what is missing when the list is empty. */
const addressList = (atLeast: string | null) =>
  textList.superRefine((list, ctx) => {
    if (atLeast !== null && list.length === 0) ctx.addIssue({ code: 'custom', message: `needs at least one ${atLeast}` });
    for (const ip of list) if (!isCidrOrIp(ip)) ctx.addIssue({ code: 'custom', message: `"${ip}" is not an IP or CIDR` });
  });

/** A duration ("30s", "15m", "+40s", or a number of seconds) in seconds, within [min, max]. */
const duration = (dflt: number, min: number, max: number) =>
  z
    .union([z.string(), z.number()], { error: (iss) => `"${String(iss.input)}" is not a duration (examples: 30s, 15m, 2h)` })
    .nullish()
    .transform((v, ctx) => {
      if (v === undefined || v === null) return dflt;
      let s: number;
      try {
        s = parseDurationSeconds(typeof v === 'number' ? `${v}s` : v, 'duration');
      } catch {
        ctx.addIssue({ code: 'custom', message: `"${String(v)}" is not a duration (examples: 30s, 15m, 2h)` });
        return dflt;
      }
      if (!Number.isFinite(s)) {
        ctx.addIssue({ code: 'custom', message: `"${String(v)}" is too large to compute with` });
        return dflt;
      }
      if (s < min) ctx.addIssue({ code: 'custom', message: `must be at least ${formatDuration(min)}` });
      if (Math.abs(s) > max) {
        ctx.addIssue({ code: 'custom', message: `${formatDuration(s)} is too large: at most ${formatDuration(max)}` });
        return dflt;
      }
      return s;
    });

const instant = text().transform((v, ctx) => {
  try {
    return parseInstant(v, 'instant').toISOString();
  } catch {
    ctx.addIssue({ code: 'custom', message: `"${v}" is not an ISO-8601 instant with a zone (e.g. 2026-10-20T09:00:00Z)` });
    return z.NEVER;
  }
});

const YEAR_1 = Date.parse('0001-01-01T00:00:00Z');
const YEAR_9999 = Date.parse('9999-12-31T23:59:59Z');

const windowSchema = mapping(
  { from: instant, to: instant, reason: optionalText, margin: duration(DEFAULTS.margin_seconds, 0, LIMITS.margin_seconds) },
  'from, to, reason',
).transform((w, ctx) => {
  if (Date.parse(w.from) >= Date.parse(w.to)) ctx.addIssue({ code: 'custom', message: `from (${w.from}) must be before to (${w.to})` });
  // window +/- margin must be instants every tool here computes with (years 1 to 9999)
  if (Date.parse(w.from) - w.margin * 1000 < YEAR_1 || Date.parse(w.to) + w.margin * 1000 > YEAR_9999) {
    ctx.addIssue({ code: 'custom', message: 'from - margin and to + margin must lie between the years 1 and 9999' });
  }
  return { from: w.from, to: w.to, reason: w.reason, margin_seconds: w.margin };
});

const scopeSchema = mapping({ namespaces: textList }, 'namespaces')
  .nullish()
  .transform((s) => ({ namespaces: [...new Set(s?.namespaces ?? [])].sort() }));

const nodeOffsets = z
  .record(z.string(), duration(0, -Infinity, LIMITS.node_offset_seconds), { error: 'must map node names to durations (e.g. ip-10-0-1-5: +40s)' })
  .nullish()
  .transform((o) => Object.fromEntries(Object.keys(o ?? {}).sort().map((k) => [k, o![k]!])) as Record<string, number>);

const clockSchema = mapping({ tolerance: duration(DEFAULTS.tolerance_seconds, 0, LIMITS.tolerance_seconds), node_offsets: nodeOffsets }, 'tolerance, node_offsets')
  .nullish()
  .transform((c) => ({ tolerance_seconds: c?.tolerance ?? DEFAULTS.tolerance_seconds, node_offsets_seconds: c?.node_offsets ?? {} }));

const egressEntry = mapping(
  { label: text(), public: addressList('public IP or CIDR'), nodes: textList, subnets: addressList(null) },
  'label, public, nodes, subnets',
);

const endpointEntry = mapping(
  { service: text(), addresses: addressList('IP or CIDR'), vpc_endpoint_id: optionalText },
  'service, addresses, vpc_endpoint_id',
);

/** A runtime sensor podtrail did not deploy, and what its rule set is known to report. */
const sensorEntry = mapping(
  {
    kind: z.literal('falco', { error: (iss) => `must be "falco" (Tetragon's connect policy reports every connect; got ${JSON.stringify(iss.input)})` }),
    /** Nodes it runs on; empty for every node. */
    nodes: textList.transform((v) => [...new Set(v)].sort()),
    alerts_every_outbound_connect: z.boolean({ error: 'must be true or false (does its rule set alert on every outbound connect?)' }),
  },
  'kind, nodes, alerts_every_outbound_connect',
);

const gapsSchema = mapping(
  {
    expected_gap_floor: duration(DEFAULTS.expected_gap_floor_seconds, 1, LIMITS.gap_seconds),
    expected_gap_ceiling: duration(DEFAULTS.expected_gap_ceiling_seconds, 1, LIMITS.gap_seconds),
  },
  'expected_gap_floor, expected_gap_ceiling',
)
  .nullish()
  .transform((g, ctx) => {
    const floor = g?.expected_gap_floor ?? DEFAULTS.expected_gap_floor_seconds;
    const ceiling = g?.expected_gap_ceiling ?? DEFAULTS.expected_gap_ceiling_seconds;
    if (floor > ceiling) ctx.addIssue({ code: 'custom', message: 'expected_gap_floor must not exceed expected_gap_ceiling' });
    return { expected_gap_floor_seconds: floor, expected_gap_ceiling_seconds: ceiling };
  });

const list = <T extends z.ZodType>(item: T) => z.array(item, { error: 'must be a list' }).nullish().transform((v) => v ?? []);

export const caseSchema = mapping(
  {
    schema: z.literal(CASE_SCHEMA, { error: (iss) => `must be "${CASE_SCHEMA}" (got ${JSON.stringify(iss.input)})` }),
    case_id: text().refine((id) => /^[A-Za-z0-9._-]{1,128}$/.test(id), 'letters, digits, ".", "_" and "-" only'),
    window: windowSchema,
    scope: scopeSchema,
    clock: clockSchema,
    egress: list(egressEntry),
    endpoints: list(endpointEntry),
    sensors: list(sensorEntry),
    gaps: gapsSchema,
  },
  'schema, case_id, window, ...',
);

/** case.yaml, validated and normalised (durations in seconds, instants as ISO UTC). */
export type CaseConfig = z.output<typeof caseSchema>;
export type EgressEntry = CaseConfig['egress'][number];
export type EndpointEntry = CaseConfig['endpoints'][number];
export type SensorEntry = CaseConfig['sensors'][number];

/** An issue's path as the messages write it: `egress[0].public`, `clock.node_offsets.node-a`. */
function pathText(path: readonly PropertyKey[]): string {
  return path.map((k, i) => (typeof k === 'number' ? `[${k}]` : i === 0 ? String(k) : `.${String(k)}`)).join('');
}

/** Every problem of a parsed document, one line each with its path; empty when it is valid. */
export function caseProblems(error: z.ZodError): string[] {
  return error.issues.flatMap((iss) => {
    const at = pathText(iss.path);
    if (iss.code === 'unrecognized_keys') return iss.keys.map((k) => `${at}.${k}: ${iss.message}`);
    return [`${at}: ${iss.message}`];
  });
}
