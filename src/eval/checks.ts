import { checkCase } from '../check/check-case.js';

/** Runs the gaps checks and returns validation.json's content. */
export async function runChecksIfAvailable(caseDir: string): Promise<unknown> {
  return checkCase(caseDir);
}
