import { checkCase } from '../check/check-case.js';
import type { Validation } from '../case/validation-json.js';

/** Runs the gaps checks and returns validation.json's content. */
export async function runChecksIfAvailable(caseDir: string): Promise<Validation> {
  return checkCase(caseDir);
}
