import { canonicalJson } from '../core/canonical-json.js';
import { byteOrder } from './files.js';
import type { SumEntry } from './sha256sums.js';

export const STATEMENT_TYPE = 'https://in-toto.io/Statement/v1';
export const PREDICATE_TYPE = 'https://podtrail.dev/evidence-bundle/v1';

/** One acquired input as the statement names it (from the acquisition manifest). */
export interface PredicateInput {
  evidence_file_id: string;
  origin: string;
  sha256: string;
  size_bytes: number;
  inflated_sha256: string | null;
}

export interface BundlePredicate {
  case_id: string;
  inputs: PredicateInput[];
  tool: { name: string; version: string };
  /** sha256 of case.yaml as bundled. */
  config_sha256: string;
  /** sha256 of the last line of the bundle's custody.jsonl (64 zeros when empty). */
  custody_head: string;
}

export interface Statement {
  _type: string;
  subject: { name: string; digest: { sha256: string } }[];
  predicateType: string;
  predicate: BundlePredicate;
}

/** The in-toto Statement v1: subjects are exactly the SHA256SUMS entries, sorted by name. */
export function buildStatement(sums: readonly SumEntry[], predicate: BundlePredicate): Statement {
  return {
    _type: STATEMENT_TYPE,
    subject: [...sums].sort((a, b) => byteOrder(a.name, b.name)).map((e) => ({ name: e.name, digest: { sha256: e.sha256 } })),
    predicateType: PREDICATE_TYPE,
    predicate,
  };
}

/** The signed bytes: canonical JSON of the statement. */
export function statementBytes(s: Statement): Buffer {
  return Buffer.from(canonicalJson(s), 'utf8');
}
