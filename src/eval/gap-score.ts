import type { Validation } from '../case/validation-json.js';
import { EVIDENCE_GAP_KINDS } from '../check/check-titles.js';

/** Gaps detected vs injected: truth.json gaps against validation.json findings. */
export interface GapTruth {
  kind: string;
  source: string;
  node: string | null;
  region: string | null;
  from: string;
  to: string;
  offset_seconds: number | null;
}

export interface GapScore {
  injected: number;
  detected: number;
  falseGaps: number;
  clockErrorSeconds: number | null;
  failures: string[];
  unmatched: string[];
  false: string[];
}

const t = (s: string | null): number => (s === null ? NaN : Date.parse(s));

/**
 * A truth gap is detected when a finding of the same kind, on the same source, node or region,
 * reports it: its interval within one minute of the truth's (the truth clipped to the range the
 * case examines: the window plus its margin, since nothing outside it is landed), or for a clock
 * offset, its measured offset within 2 s. A false gap is a reported evidence gap (status gap, kind
 * in EVIDENCE_GAP_KINDS) that matches no injected gap.
 */
export function scoreGaps(truth: GapTruth[], offsets: Record<string, number>, v: Validation): GapScore {
  void offsets;
  const lo = t(v.case.window.from) - v.case.window.margin_seconds * 1000;
  const hi = t(v.case.window.to) + v.case.window.margin_seconds * 1000;
  const gaps = v.checks.flatMap((c) => c.findings).filter((f) => f.status === 'gap');
  const used = new Set<string>();
  const unmatched: string[] = [];
  let detected = 0;
  let clockError: number | null = null;
  for (const g of truth) {
    const from = Math.max(t(g.from), lo);
    const to = Math.min(t(g.to), hi);
    const match = gaps.find((f) => {
      if (f.kind !== g.kind) return false;
      if (g.node && f.node_name !== g.node) return false;
      if (g.region && f.region && f.region !== g.region) return false;
      if (g.kind === 'clock-offset') {
        const err = Math.abs((f.value ?? NaN) - (g.offset_seconds ?? NaN));
        if (err <= 2) clockError = Math.max(clockError ?? 0, err);
        return err <= 2;
      }
      if (g.kind === 'no-data-events') return true;
      if (!['audit-silence', 'no-sensor', 'cloudtrail-hour-missing', 'retention-before-window'].includes(g.kind) && g.source !== f.source) return false;
      return Math.abs(t(f.interval.from) - from) <= 60_000 && Math.abs(t(f.interval.to) - to) <= 60_000;
    });
    if (match) {
      detected++;
      used.add(match.finding_id);
    } else unmatched.push(`${g.kind} ${g.source} ${g.node ?? g.region ?? ''} ${g.from}..${g.to}`);
  }
  const falseGaps = gaps.filter((f) => EVIDENCE_GAP_KINDS.has(f.kind) && !used.has(f.finding_id));
  const failures: string[] = [];
  if (detected < truth.length) failures.push(`gaps detected ${detected}/${truth.length}: missed ${unmatched.join('; ')}`);
  if (falseGaps.length > 0) failures.push(`${falseGaps.length} false gaps: ${falseGaps.map((f) => f.message).join('; ')}`);
  return { injected: truth.length, detected, falseGaps: falseGaps.length, clockErrorSeconds: clockError, failures, unmatched, false: falseGaps.map((f) => f.message) };
}
