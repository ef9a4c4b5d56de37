import { COLLECTORS, UNSUPPORTED, collectorFor } from '../collectors/registry.js';
import { SOURCE_TYPES, type Collector, type SourceType } from '../collectors/types.js';
import type { LineScanResult } from '../acquire/line-scan.js';

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

export type Detection =
  | { ok: true; collector: Collector; layout: 'lines' | 'document'; detectedBy: 'content' | 'declared' }
  | { ok: false; reason: string; layout: 'lines' | 'document' | null };

/** Up to this many leading lines are tried when the first ones are broken. */
const MAX_PROBE_LINES = 50;

function classify(sample: Obj): Collector | string | null {
  for (const u of UNSUPPORTED) if (u.detect(sample)) return u.name;
  for (const c of COLLECTORS) if (c.detect(sample)) return c;
  return null;
}

/** Samples to classify: the value itself, then the first element of a known envelope. */
function samplesOf(v: unknown): Obj[] {
  if (Array.isArray(v)) return v.filter(isObj).slice(0, 1);
  return isObj(v) ? [v] : [];
}

function parse(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** Guesses the envelope of a document too large to parse from its head. */
function largeDocumentGuess(text: string): SourceType | null {
  if (/"Records"\s*:\s*\[/.test(text) && /"eventSource"/.test(text)) return 'cloudtrail';
  if (/"Events"\s*:\s*\[/.test(text) && /"CloudTrailEvent"/.test(text)) return 'cloudtrail';
  if (/"items"\s*:\s*\[/.test(text) && /"kind"\s*:\s*"(List|PodList|NodeList|ServiceAccountList|Pod|Node|ServiceAccount)"/.test(text)) return 'inventory';
  if (/"(logEvents|events)"\s*:\s*\[/.test(text) && /auditID/.test(text)) return 'kube-audit';
  if (/"eventVersion"\s*:/.test(text) && /"eventSource"\s*:/.test(text)) return 'cloudtrail';
  return null;
}

/**
 * Detects a file's source and layout from its first bytes. Lines layout: a line parses as a JSON
 * object on its own. Document layout: one JSON value over several lines (pretty-printed).
 * A declared source (--source) is checked against the content: a different detected source refuses
 * the file; content that matches no source is taken as declared (its records are then rejected
 * one by one if they do not fit).
 */
export function detectSource(scan: LineScanResult, declared: SourceType | null): Detection {
  let text = scan.head.toString('utf8');
  if (scan.bom) text = text.slice(1);
  if (text.trim() === '') return { ok: false, reason: 'empty file (no records)', layout: null };
  const first = text.trimStart()[0];
  if (first !== '{' && first !== '[') return { ok: false, reason: 'not JSON (first character is not { or [): unsupported format', layout: null };

  let layout: 'lines' | 'document' | null = null;
  let samples: Obj[] = [];
  const lines = text.split('\n');
  const complete = scan.bytes <= scan.head.length;
  let probed = 0;
  for (const line of lines.slice(0, complete ? lines.length : lines.length - 1)) {
    if (line.trim() === '') continue;
    if (probed++ >= MAX_PROBE_LINES) break;
    const v = parse(line);
    if (isObj(v) || (Array.isArray(v) && v.length > 0 && isObj(v[0]))) {
      layout = 'lines';
      samples = samplesOf(v);
      break;
    }
    if (probed === 1 && /^\s*[{[]\s*$/.test(line)) break; // a document opening on its own line
  }
  if (layout === null) {
    const whole = complete ? parse(text) : undefined;
    if (whole !== undefined) {
      layout = 'document';
      samples = samplesOf(whole);
    } else if (!complete) {
      layout = 'document';
      const guess = largeDocumentGuess(text);
      if (guess) return decide(collectorFor(guess), declared, layout);
    } else {
      // A whole document that does not parse but is recognisably a source's (a gzip stream cut off
      // mid-document, a hand-edited sample with a syntax error) is landed as one rejected record,
      // so the problem is counted and the gzip framing problem recorded, instead of refused.
      const guess = largeDocumentGuess(text);
      if (guess) return decide(collectorFor(guess), declared, 'document');
      return { ok: false, reason: 'not valid JSON or JSON lines: no line parses as a JSON object', layout: null };
    }
  }
  for (const s of samples) {
    const envelope = ['Records', 'Events', 'items', 'records', 'logEvents', 'events'].find((k) => Array.isArray(s[k]));
    const found = classify(s) ?? (envelope ? classify((s[envelope] as unknown[]).find(isObj) ?? {}) : null);
    if (typeof found === 'string') return { ok: false, reason: `unsupported format: ${found}`, layout };
    if (found) return decide(found, declared, layout);
  }
  if (declared) return { ok: true, collector: collectorFor(declared), layout: layout ?? 'lines', detectedBy: 'declared' };
  return { ok: false, reason: `unknown shape: the records match none of the supported sources (${SOURCE_TYPES.join(', ')})`, layout };
}

function decide(found: Collector, declared: SourceType | null, layout: 'lines' | 'document'): Detection {
  if (declared && declared !== found.source) {
    return { ok: false, reason: `wrong type: declared --source ${declared} but the content is ${found.describe}`, layout };
  }
  return { ok: true, collector: found, layout, detectedBy: declared ? 'declared' : 'content' };
}
