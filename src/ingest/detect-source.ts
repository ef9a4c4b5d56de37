import { COLLECTORS, UNSUPPORTED, collectorFor } from '../collectors/registry.js';
import { SOURCE_TYPES, type Collector, type SourceType } from '../collectors/types.js';
import type { LineScanResult } from '../acquire/line-scan.js';

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

export type Detection =
  | { ok: true; collector: Collector; layout: 'lines' | 'document'; detectedBy: 'content' | 'declared' }
  | { ok: false; reason: string; layout: 'lines' | 'document' | null };

/** Lines (or array elements) sampled to decide a file's source. */
const MAX_PROBE_LINES = 50;

function classify(sample: Obj): Collector | string | null {
  for (const u of UNSUPPORTED) if (u.detect(sample)) return u.name;
  for (const c of COLLECTORS) if (c.detect(sample)) return c;
  return null;
}

/** Records of a parsed value to classify: the value itself, or the first objects of an array. */
function samplesOf(v: unknown): Obj[] {
  if (Array.isArray(v)) return v.filter(isObj).slice(0, MAX_PROBE_LINES);
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
  if (/"syncToken"\s*:/.test(text) && /"prefixes"\s*:\s*\[/.test(text)) return 'aws-ip-ranges';
  if (/^\{\s*"(Reservations|NetworkInterfaces|NatGateways|Addresses|RouteTables|VpcEndpoints|PrefixLists)"\s*:\s*\[/.test(text)) return 'aws-inventory';
  return null;
}

/**
 * Detects a file's source and layout from a sample of its records, never from its first line
 * alone: leading blank lines are skipped however many (the scan's head starts at the first
 * content byte), and up to MAX_PROBE_LINES lines are each parsed on their own. Lines layout: some
 * line parses as a JSON object (or a one-line array of objects); the source is the one most of the
 * sampled records match (ties: the first seen), so a header, a cut first line or a scalar in front
 * of the records does not refuse the file: those lines are rejected one by one when it lands.
 * Document layout: one JSON value over several lines (pretty-printed).
 * A declared source (--source) is checked against the content: a different detected source refuses
 * the file; content that matches no source is taken as declared (its records are then rejected
 * one by one if they do not fit).
 */
export function detectSource(scan: LineScanResult, declared: SourceType | null): Detection {
  const text = scan.head.toString('utf8');
  if (text.trim() === '') return { ok: false, reason: 'empty file (no records)', layout: null };
  const complete = scan.headStart + scan.head.length >= scan.bytes;
  const lines = text.split('\n');
  if (!complete) lines.pop();

  // 1. lines: each sampled line parsed on its own, each record classified
  const votes = new Map<Collector | string, { n: number; first: number }>();
  let objectLines = 0;
  let probed = 0;
  for (const line of lines) {
    if (line.trim() === '') continue;
    if (probed++ >= MAX_PROBE_LINES) break;
    if (probed === 1 && /^\s*[{[]\s*$/.test(line)) break; // a document opening on its own line
    const v = parse(line);
    if (!(isObj(v) || (Array.isArray(v) && v.length > 0 && isObj(v[0])))) continue;
    objectLines++;
    for (const sample of samplesOf(v)) {
      const found = classifySample(sample);
      if (found === null) continue;
      const vote = votes.get(found) ?? { n: 0, first: probed };
      vote.n++;
      votes.set(found, vote);
    }
  }
  if (objectLines > 0) return decideFromVotes(votes, declared, 'lines');

  // 2. a document: parsed whole when the head holds all of it, else guessed from its envelope
  const notJson = `not JSON: no line of the first ${MAX_PROBE_LINES} parses as a JSON object, and the file is not one JSON document (unsupported format)`;
  if (text[0] !== '{' && text[0] !== '[') return { ok: false, reason: notJson, layout: null };
  if (!complete) {
    const guess = largeDocumentGuess(text);
    if (guess) return decide(collectorFor(guess), declared, 'document');
    if (declared) return { ok: true, collector: collectorFor(declared), layout: 'document', detectedBy: 'declared' };
    return { ok: false, reason: `unknown shape: the document matches none of the supported sources (${SOURCE_TYPES.join(', ')})`, layout: 'document' };
  }
  const whole = parse(text);
  if (whole === undefined) {
    // A whole document that does not parse but is recognisably a source's (a gzip stream cut off
    // mid-document, a hand-edited sample with a syntax error) is landed as one rejected record,
    // so the problem is counted and the gzip framing problem recorded, instead of refused.
    const guess = largeDocumentGuess(text);
    if (guess) return decide(collectorFor(guess), declared, 'document');
    return { ok: false, reason: notJson, layout: null };
  }
  const votesDoc = new Map<Collector | string, { n: number; first: number }>();
  samplesOf(whole).forEach((sample, i) => {
    const found = classifySample(sample);
    if (found === null) return;
    const vote = votesDoc.get(found) ?? { n: 0, first: i };
    vote.n++;
    votesDoc.set(found, vote);
  });
  return decideFromVotes(votesDoc, declared, 'document');
}

/** A record's source: the value itself, else the first object element of a known envelope. */
function classifySample(s: Obj): Collector | string | null {
  const direct = classify(s);
  if (direct !== null) return direct;
  const envelope = ['Records', 'Events', 'items', 'records', 'logEvents', 'events'].find((k) => Array.isArray(s[k]));
  return envelope ? classify((s[envelope] as unknown[]).find(isObj) ?? {}) : null;
}

function decideFromVotes(votes: Map<Collector | string, { n: number; first: number }>, declared: SourceType | null, layout: 'lines' | 'document'): Detection {
  const ranked = [...votes.entries()].sort((a, b) => b[1].n - a[1].n || a[1].first - b[1].first);
  const top = ranked[0]?.[0];
  if (typeof top === 'string') return { ok: false, reason: `unsupported format: ${top}`, layout };
  if (top) return decide(top, declared, layout);
  if (declared) return { ok: true, collector: collectorFor(declared), layout, detectedBy: 'declared' };
  return { ok: false, reason: `unknown shape: the records match none of the supported sources (${SOURCE_TYPES.join(', ')})`, layout };
}

function decide(found: Collector, declared: SourceType | null, layout: 'lines' | 'document'): Detection {
  if (declared && declared !== found.source) {
    return { ok: false, reason: `wrong type: declared --source ${declared} but the content is ${found.describe}`, layout };
  }
  return { ok: true, collector: found, layout, detectedBy: declared ? 'declared' : 'content' };
}
