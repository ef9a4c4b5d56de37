/** What must become of one bad input of the corpus (checked by bad-inputs.test.ts). */
export interface Expectation {
  /** What the input tries (as an attacker or a clumsy operator would). */
  why: string;
  status: 'landed' | 'refused' | 'already-ingested';
  source?: string;
  /** Records landed. */
  landed?: number;
  /** Reject rows by reason (exactly these; {} for none). */
  rejects?: Record<string, number>;
  duplicates?: number;
  outOfWindow?: number;
  /** A regular expression the refusal message must match. */
  refusal?: string;
}
